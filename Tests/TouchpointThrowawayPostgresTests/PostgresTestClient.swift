import Logging
import PostgresNIO
import TouchpointTesting
import TouchpointThrowawayPostgres

extension PostgresClient.Configuration {
    /// A client configuration for a test database: no TLS (the throwaway cluster has none) and a small pool.
    init(_ database: PostgresTestDatabase) {
        self.init(
            host: database.host, port: database.port, username: database.username, password: database.password,
            database: database.name, tls: .disable)
        options.maximumConnections = 4
    }
}

/// A test could not reach its database: where it tried, and what the driver said.
struct PostgresTestConnectionError: Error, CustomStringConvertible {
    var database: PostgresTestDatabase
    var cause: any Error

    var description: String {
        "cannot connect to PostgreSQL at \(database.host):\(database.port) (\(database)): \(String(reflecting: cause))"
    }
}

/// Runs `body` with a running `PostgresClient` (its pool) for `database`, and shuts the client down afterwards.
///
/// It opens one plain connection first: `PostgresClient`'s pool retries a connection that fails (refused, wrong
/// port) for 60 seconds before giving up with only `connectionCreationCircuitBreakerTripped`, which names neither
/// the host nor the reason; the direct connection fails at once and says both, wrapped here with the URL.
func withPostgresClient<Result: Sendable>(
    _ database: PostgresTestDatabase,
    _ body: (PostgresClient) async throws -> Result
) async throws -> Result {
    let logger = Logger(label: "touchpoint.tests.postgres")
    do {
        let probe = try await PostgresConnection.connect(
            configuration: .init(
                host: database.host, port: database.port, username: database.username, password: database.password,
                database: database.name, tls: .disable),
            id: 0, logger: logger)
        try await probe.close()
    } catch {
        throw PostgresTestConnectionError(database: database, cause: error)
    }
    // Without a background logger: with one, a query that races `run()` starting logs a warning that run() "hasn't
    // been called yet" although it has (the child task has not been scheduled yet); the query waits for it anyway.
    let client = PostgresClient(configuration: .init(database))
    return try await withThrowingDiscardingTaskGroup(returning: Result.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}
