import Foundation
import Logging
import TouchpointCollector
import TouchpointStore
import TouchpointSync

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real collector (`buildApplication`) on 127.0.0.1 with a fresh SQLite file, run inside this process.
struct InProcessCollector {
    let url: URL
    let storage: SQLiteCollectorStorage
    private let server: Task<Void, any Error>

    /// Starts the collector with a new database at `database` and enrols the fixtures' kiosk key.
    static func start(database: URL, fixtures: Fixtures, logger: Logger) async throws -> InProcessCollector {
        let storage = try SQLiteCollectorStorage(path: database.path, logger: logger)
        try await storage.enroll(kiosk: Fixtures.kiosk, site: Fixtures.site, jwk: fixtures.key.publicJWK)
        let port = try freePort()
        let configuration = CollectorConfiguration(
            host: "127.0.0.1", port: port, databasePath: database.path, surveysDirectory: fixtures.surveysDirectory.path)
        let app = buildApplication(configuration: configuration, storage: storage, surveys: fixtures.catalog, logger: logger)
        // The application is a swift-service-lifecycle service: cancelling the task shuts it down.
        let server = Task { try await app.run() }
        let url = URL(string: "http://127.0.0.1:\(port)")!
        let collector = InProcessCollector(url: url, storage: storage, server: server)
        try await collector.waitUntilUp(logger: logger)
        return collector
    }

    /// Stops the server and closes the database.
    func stop() async throws {
        server.cancel()
        _ = await server.result
        try storage.close()
    }

    /// How many responses the collector holds for the bench kiosk, and its sequence gaps.
    func stored() async throws -> (count: Int, missing: UInt64) {
        guard let record = try await storage.kiosk(Fixtures.kiosk) else { return (0, 0) }
        return (record.responseCount, record.missingCount)
    }

    private func waitUntilUp(logger: Logger) async throws {
        let deadline = nowNanoseconds() + 10_000_000_000
        try await HTTPUploadTransport.withTransport(configuration: .init(collectorURL: url), logger: logger) { transport in
            while await !transport.probe() {
                guard nowNanoseconds() < deadline else { throw BenchError("the collector did not come up on \(url)") }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    private init(url: URL, storage: SQLiteCollectorStorage, server: Task<Void, any Error>) {
        self.url = url
        self.storage = storage
        self.server = server
    }

    /// A port on 127.0.0.1 that was free a moment ago (bind to 0, read it back, close).
    static func freePort() throws -> Int {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw BenchError.system("socket", "AF_INET") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw BenchError.system("bind", "127.0.0.1:0") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
