import Foundation
import Testing
import TouchpointThrowawayPostgres

/// The tests' PostgreSQL server: ``ThrowawayPostgres`` (one throwaway cluster per test process, a fresh database per
/// caller; `TOUCHPOINT_TEST_POSTGRES_URL` names an existing server instead), with the rule for when there is none.
///
/// `CI=true`: ``requireDatabase(sourceLocation:)`` fails the test when there is no server instead of skipping it.
///
/// Why cancel rather than `.enabled(if:)`: whether the server starts is only known by trying, and a condition trait
/// would either start it while the tests are being listed or hide a broken setup in CI; `Test.cancel` reports the
/// test as skipped with the reason, after trying, and only where a missing server is acceptable.
public enum PostgresTestServer {
    /// A fresh, empty database for a test that needs PostgreSQL; without a server it fails in CI and skips elsewhere.
    ///
    /// When no server can be had (``PostgresTestServerError/meansNoServer``): with `CI=true` this throws the error, so
    /// the test fails with the reason (the server log's tail); otherwise it cancels the test with `Test.cancel`,
    /// which swift-testing reports as skipped, with the reason. Any other failure (a server that is there but cannot
    /// create a database) is thrown everywhere.
    public static func requireDatabase(
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> PostgresTestDatabase {
        do {
            return try await ThrowawayPostgres.makeDatabase()
        } catch let error as PostgresTestServerError where error.meansNoServer && !isCI {
            try Test.cancel(
                Comment(rawValue: "skipped, no PostgreSQL server (with CI=true this fails instead): \(error)"),
                sourceLocation: sourceLocation)
        }
    }

    /// A fresh, empty database (``ThrowawayPostgres/makeDatabase()``).
    public static func makeDatabase() async throws -> PostgresTestDatabase {
        try await ThrowawayPostgres.makeDatabase()
    }

    /// The maintenance database of the server (``ThrowawayPostgres/serverDatabase()``).
    public static func serverDatabase() async throws -> PostgresTestDatabase {
        try await ThrowawayPostgres.serverDatabase()
    }

    /// Whether this run is CI (`CI` is `true` or `1`), where a missing server fails tests instead of skipping them.
    public static var isCI: Bool {
        let value = ProcessInfo.processInfo.environment["CI"]?.lowercased()
        return value == "true" || value == "1"
    }
}
