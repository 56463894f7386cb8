import Foundation
import Hummingbird
import Logging
import TouchpointCollector
import TouchpointCollectorPostgres
import TouchpointCollectorServer
import TouchpointCollectorSQLite
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointThrowawayPostgres

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Section 5: several kiosks syncing at once into collector processes (this executable's `collector-child`, the
/// real `buildApplication` over a storage), one on SQLite beside one and two on one PostgreSQL database.
enum FleetBench {
    /// Kiosks syncing at once; with two collectors, every other kiosk sends to the second.
    static let kiosks = 4

    /// A storage the collector children open.
    enum Backend {
        case sqlite(path: String)
        case postgres(url: String)

        var childArguments: [String] {
            switch self {
            case .sqlite(let path): ["--sqlite", path]
            case .postgres(let url): ["--postgres", url]
            }
        }

        func open(logger: Logger) async throws -> any CollectorStorage {
            switch self {
            case .sqlite(let path): try SQLiteCollectorStorage(path: path, logger: logger)
            case .postgres(let url): try await PostgresCollectorStorage(url: url, logger: logger)
            }
        }
    }

    /// One configuration's outcome.
    struct Outcome {
        var responses: Int
        var seconds: Double
        var collectorCPU: Double
        var throughput: Double { Double(responses) / seconds }
    }

    static func run(fixtures: Fixtures, count: Int, in work: URL, logger: Logger) async throws {
        let perKiosk = max(count / kiosks, 1)
        say("5. Ingest from \(kiosks) kiosks syncing at once (\(perKiosk) responses each, batches of \(SyncBench.batchCount)) "
            + "into collector processes on 127.0.0.1")
        let width = 52
        let runs: [(String, Backend?, Int)] = [
            ("SQLite, 1 collector process", .sqlite(path: work.appendingPathComponent("fleet.sqlite").path), 1),
            ("PostgreSQL, 1 collector process", nil, 1),
            ("PostgreSQL, 2 collector processes, one database", nil, 2),
        ]
        var outcomes: [Outcome] = []
        for (label, given, processes) in runs {
            let backend: Backend
            if let given {
                backend = given
            } else {
                note("section 5: a fresh PostgreSQL database…")
                backend = .postgres(url: try await ThrowawayPostgres.makeDatabase().url)
            }
            let outcome = try await measure(
                backend, processes: processes, perKiosk: perKiosk, fixtures: fixtures, label: label,
                in: work.appendingPathComponent("fleet-\(outcomes.count)", isDirectory: true), logger: logger)
            outcomes.append(outcome)
            say("   " + pad(label, width) + "\(rate(outcome.throughput)) responses/s "
                + "(\(outcome.responses) in \(seconds(outcome.seconds)); collector CPU \(seconds(outcome.collectorCPU)))")
        }
        if let sqlite = outcomes.first, outcomes.count == 3 {
            say("   " + pad("PostgreSQL 1 process / SQLite", width) + String(format: "%.2f", outcomes[1].throughput / sqlite.throughput))
            say("   " + pad("PostgreSQL 2 processes / 1 process", width) + String(format: "%.2f", outcomes[2].throughput / outcomes[1].throughput))
        }
        say("   (kiosks, collectors and PostgreSQL share this machine's \(ProcessInfo.processInfo.activeProcessorCount) cores)")
    }

    /// Enrols the kiosks, writes their backlogs, starts `processes` collector children and times the syncs.
    static func measure(
        _ backend: Backend, processes: Int, perKiosk: Int, fixtures: Fixtures, label: String, in root: URL, logger: Logger
    ) async throws -> Outcome {
        note("section 5 (\(label)): enrolling \(kiosks) kiosks and writing their backlogs…")
        let fleet = (1...kiosks).map { fixtures.kiosk("bench-fleet-\($0)") }
        let storage = try await backend.open(logger: logger)
        for kiosk in fleet {
            _ = try await storage.enroll(
                kiosk: kiosk.kioskID, site: Fixtures.site, jwk: kiosk.key.publicJWK, tokenHash: CollectorToken.hash(Fixtures.uploadToken))
        }
        try await storage.close()
        var directories: [URL] = []
        for kiosk in fleet {
            let directory = root.appendingPathComponent(kiosk.kioskID, isDirectory: true)
            try await kiosk.recordInBulk(count: perKiosk, into: directory)
            directories.append(directory)
        }

        note("section 5 (\(label)): starting \(processes) collector process(es)…")
        var collectors: [CollectorChild] = []
        do {
            for index in 0..<processes {
                collectors.append(try await CollectorChild.start(
                    backend, surveys: fixtures.surveysDirectory, ready: root.appendingPathComponent("ready-\(index)")))
            }
        } catch {
            for collector in collectors { _ = try? await collector.stop() }
            throw error
        }

        note("section 5 (\(label)): syncing…")
        let start = nowNanoseconds()
        let stored: Int
        do {
            stored = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, kiosk) in fleet.enumerated() {
                    let url = collectors[index % collectors.count].url
                    let directory = directories[index]
                    group.addTask {
                        try await HTTPUploadTransport.withTransport(
                            configuration: .init(collectorURL: url, token: Fixtures.uploadToken), logger: logger
                        ) { transport in
                            let sync = ResponseSync(
                                responsesDirectory: directory, kiosk: kiosk.kioskID, transport: transport,
                                configuration: SyncConfiguration(batchCount: SyncBench.batchCount), logger: logger)
                            return try await sync.syncOnce().stored
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
        } catch {
            for collector in collectors { _ = try? await collector.stop() }
            throw error
        }
        let elapsed = secondsSince(start)
        var cpu = 0.0
        for collector in collectors {
            cpu += try await collector.stop().cpuSeconds
        }

        // Every response stored once, no gaps, as each kiosk sent them.
        let check = try await backend.open(logger: logger)
        var problems: [String] = []
        do {
            for kiosk in fleet {
                let record = try await check.kiosk(kiosk.kioskID)
                if record?.responseCount != perKiosk || record?.missingCount != 0 {
                    problems.append("\(kiosk.kioskID) has \(record?.responseCount ?? 0) of \(perKiosk) stored, "
                        + "\(record?.missingCount ?? 0) missing")
                }
            }
        } catch {
            try? await check.close()
            throw error
        }
        try await check.close()
        if stored != perKiosk * kiosks {
            problems.append("the syncs stored \(stored) of \(perKiosk * kiosks)")
        }
        guard problems.isEmpty else { throw BenchError("\(label): " + problems.joined(separator: "; ")) }
        return Outcome(responses: stored, seconds: elapsed, collectorCPU: cpu)
    }

    /// `touchpoint-bench collector-child (--sqlite PATH | --postgres URL) --surveys DIR --ready FILE`: the collector
    /// (`buildApplication`) on a free port of 127.0.0.1, which it writes to FILE; runs until SIGTERM.
    static func collectorChild(_ arguments: [String], logger: Logger) async throws {
        let values = try ChildArguments.parse(arguments, command: "collector-child")
        guard let surveys = values["surveys"], let ready = values["ready"] else {
            throw BenchError("collector-child needs --surveys and --ready")
        }
        let backend: Backend
        if let path = values["sqlite"] {
            backend = .sqlite(path: path)
        } else if let url = values["postgres"] {
            backend = .postgres(url: url)
        } else {
            throw BenchError("collector-child needs --sqlite PATH or --postgres URL")
        }
        let storage = try await backend.open(logger: logger)
        let surveysDirectory = URL(fileURLWithPath: surveys, isDirectory: true)
        let app = buildApplication(
            configuration: CollectorConfiguration(host: "127.0.0.1", port: 0, surveysDirectory: surveys),
            storage: storage, surveys: SurveyDirectory.load(surveysDirectory), logger: logger,
            onListening: { port in
                // Written whole, then renamed: the parent never reads half a number.
                let partial = ready + ".partial"
                try? Data("\(port)\n".utf8).write(to: URL(fileURLWithPath: partial))
                rename(partial, ready)
            })
        try await app.runService()
        try await storage.close()
    }
}

/// A collector child process: started, asked for its port, stopped with SIGTERM.
struct CollectorChild {
    let pid: pid_t
    let started: UInt64
    let url: URL

    static func start(_ backend: FleetBench.Backend, surveys: URL, ready: URL) async throws -> CollectorChild {
        try? FileManager.default.removeItem(at: ready)
        let started = nowNanoseconds()
        let pid = try ChildProcess.spawn(
            ["collector-child"] + backend.childArguments + ["--surveys", surveys.path, "--ready", ready.path])
        while secondsSince(started) < 60 {
            if let text = try? String(contentsOf: ready, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                let url = URL(string: "http://127.0.0.1:\(port)")
            {
                return CollectorChild(pid: pid, started: started, url: url)
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                throw BenchError("the collector child exited (status \(status)) before it listened")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(pid, SIGKILL)
        _ = try await ChildProcess.wait(pid, started: started)
        throw BenchError("the collector child did not listen within 60 s")
    }

    /// Stops the child gracefully and returns how it ended (its CPU time included).
    func stop() async throws -> ChildProcess.Outcome {
        kill(pid, SIGTERM)
        let outcome = try await ChildProcess.wait(pid, started: started)
        guard outcome.exitCode == 0 else { throw BenchError("the collector child exited with \(outcome.exitCode)") }
        return outcome
    }
}
