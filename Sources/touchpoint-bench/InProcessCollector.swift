import Foundation
import Logging
import TouchpointCollector
import TouchpointStore
import TouchpointSync
import TouchpointCollectorSQLite
import TouchpointCollectorServer

/// The real collector (`buildApplication`) on 127.0.0.1 with a fresh SQLite file, run inside this process.
struct InProcessCollector {
    let url: URL
    let storage: SQLiteCollectorStorage
    private let server: Task<Void, any Error>

    /// Starts the collector with a new database at `database` and enrols the fixtures' kiosk key.
    static func start(database: URL, fixtures: Fixtures, logger: Logger) async throws -> InProcessCollector {
        let storage = try SQLiteCollectorStorage(path: database.path, logger: logger)
        try await storage.enroll(
            kiosk: Fixtures.kiosk, site: Fixtures.site, jwk: fixtures.key.publicJWK, tokenHash: CollectorToken.hash(Fixtures.uploadToken))
        let configuration = CollectorConfiguration(
            host: "127.0.0.1", port: 0, surveysDirectory: fixtures.surveysDirectory.path)
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let app = buildApplication(
            configuration: configuration, storage: storage, surveys: fixtures.catalog, logger: logger,
            onListening: { port in
                listening.yield(port)
                listening.finish()
            })
        // The application is a swift-service-lifecycle service: cancelling the task shuts it down.
        let server = Task {
            defer { listening.finish() }
            try await app.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), let url = URL(string: "http://127.0.0.1:\(port)") else {
            server.cancel()
            throw BenchError("the in-process collector stopped before it listened")
        }
        return InProcessCollector(url: url, storage: storage, server: server)
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

    private init(url: URL, storage: SQLiteCollectorStorage, server: Task<Void, any Error>) {
        self.url = url
        self.storage = storage
        self.server = server
    }
}
