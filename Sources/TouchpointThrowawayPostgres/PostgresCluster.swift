import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A throwaway PostgreSQL cluster: a fresh temporary directory (data, log, socket) and a fresh port each time.
///
/// Tuned for tests, not for keeping data: `fsync`, `synchronous_commit` and `full_page_writes` are off, and it
/// trusts every connection from 127.0.0.1 (it listens nowhere else).
struct PostgresCluster: Sendable {
    /// The directory holding `data/`, `log`, the Unix socket and `owner.pid`.
    var directory: String
    /// The TCP port on 127.0.0.1.
    var port: Int
    var binaries: PostgresBinaries

    static let directoryPrefix = "touchpoint-postgres-"
    static let ownerFile = "owner.pid"

    var dataDirectory: String { directory + "/data" }
    var logFile: String { directory + "/log" }

    /// The `postgres` maintenance database, to create the others from.
    var maintenanceURL: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    /// The major version the cluster was made with (`data/PG_VERSION`).
    var version: String {
        let text = try? String(contentsOfFile: dataDirectory + "/PG_VERSION", encoding: .utf8)
        return text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
    }

    /// Makes and starts a cluster in a new directory under `base`, first stopping clusters that crashed runs left.
    static func start(binaries: PostgresBinaries, base: String) async throws -> PostgresCluster {
        await reapAbandoned(in: base, binaries: binaries)
        let directory = try makeDirectory(in: base, owner: binaries.asPostgres)
        var cluster = PostgresCluster(directory: directory, port: 0, binaries: binaries)
        do {
            let initdb = try await binaries.server(
                "initdb",
                ["-D", cluster.dataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]
            ).run()
            guard initdb.succeeded else {
                throw PostgresTestServerError(
                    .startFailed, "initdb failed (exit \(initdb.status)):\n\(tail(of: initdb.output))")
            }
            // A port that was free a moment ago can be taken by the time the server binds it: try a few.
            var lastFailure = ""
            for _ in 1...5 {
                guard let port = freePort() else {
                    throw PostgresTestServerError(.startFailed, "cannot find a free TCP port on 127.0.0.1")
                }
                cluster.port = port
                let options = [
                    "-p \(port)", "-k \(directory)", "-c listen_addresses=127.0.0.1",
                    "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
                    // Parallel tests each open a pool (up to 10 connections) and collector processes theirs: the
                    // default 100 ran out under load ("too many clients already").
                    "-c max_connections=500",
                ].joined(separator: " ")
                let start = try await binaries.server(
                    "pg_ctl", ["-D", cluster.dataDirectory, "-o", options, "-l", cluster.logFile, "-w", "-t", "120", "start"]
                ).run()
                if start.succeeded { return cluster }
                let log = (try? String(contentsOfFile: cluster.logFile, encoding: .utf8)) ?? ""
                lastFailure = "pg_ctl start on port \(port) failed (exit \(start.status)):\n\(tail(of: start.output))\n"
                    + "server log \(cluster.logFile):\n\(tail(of: log))"
                // A server that did not come up in time may still be starting: make sure it is gone.
                _ = try? await binaries.server("pg_ctl", ["-D", cluster.dataDirectory, "-m", "immediate", "stop"]).run()
                let portTaken = log.contains("Address already in use") || log.contains("could not bind")
                if !portTaken { break }
                try? FileManager.default.removeItem(atPath: cluster.logFile)
            }
            throw PostgresTestServerError(.startFailed, lastFailure)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Stops the server at once (no checkpoint: the data is thrown away) and deletes the directory; blocks.
    func stopAndRemove() {
        binaries.server("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"]).runBlocking()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops and deletes the clusters of test processes that died without their exit handler running
    /// (a crash, SIGKILL, Ctrl-C). A run never depends on this: each uses a fresh directory and port.
    static func reapAbandoned(in base: String, binaries: PostgresBinaries) async {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        for entry in entries where entry.hasPrefix(directoryPrefix) {
            let directory = base + "/" + entry
            guard let text = try? String(contentsOfFile: directory + "/" + ownerFile, encoding: .utf8),
                  let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            let abandoned = PostgresCluster(directory: directory, port: 0, binaries: binaries)
            if FileManager.default.fileExists(atPath: abandoned.dataDirectory + "/postmaster.pid") {
                _ = try? await binaries.server("pg_ctl", ["-D", abandoned.dataDirectory, "-m", "immediate", "-w", "stop"]).run()
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// A new `touchpoint-postgres-XXXXXX` directory recording our pid, owned by `postgres` when we are root.
    private static func makeDirectory(in base: String, owner: PostgresBinaries.RunAs?) throws -> String {
        var template = Array("\(base)/\(directoryPrefix)XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let directory = made else {
            throw PostgresTestServerError(
                .startFailed, "cannot create a temporary directory in \(base): \(String(cString: strerror(errno)))")
        }
        do {
            try "\(getpid())\n".write(toFile: directory + "/" + ownerFile, atomically: false, encoding: .utf8)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw PostgresTestServerError(.startFailed, "cannot write \(directory)/\(ownerFile)", cause: error)
        }
        if let owner, chown(directory, owner.uid, owner.gid) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: directory)
            throw PostgresTestServerError(.startFailed, "cannot give \(directory) to the postgres user: \(reason)")
        }
        return directory
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's pick for port 0).
    static func freePort() -> Int? {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { return nil }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The last lines of a command's output or a log, for error messages.
    static func tail(of text: String, lines: Int = 20) -> String {
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        return all.suffix(lines).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
