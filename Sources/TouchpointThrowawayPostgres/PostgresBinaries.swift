import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where PostgreSQL's programs are, and how to run the server ones: directly, or as `postgres` when we are root
/// (the server refuses to run as root).
struct PostgresBinaries: Sendable {
    /// The directory holding `initdb`, `pg_ctl`, `postgres`, `createdb`.
    var directory: String
    /// `runuser` and the `postgres` account's ids, when running as root.
    var asPostgres: RunAs?

    /// How root runs the server's programs as the `postgres` user.
    struct RunAs: Sendable {
        var runuser: String
        var uid: uid_t
        var gid: gid_t
    }

    /// A server program (`initdb`, `pg_ctl`), run as `postgres` when we are root.
    func server(_ tool: String, _ arguments: [String]) -> ChildProcess {
        let path = directory + "/" + tool
        guard let asPostgres else { return ChildProcess(executable: path, arguments: arguments) }
        return ChildProcess(executable: asPostgres.runuser, arguments: ["-u", "postgres", "--", path] + arguments)
    }

    /// Finds the server binaries: `$TOUCHPOINT_TEST_POSTGRES_BINDIR`, else `pg_config --bindir`, else the highest
    /// `/usr/lib/postgresql/*/bin` (Debian's layout, not on PATH), else `initdb` on PATH.
    static func find(environment: [String: String]) async throws -> PostgresBinaries {
        var tried: [String] = []
        var candidates: [String] = []
        if let forced = environment[ThrowawayPostgres.binDirectoryEnvironmentVariable], !forced.isEmpty {
            candidates = [forced]
        } else {
            if let pgConfig = findOnPath("pg_config", environment: environment),
               let outcome = try? await ChildProcess(executable: pgConfig, arguments: ["--bindir"]).run(),
               outcome.succeeded {
                candidates.append(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            candidates += debianBinDirectories()
            if let initdb = findOnPath("initdb", environment: environment) {
                candidates.append((initdb as NSString).deletingLastPathComponent)
            }
        }
        for candidate in candidates {
            tried.append(candidate)
            let fileManager = FileManager.default
            if fileManager.isExecutableFile(atPath: candidate + "/initdb"),
               fileManager.isExecutableFile(atPath: candidate + "/pg_ctl") {
                return PostgresBinaries(directory: candidate, asPostgres: try runAsPostgresIfRoot())
            }
        }
        throw PostgresTestServerError(
            .notInstalled,
            "no PostgreSQL server binaries (initdb, pg_ctl) in \(tried.isEmpty ? "any known place" : tried.joined(separator: ", "))"
                + "; install them with scripts/install-deps (Debian's postgresql) or set "
                + "\(ThrowawayPostgres.urlEnvironmentVariable) to an existing server")
    }

    /// A program on PATH, e.g. `createdb` when the server binaries are not installed here.
    static func findOnPath(_ name: String, environment: [String: String]) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// `/usr/lib/postgresql/VERSION/bin`, highest version first.
    private static func debianBinDirectories() -> [String] {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions
            .sorted { (Double($0) ?? 0) > (Double($1) ?? 0) }
            .map { "\(root)/\($0)/bin" }
    }

    private static func runAsPostgresIfRoot() throws -> RunAs? {
        guard geteuid() == 0 else { return nil }
        guard let account = getpwnam("postgres") else {
            throw PostgresTestServerError(
                .notInstalled,
                "running as root, and PostgreSQL refuses root, but there is no postgres user to run it as "
                    + "(Debian's postgresql package creates one: scripts/install-deps)")
        }
        let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let runuser else {
            throw PostgresTestServerError(
                .notInstalled, "running as root, and PostgreSQL refuses root, but there is no runuser (util-linux) to drop to postgres")
        }
        return RunAs(runuser: runuser, uid: account.pointee.pw_uid, gid: account.pointee.pw_gid)
    }
}
