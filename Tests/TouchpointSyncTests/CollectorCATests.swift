import Foundation
import Logging
import Testing
import AsyncHTTPClient
@testable import TouchpointSync
import TouchpointTesting

/// `collectorCA`: read once at start, and a clear error for a file that cannot be one.
@Suite("The collector's private CA")
struct CollectorCATests {
    /// A fresh directory, removed after `body`.
    func withDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("touchpoint-ca-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    @Test("a CA certificate in PEM is read; the transport trusts only it")
    func readsPEM() throws {
        try withDirectory { directory in
            let file = directory.appendingPathComponent("ca.pem")
            try TestCertificateAuthority().writeCertificate(to: file)
            let ca = try CollectorCA(pemFile: file.path)
            #expect(ca.certificates.count == 1)
            #expect(ca.file == file.path)
            let configuration = HTTPUploadTransport.Configuration(
                collectorURL: try #require(URL(string: "https://collector.example:8443")), collectorCA: ca)
            let client = HTTPUploadTransport.clientConfiguration(for: configuration)
            #expect(client.tlsConfiguration?.trustRoots == .certificates(ca.certificates))
            #expect(client.tlsConfiguration?.certificateVerification == .fullVerification)
            #expect(configuration.description.contains(file.path))
        }
    }

    @Test("without collectorCA the transport verifies against the system's CAs")
    func systemRoots() throws {
        let configuration = HTTPUploadTransport.Configuration(collectorURL: try #require(URL(string: "https://collector.example")))
        let client = HTTPUploadTransport.clientConfiguration(for: configuration)
        #expect(client.tlsConfiguration?.trustRoots == nil || client.tlsConfiguration?.trustRoots == .default)
        #expect(client.tlsConfiguration?.certificateVerification == .fullVerification)
    }

    @Test("a missing file, a file without a certificate and a damaged certificate are clear configuration errors")
    func badFiles() throws {
        try withDirectory { directory in
            let missing = directory.appendingPathComponent("nope.pem").path
            let noFile = #expect(throws: SyncError.self) { try CollectorCA(pemFile: missing) }
            #expect(noFile?.code == .invalidConfiguration)
            #expect(noFile?.description == "collectorCA: there is no file \(missing)")

            let key = directory.appendingPathComponent("key.pem")
            try Data(try TestCertificateAuthority().issueServerCertificate().privateKeyPEM.utf8).write(to: key)
            let notCertificate = #expect(throws: SyncError.self) { try CollectorCA(pemFile: key.path) }
            #expect(notCertificate?.code == .invalidConfiguration)
            #expect(notCertificate?.description.contains("holds no PEM certificate") == true, "\(String(describing: notCertificate))")
            #expect(notCertificate?.description.contains("PRIVATE") == false, "the message quotes the file")

            let damaged = directory.appendingPathComponent("damaged.pem")
            try Data("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n".utf8).write(to: damaged)
            let broken = #expect(throws: SyncError.self) { try CollectorCA(pemFile: damaged.path) }
            #expect(broken?.code == .invalidConfiguration)
            #expect(broken?.description.contains("\(damaged.path)") == true)

            let directoryAsFile = #expect(throws: SyncError.self) { try CollectorCA(pemFile: directory.path) }
            #expect(directoryAsFile?.code == .invalidConfiguration)
        }
    }

    @Test("a CA with an http:// collector URL is refused: it would never be used")
    func caNeedsHTTPS() async throws {
        try withDirectory { directory in
            let file = directory.appendingPathComponent("ca.pem")
            try TestCertificateAuthority().writeCertificate(to: file)
            let configuration = HTTPUploadTransport.Configuration(
                collectorURL: try #require(URL(string: "http://127.0.0.1:8080")), collectorCA: try CollectorCA(pemFile: file.path))
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { try? client.syncShutdown() }
            let error = #expect(throws: SyncError.self) {
                try HTTPUploadTransport(configuration: configuration, client: client, logger: Logger(label: "test"))
            }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.message.contains("not https://") == true)
        }
    }
}
