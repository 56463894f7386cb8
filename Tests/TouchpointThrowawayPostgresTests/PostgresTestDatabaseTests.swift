import Testing
import TouchpointTesting
import TouchpointThrowawayPostgres

/// How `PostgresTestDatabase` reads the URLs it hands out and the one in TOUCHPOINT_TEST_POSTGRES_URL (no server).
@Suite("PostgreSQL test database URLs")
struct PostgresTestDatabaseTests {
    @Test("a throwaway cluster's URL: trusted postgres role, no password")
    func clusterURL() throws {
        let database = try PostgresTestDatabase(url: "postgres://postgres@127.0.0.1:54123/touchpoint_test_ab12")
        #expect(database.host == "127.0.0.1")
        #expect(database.port == 54123)
        #expect(database.username == "postgres")
        #expect(database.password == nil)
        #expect(database.name == "touchpoint_test_ab12")
    }

    @Test("an existing server's URL: password kept for the client, hidden in messages; port defaults to 5432")
    func existingServerURL() throws {
        let database = try PostgresTestDatabase(url: "postgresql://ci:s%40cret@db.example:5432/postgres")
        #expect(database.username == "ci")
        #expect(database.password == "s@cret")
        #expect(database.port == 5432)
        #expect(!database.description.contains("cret"))
        #expect(try PostgresTestDatabase(url: "postgres://ci@db.example/x").port == 5432)
    }

    @Test("another database or port on the same server")
    func withNameAndPort() throws {
        let database = try PostgresTestDatabase(url: "postgres://ci:pw@127.0.0.1:5433/postgres")
        let other = database.with(name: "touchpoint_test_1", port: 6000)
        #expect(other.url == "postgres://ci:pw@127.0.0.1:6000/touchpoint_test_1")
        #expect(other.password == "pw")
        #expect(database.with(name: "b").port == 5433)
    }

    @Test("not a postgres URL", arguments: ["", "127.0.0.1:5432", "http://127.0.0.1/x", "postgres:///x"])
    func invalid(url: String) {
        #expect(throws: PostgresTestServerError.self) { try PostgresTestDatabase(url: url) }
    }
}
