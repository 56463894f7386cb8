import Foundation
import GRDB
import Logging
import PostgresNIO
import Testing
import TouchpointCollector
import TouchpointCollectorPostgres
import TouchpointCollectorSQLite
import TouchpointTesting

/// The storage implementations the storage suites run against.
///
/// PostgreSQL comes from ``PostgresTestServer`` (TouchpointTesting): a throwaway cluster started on first use,
/// or the server `TOUCHPOINT_TEST_POSTGRES_URL` names. Without one its test cases are skipped, except under
/// `CI=true`, where they fail.
enum StorageBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The backends to test.
    static var available: [StorageBackend] { allCases }

    /// Only PostgreSQL (the multi-process race tests and connection errors).
    static var postgresOnly: [StorageBackend] { [.postgres] }
}

/// What the storage suites need of a storage: the protocol, and the raw-row recomputations both storages
/// offer outside it.
protocol TestStorage: CollectorStorage {
    /// The report computed from raw rows only.
    func reportFromRawRows(_ query: ReportQuery) async throws -> Report
    /// The health inputs computed from raw rows only.
    func healthInputsFromRawRows(answersSince: Date?, recentSince: Date) async throws -> [String: HealthInputs]
}

extension SQLiteCollectorStorage: TestStorage {}
extension PostgresCollectorStorage: TestStorage {}

/// One fresh, empty database of a backend, which a test may open several times (a restart, or two processes).
struct StorageLocation: Sendable {
    /// The backend.
    var backend: StorageBackend
    /// A fresh temp directory (the SQLite file lives in it).
    var directory: URL
    /// The fresh PostgreSQL database's URL.
    var postgresURL: String?

    /// Opens a storage on the database (another connection pool, for PostgreSQL: another "process").
    func open(commentCipher: CommentCipher? = nil) async throws -> any TestStorage {
        switch backend {
        case .sqlite:
            return try SQLiteCollectorStorage(
                path: directory.appendingPathComponent("collector.sqlite").path, commentCipher: commentCipher, logger: quietLogger)
        case .postgres:
            guard let postgresURL else { throw TestPostgres.Unavailable() }
            return try await PostgresCollectorStorage(url: postgresURL, commentCipher: commentCipher, logger: quietLogger)
        }
    }
}

extension StorageLocation {
    /// Opens a storage, runs `body` with it and closes it (also when `body` throws).
    func withOpened<T>(commentCipher: CommentCipher? = nil, _ body: (any TestStorage) async throws -> T) async throws -> T {
        let storage = try await open(commentCipher: commentCipher)
        do {
            let result = try await body(storage)
            try? await storage.close()
            return result
        } catch {
            try? await storage.close()
            throw error
        }
    }

    /// Runs `sql` on the database behind the storage's back (to damage it).
    func execute(_ sql: String) async throws {
        switch backend {
        case .sqlite:
            let queue = try DatabaseQueue(path: directory.appendingPathComponent("collector.sqlite").path)
            try await queue.write { try $0.execute(sql: sql) }
            try queue.close()
        case .postgres:
            guard let postgresURL else { throw TestPostgres.Unavailable() }
            try await TestPostgres.execute(sql, on: postgresURL)
        }
    }
}

/// A fresh database of `backend` in a fresh temp directory, dropped after `body`.
func withStorageLocation<T>(_ backend: StorageBackend, _ body: (StorageLocation) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        switch backend {
        case .sqlite:
            return try await body(StorageLocation(backend: .sqlite, directory: directory))
        case .postgres:
            return try await TestPostgres.withDatabase { url in
                try await body(StorageLocation(backend: .postgres, directory: directory, postgresURL: url))
            }
        }
    }
}

/// A fresh storage of `backend` (SQLite unless told), closed after `body`; the URL is a fresh temp directory.
func withStorage<T>(_ backend: StorageBackend = .sqlite, _ body: (any TestStorage, URL) async throws -> T) async throws -> T {
    try await withStorageLocation(backend) { location in
        try await location.withOpened { storage in try await body(storage, location.directory) }
    }
}

/// Fresh PostgreSQL databases from ``PostgresTestServer``, dropped after use.
enum TestPostgres {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "no PostgreSQL database for this test" }
    }

    /// The server the test databases are made on (its maintenance database).
    static func serverURL() async throws -> PostgresDatabaseURL {
        try PostgresDatabaseURL(try await PostgresTestServer.serverDatabase().url)
    }

    /// A fresh database's URL for `body` (the test is skipped, or fails under CI, without a server); dropped afterwards.
    static func withDatabase<T>(_ body: (String) async throws -> T) async throws -> T {
        let database = try await PostgresTestServer.requireDatabase()
        let drop = "DROP DATABASE IF EXISTS \"\(database.name)\" WITH (FORCE)"
        do {
            let result = try await body(database.url)
            try? await execute(drop, on: try await PostgresTestServer.serverDatabase().url)
            return result
        } catch {
            try? await execute(drop, on: try await PostgresTestServer.serverDatabase().url)
            throw error
        }
    }

    /// Runs `sql` on the database at `url` (to damage it behind the storage's back, or to drop a test database).
    static func execute(_ sql: String, on url: String) async throws {
        let location = try PostgresDatabaseURL(url)
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 2, logger: quietLogger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: quietLogger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
