import Foundation
import GRDB
import Logging
import PostgresNIO
import Testing
import TouchpointCollector
import TouchpointCollectorPostgres
import TouchpointCollectorSQLite

/// The storage implementations the storage suites run against.
///
/// PostgreSQL runs when `TOUCHPOINT_TEST_POSTGRES_URL` names a database the tests may create databases from
/// (`postgres://postgres@127.0.0.1:5432/postgres`); without it only SQLite runs, except under `CI=true`, where
/// PostgreSQL is always listed and a missing server fails the tests instead of skipping them.
enum StorageBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The backends to test here.
    static var available: [StorageBackend] {
        let environment = ProcessInfo.processInfo.environment
        if environment["TOUCHPOINT_TEST_POSTGRES_URL"] != nil || environment["CI"] == "true" {
            return allCases
        }
        return [.sqlite]
    }

    /// Only PostgreSQL, where it is available (the multi-process race tests).
    static var postgresOnly: [StorageBackend] {
        available.filter { $0 == .postgres }
    }
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
    func open() async throws -> any TestStorage {
        switch backend {
        case .sqlite:
            return try SQLiteCollectorStorage(path: directory.appendingPathComponent("collector.sqlite").path, logger: quietLogger)
        case .postgres:
            guard let postgresURL else { throw TestPostgres.Unavailable() }
            return try await PostgresCollectorStorage(url: postgresURL, logger: quietLogger)
        }
    }
}

extension StorageLocation {
    /// Opens a storage, runs `body` with it and closes it (also when `body` throws).
    func withOpened<T>(_ body: (any TestStorage) async throws -> T) async throws -> T {
        let storage = try await open()
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

/// Fresh PostgreSQL databases on the server `TOUCHPOINT_TEST_POSTGRES_URL` names.
enum TestPostgres {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String {
            "no PostgreSQL server for the tests: set TOUCHPOINT_TEST_POSTGRES_URL=postgres://USER@HOST:PORT/DATABASE"
        }
    }

    /// The server's URL, from the environment.
    static func serverURL() throws -> PostgresDatabaseURL {
        guard let text = ProcessInfo.processInfo.environment["TOUCHPOINT_TEST_POSTGRES_URL"] else { throw Unavailable() }
        return try PostgresDatabaseURL(text)
    }

    /// Runs `sql` (no parameters) on the server's own database.
    static func administer(_ sql: String) async throws {
        let server = try serverURL()
        let configuration = PostgresConnection.Configuration(
            host: server.host, port: server.port, username: server.user, password: server.password,
            database: server.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: quietLogger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: quietLogger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Creates a database with a fresh name, gives `body` its URL, and drops it afterwards.
    static func withDatabase<T>(_ body: (String) async throws -> T) async throws -> T {
        var server = try serverURL()
        let name = "touchpoint_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await administer("CREATE DATABASE \(name)")
        server.database = name
        let url = "postgres://\(server.user)\(server.password.map { ":" + $0 } ?? "")@\(server.host):\(server.port)/\(name)"
        do {
            let result = try await body(url)
            try? await administer("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            return result
        } catch {
            try? await administer("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Runs `sql` on the database at `url` (to damage it behind the storage's back).
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
