import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TouchpointCollector
import TouchpointCollectorServer
import TouchpointCore
import TouchpointJOSE
import TouchpointStore
import TouchpointSync
import TouchpointTesting

/// The collector over HTTPS (`serve --tls-cert --tls-key`) and a kiosk's sync trusting its private CA.
@Suite("The collector over TLS")
struct CollectorTLSTests {
    let key = KioskKey.generate()

    /// `count` signed `retail-visit` responses of kiosk-1 at site malmo in `responses/pending/`, completed now.
    func writeResponses(_ count: Int, in responses: URL) throws {
        let store = try FileResponseStore(root: responses, key: key)
        let survey = try #require(try Fixtures.catalog().survey("retail-visit"))
        let reference = SurveyReference(id: survey.id, version: survey.version, digest: try SurveyDigest.digest(of: survey))
        for _ in 0..<count {
            let now = Date()
            _ = try store.record(ResponseDraft(
                survey: reference, site: "malmo", kiosk: "kiosk-1", touchpoint: "retail", stage: .shop, language: "en",
                startedAt: now.addingTimeInterval(-30), completedAt: now,
                answers: [
                    Answer(question: "recommend", type: .nps, value: .number(9)),
                    Answer(question: "visit-satisfaction", type: .csat, value: .number(4)),
                    Answer(question: "purpose", type: .choice, value: .option("offer")),
                ],
                status: .complete, suspect: false, mode: .attended, appVersion: "0.1.0"))
        }
    }

    /// The names of the `.json` files in `directory`.
    func files(_ directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }
    }

    /// Runs `body` with a collector serving HTTPS on 127.0.0.1 with a certificate for `dnsNames`/`ipAddresses`
    /// issued by `authority`, kiosk-1 enrolled, three responses pending in `<directory>/responses`.
    func withHTTPSCollector(
        authority: TestCertificateAuthority,
        dnsNames: [String] = ["localhost"], ipAddresses: [String] = ["127.0.0.1"],
        _ body: @escaping @Sendable (_ port: Int, _ directory: URL, _ storage: any CollectorStorage) async throws -> Void
    ) async throws {
        try await withStorage { storage, directory in
            _ = try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, tokenHash: TestKiosk.uploadTokenHash)
            let files = try authority.issueServerCertificate(dnsNames: dnsNames, ipAddresses: ipAddresses)
                .write(to: directory)
            var configuration = CollectorConfiguration(host: "127.0.0.1", port: 0)
            configuration.tls = try CollectorTLS(certificateFile: files.certificate.path, keyFile: files.key.path)
            try writeResponses(3, in: directory.appendingPathComponent("responses", isDirectory: true))
            let app = buildApplication(
                configuration: configuration, storage: storage, surveys: try Fixtures.catalog(), logger: quietLogger)
            try await app.test(.ahc(.https)) { client in
                try await body(try #require(client.port), directory, storage)
            }
        }
    }

    /// One sync pass of `<directory>/responses` to `url`, trusting `caFile` (nil: the system's CAs).
    func syncOnce(_ url: String, caFile: URL?, directory: URL) async throws -> SyncSummary {
        let configuration = HTTPUploadTransport.Configuration(
            collectorURL: try #require(URL(string: url)), token: TestKiosk.uploadToken,
            collectorCA: try caFile.map { try CollectorCA(pemFile: $0.path) })
        return try await HTTPUploadTransport.withTransport(configuration: configuration, logger: quietLogger) { transport in
            try await ResponseSync(
                responsesDirectory: directory.appendingPathComponent("responses", isDirectory: true), kiosk: "kiosk-1",
                transport: transport, configuration: SyncConfiguration(maxAttempts: 1), logger: quietLogger
            ).syncOnce()
        }
    }

    @Test("a kiosk trusting the collector's private CA syncs over HTTPS, by address and by name")
    func syncOverHTTPS() async throws {
        let authority = try TestCertificateAuthority()
        try await withHTTPSCollector(authority: authority) { port, directory, storage in
            let caFile = directory.appendingPathComponent("ca.pem")
            try authority.writeCertificate(to: caFile)
            let summary = try await syncOnce("https://127.0.0.1:\(port)", caFile: caFile, directory: directory)
            #expect(summary.stored == 3 && summary.rejected == 0)
            #expect(files(directory.appendingPathComponent("responses/sent")).count == 3)
            #expect(try await storage.kiosk("kiosk-1")?.responseCount == 3)

            try writeResponses(1, in: directory.appendingPathComponent("responses", isDirectory: true))
            let byName = try await syncOnce("https://localhost:\(port)", caFile: caFile, directory: directory)
            #expect(byName.stored == 1)
        }
    }

    @Test("a certificate from another CA is a clear error naming the collector; every response stays pending")
    func otherCA() async throws {
        let authority = try TestCertificateAuthority()
        try await withHTTPSCollector(authority: authority) { port, directory, storage in
            let otherFile = directory.appendingPathComponent("other-ca.pem")
            try TestCertificateAuthority(name: "Someone else's CA").writeCertificate(to: otherFile)
            let url = "https://127.0.0.1:\(port)"
            let error = await #expect(throws: SyncError.self) {
                try await syncOnce(url, caFile: otherFile, directory: directory)
            }
            #expect(error?.code == .untrusted)
            let message = error?.description ?? ""
            #expect(message.contains(url) && message.contains("not signed by a CA this kiosk trusts"), "\(message)")
            #expect(message.contains(otherFile.path), "\(message)")
            #expect(files(directory.appendingPathComponent("responses/pending")).count == 3)
            #expect(files(directory.appendingPathComponent("responses/rejected")).isEmpty)
            #expect(files(directory.appendingPathComponent("responses/sent")).isEmpty)
            #expect(try await storage.kiosk("kiosk-1")?.responseCount == 0)

            // Without collectorCA the system's CAs do not know the private CA either.
            let system = await #expect(throws: SyncError.self) { try await syncOnce(url, caFile: nil, directory: directory) }
            #expect(system?.code == .untrusted)
            #expect(system?.description.contains("set collectorCA") == true, "\(String(describing: system))")
        }
    }

    @Test("a certificate for another host name is refused with that reason; every response stays pending")
    func otherHost() async throws {
        let authority = try TestCertificateAuthority()
        try await withHTTPSCollector(authority: authority, dnsNames: ["collector.example"], ipAddresses: []) { port, directory, _ in
            let caFile = directory.appendingPathComponent("ca.pem")
            try authority.writeCertificate(to: caFile)
            let error = await #expect(throws: SyncError.self) {
                try await syncOnce("https://127.0.0.1:\(port)", caFile: caFile, directory: directory)
            }
            #expect(error?.code == .untrusted)
            #expect(error?.description.contains("not issued for 127.0.0.1") == true, "\(String(describing: error))")
            #expect(files(directory.appendingPathComponent("responses/pending")).count == 3)
            #expect(files(directory.appendingPathComponent("responses/rejected")).isEmpty)
        }
    }

    @Test("the key must be the owner's only, must be a key, and must be the certificate's")
    func loadingChecks() async throws {
        try await withTemporaryDirectory { directory in
            let authority = try TestCertificateAuthority()
            let files = try authority.issueServerCertificate().write(to: directory)
            let tls = try CollectorTLS(certificateFile: files.certificate.path, keyFile: files.key.path)
            #expect(tls.certificateChain.count == 1)
            #expect(tls.notValidAfter > Date())
            let pem = try String(contentsOf: files.key, encoding: .utf8)
            #expect(!"\(tls)".contains(pem) && !String(reflecting: tls).contains("BEGIN"), "the description shows the key")

            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: files.key.path)
            let readable = #expect(throws: CollectorTLSError.self) {
                try CollectorTLS(certificateFile: files.certificate.path, keyFile: files.key.path)
            }
            #expect(readable?.code == .insecurePermissions)
            #expect(readable?.message.contains("chmod 600 \(files.key.path)") == true)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: files.key.path)

            let other = try authority.issueServerCertificate().write(to: directory, name: "other")
            let mismatch = #expect(throws: CollectorTLSError.self) {
                try CollectorTLS(certificateFile: files.certificate.path, keyFile: other.key.path)
            }
            #expect(mismatch?.code == .privateKey)
            #expect(mismatch?.message.contains("is not the private key of the certificate") == true)

            let swapped = #expect(throws: CollectorTLSError.self) {
                try CollectorTLS(certificateFile: files.key.path, keyFile: files.key.path)
            }
            #expect(swapped?.code == .certificate)

            let notKey = directory.appendingPathComponent("not.key")
            #expect(FileManager.default.createFile(
                atPath: notKey.path, contents: Data(authority.certificatePEM.utf8), attributes: [.posixPermissions: 0o600]))
            let certificateAsKey = #expect(throws: CollectorTLSError.self) {
                try CollectorTLS(certificateFile: files.certificate.path, keyFile: notKey.path)
            }
            #expect(certificateAsKey?.code == .privateKey)

            let missing = #expect(throws: CollectorTLSError.self) {
                try CollectorTLS(certificateFile: directory.appendingPathComponent("none.crt").path, keyFile: files.key.path)
            }
            #expect(missing?.code == .certificate)
            #expect(missing?.message.contains("there is no file") == true)
        }
    }

    @Test("plain HTTP is served only on loopback, unless a proxy in front terminates TLS")
    func bindingRule() throws {
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1"] {
            #expect(CollectorConfiguration.isLoopback(host), "\(host)")
            #expect(CollectorConfiguration(host: host).bindingProblem == nil, "\(host)")
        }
        for host in ["0.0.0.0", "::", "10.0.0.5", "192.168.1.20", "128.0.0.1", "collector.example", "localhost.example", ""] {
            #expect(!CollectorConfiguration.isLoopback(host), "\(host)")
            var configuration = CollectorConfiguration(host: host)
            let problem = try #require(configuration.bindingProblem, "\(host)")
            #expect(problem.contains("--tls-cert") && problem.contains("--allow-plain-http"), "\(problem)")
            configuration.allowPlainHTTP = true
            #expect(configuration.bindingProblem == nil)
        }
    }
}
