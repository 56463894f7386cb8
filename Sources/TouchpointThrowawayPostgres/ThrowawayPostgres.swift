import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real PostgreSQL server for the tests and the benchmark: one throwaway cluster per process, started on first use,
/// and a fresh, empty database for every caller. (The tests reach it through `PostgresTestServer` in
/// TouchpointTesting, which adds the skip-or-fail rule.)
///
/// The cluster lives in a new `touchpoint-postgres-XXXXXX` directory under `/tmp` (the temporary directory when not
/// root) on a port the kernel says is free, listens on 127.0.0.1 only and trusts the `postgres` role. As root it runs
/// as the `postgres` user (PostgreSQL refuses root). An exit handler stops it (`pg_ctl -m immediate stop`) and deletes
/// the directory; a cluster left by a run that crashed is stopped and deleted by the next run, and never gets in
/// its way (fresh directory, fresh port).
///
/// Environment:
/// - `TOUCHPOINT_TEST_POSTGRES_URL`: use that server (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB`, a role allowed to
///   create databases) instead of starting one. Databases made there are left behind, named `touchpoint_test_…`.
/// - `TOUCHPOINT_TEST_POSTGRES_BINDIR`: the directory with `initdb` and `pg_ctl`, when the default search
///   (`pg_config --bindir`, the highest `/usr/lib/postgresql/*/bin`, PATH) should not decide.
public enum ThrowawayPostgres {
    /// The environment variable naming an existing server to use instead of starting a cluster.
    public static let urlEnvironmentVariable = "TOUCHPOINT_TEST_POSTGRES_URL"
    /// The environment variable naming the directory of the server binaries, overriding the search.
    public static let binDirectoryEnvironmentVariable = "TOUCHPOINT_TEST_POSTGRES_BINDIR"

    /// Creates a fresh, empty database, starting the cluster first if this is the first call in the process.
    ///
    /// Safe to call concurrently: the cluster starts once, and each call gets its own database.
    /// - Throws: ``PostgresTestServerError``, the same start failure for every call once the start failed.
    public static func makeDatabase() async throws -> PostgresTestDatabase {
        let server = try await server.value
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let name = "touchpoint_test_\(suffix)"
        let created = try await ChildProcess(
            executable: server.createdb, arguments: ["--maintenance-db=\(server.maintenance.url)", name]
        ).run()
        guard created.succeeded else {
            throw PostgresTestServerError(
                .createDatabaseFailed,
                "createdb \(name) on \(server.maintenance) failed (exit \(created.status)): "
                    + PostgresCluster.tail(of: created.output))
        }
        return server.maintenance.with(name: name)
    }

    /// The maintenance database of the server the databases are made on (starting it if needed), e.g. to
    /// connect as a second client in a test about the server itself.
    public static func serverDatabase() async throws -> PostgresTestDatabase {
        try await server.value.maintenance
    }

    // MARK: - The one server per process

    /// Where databases are made: the maintenance database and the `createdb` to run against it.
    private struct Server: Sendable {
        var maintenance: PostgresTestDatabase
        var createdb: String
    }

    /// Started on first access (a `static let` is initialised once, thread-safely); every caller awaits the same
    /// task, so concurrent first uses start one cluster, and a failed start is reported to each caller.
    private static let server = Task<Server, any Error> {
        try await startOrConnect(environment: ProcessInfo.processInfo.environment)
    }

    /// The cluster to stop at exit.
    private static let running = NIOLockedValueBox<PostgresCluster?>(nil)

    private static func startOrConnect(environment: [String: String]) async throws -> Server {
        if let url = environment[urlEnvironmentVariable], !url.isEmpty {
            let maintenance = try PostgresTestDatabase(url: url)
            let binaries = try? await PostgresBinaries.find(environment: environment)
            let bundled = binaries.map { $0.directory + "/createdb" }
            guard let createdb = bundled.flatMap({ FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil })
                ?? PostgresBinaries.findOnPath("createdb", environment: environment)
            else {
                throw PostgresTestServerError(
                    .notInstalled, "\(urlEnvironmentVariable) is set but there is no createdb (postgresql-client) to use it")
            }
            return Server(maintenance: maintenance, createdb: createdb)
        }

        let started = ContinuousClock.now
        let binaries = try await PostgresBinaries.find(environment: environment)
        let base = geteuid() == 0 ? "/tmp" : FileManager.default.temporaryDirectory.path
        let cluster = try await PostgresCluster.start(binaries: binaries, base: base)
        running.withLockedValue { $0 = cluster }
        atexit { ThrowawayPostgres.stopAtExit() }
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        FileHandle.standardError.write(Data(
            ("ThrowawayPostgres: PostgreSQL \(cluster.version) on 127.0.0.1:\(cluster.port) (\(cluster.directory)), "
                + "started in \(String(format: "%.2f", seconds)) s\n").utf8))
        return Server(
            maintenance: try PostgresTestDatabase(url: cluster.maintenanceURL),
            createdb: binaries.directory + "/createdb")
    }

    private static func stopAtExit() {
        let cluster = running.withLockedValue { cluster in
            defer { cluster = nil }
            return cluster
        }
        cluster?.stopAndRemove()
    }
}
