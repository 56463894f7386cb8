import Foundation
import PostgresNIO
import Testing
import TouchpointTesting
import TouchpointThrowawayPostgres

/// The throwaway PostgreSQL server the tests start themselves (TouchpointTesting's `PostgresTestServer`),
/// checked through a real client. Without a server these are skipped, except with CI=true, where they fail.
@Suite("PostgreSQL test server")
struct PostgresServerTests {
    @Test("a database it hands out answers SELECT 1 and keeps a row")
    func selectAndRoundTrip() async throws {
        let database = try await PostgresTestServer.requireDatabase()
        #expect(database.url.hasPrefix("postgres://"))
        #expect(database.url.hasSuffix("/\(database.name)"))

        let (one, row) = try await withPostgresClient(database) { client in
            var one: Int?
            for try await value in try await client.query("SELECT 1").decode(Int.self) {
                one = value
            }
            try await client.query("CREATE TABLE answer (id integer PRIMARY KEY, comment text NOT NULL)")
            let comment = "Snabb leverans, trevlig personal"
            try await client.query("INSERT INTO answer (id, comment) VALUES (\(7), \(comment))")
            var row: (Int, String)?
            for try await (id, text) in try await client.query("SELECT id, comment FROM answer").decode((Int, String).self) {
                row = (id, text)
            }
            return (one, row)
        }
        #expect(one == 1)
        #expect(row?.0 == 7)
        #expect(row?.1 == "Snabb leverans, trevlig personal")
    }

    @Test("two databases are isolated from each other")
    func databasesAreIsolated() async throws {
        let first = try await PostgresTestServer.requireDatabase()
        let second = try await PostgresTestServer.requireDatabase()
        #expect(first.name != second.name)
        #expect(first.port == second.port)

        try await withPostgresClient(first) { client in
            try await client.query("CREATE TABLE only_here (n integer)")
            try await client.query("INSERT INTO only_here VALUES (1)")
        }
        let tablesInSecond = try await withPostgresClient(second) { client in
            var count: Int?
            let rows = try await client.query(
                "SELECT count(*)::integer FROM information_schema.tables WHERE table_name = 'only_here'")
            for try await value in rows.decode(Int.self) { count = value }
            return count
        }
        #expect(tablesInSecond == 0)
    }

    @Test("databases can be asked for concurrently; each is new")
    func concurrentDatabases() async throws {
        _ = try await PostgresTestServer.requireDatabase()
        let names = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<6 {
                group.addTask { try await PostgresTestServer.makeDatabase().name }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(names).count == 6)
        let serverNames = try await withPostgresClient(PostgresTestServer.serverDatabase()) { client in
            var found: Set<String> = []
            for try await name in try await client.query("SELECT datname FROM pg_database").decode(String.self) {
                found.insert(name)
            }
            return found
        }
        #expect(Set(names).isSubset(of: serverNames))
    }

    @Test("a wrong port fails with an error that names the host and port")
    func wrongPortNamesWhere() async throws {
        let database = try await PostgresTestServer.requireDatabase()
        // Port 1 (tcpmux) has no listener here: the connection is refused.
        let wrong = database.with(port: 1)
        let error = await #expect(throws: PostgresTestConnectionError.self) {
            try await withPostgresClient(wrong) { client in
                _ = try await client.query("SELECT 1")
            }
        }
        let message = error.map { String(describing: $0) } ?? ""

        #expect(message.contains("127.0.0.1:1 "), "\(message)")
        #expect(message.contains(wrong.name), "\(message)")
    }
}
