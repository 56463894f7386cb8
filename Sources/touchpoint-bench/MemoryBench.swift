import Foundation
import Logging
import TouchpointStore
import TouchpointSync

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Section 3: the peak memory of a sync over a large backlog, measured on a child process.
enum MemoryBench {
    /// Issue 12's ceiling for the sync child's peak RSS: 64 MiB.
    static let peakGoalKiB = 64.0 * 1024
    /// Issue 12's floor for the sync child's throughput, responses per second.
    static let rateGoal = 5000.0

    static func run(fixtures: Fixtures, count: Int, in work: URL, logger: Logger) async throws {
        let root = work.appendingPathComponent("memory-kiosk", isDirectory: true)
        note("section 3: writing \(count) pending files…")
        let start = nowNanoseconds()
        try await fixtures.recordInBulk(count: count, into: root)
        let generation = secondsSince(start)

        let collector = try await InProcessCollector.start(
            database: work.appendingPathComponent("memory-collector.sqlite"), fixtures: fixtures, logger: logger)
        note("section 3: idle child…")
        let idleFile = work.appendingPathComponent("idle-child.json")
        let idle = try await ChildProcess.run(["idle-child", "--result", idleFile.path])
        note("section 3: syncing \(count) files in a child process…")
        let resultFile = work.appendingPathComponent("sync-child.json")
        let collectorCPUBefore = processCPUSeconds()
        let child = try await ChildProcess.run(SyncChildOptions(
            directory: root.path, url: collector.url.absoluteString, kiosk: Fixtures.kiosk, result: resultFile.path
        ).arguments)
        let collectorCPU = processCPUSeconds() - collectorCPUBefore
        let held = try await collector.stored()
        try await collector.stop()
        guard idle.exitCode == 0, child.exitCode == 0 else {
            throw BenchError("child failed: idle exit \(idle.exitCode), sync exit \(child.exitCode)")
        }
        let result = try JSONDecoder().decode(SyncChildResult.self, from: Data(contentsOf: resultFile))
        let idleResult = try JSONDecoder().decode(IdleChildResult.self, from: Data(contentsOf: idleFile))
        guard result.stored == count, held.count == count, held.missing == 0 else {
            throw BenchError("the child's sync did not deliver everything: \(result); the collector holds \(held.count)")
        }

        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        let width = 52
        say("3. Peak memory of a sync over \(count) pending files (ResponseSync in a child process, collector in this one)")
        say("   " + pad("backlog written (signed on all cores, one sync(2))", width) + "\(count) files in \(seconds(generation))")
        say("   " + pad("sync child: peak RSS (VmHWM)", width) + mebibytes(kibibytes: result.vmHWMKiB ?? 0))
        say("   " + pad("sync child: wall time, throughput", width)
            + "\(seconds(child.wallSeconds)), \(rate(Double(count) / child.wallSeconds)) responses/s"
            + " (\(result.stored) stored in \(result.batches) batches; CPU \(seconds(child.cpuSeconds)))")
        say("   " + pad("CPU per response: sync child, collector", width)
            + String(format: "%.0f µs, %.0f µs", child.cpuSeconds / Double(count) * 1e6, collectorCPU / Double(count) * 1e6)
            + SyncBench.busy((child.cpuSeconds + collectorCPU) / child.wallSeconds))
        say("   " + pad("idle child (same binary, exits at once): VmHWM", width) + mebibytes(kibibytes: idleResult.vmHWMKiB ?? 0))
        say("   " + pad("this process (collector + earlier sections): VmHWM", width)
            + mebibytes(kibibytes: selfStatusKiB("VmHWM") ?? Int(usage.ru_maxrss)))
        // Issue 12's goals for a 100,000-file backlog: peak RSS under 64 MiB, at least 5,000 responses/s.
        let peakKiB = Double(max(result.vmHWMKiB ?? 0, 1))
        say("   " + pad("64 MiB / sync child's peak RSS", width) + SyncBench.ratio(Self.peakGoalKiB / peakKiB, goal: 1))
        say("   " + pad("sync child's responses/s / 5,000", width)
            + SyncBench.ratio(Double(count) / child.wallSeconds / Self.rateGoal, goal: 1))
    }

    /// `touchpoint-bench idle-child --result FILE`: writes its own peak RSS and exits.
    static func idleChild(_ arguments: [String]) throws {
        guard arguments.count == 2, arguments[0] == "--result" else { throw BenchError("idle-child needs --result FILE") }
        try JSONEncoder().encode(IdleChildResult(vmHWMKiB: selfStatusKiB("VmHWM")))
            .write(to: URL(fileURLWithPath: arguments[1]))
    }

    /// `touchpoint-bench sync-child …`: one `syncOnce` of `--dir` to `--url`; writes a `SyncChildResult`.
    static func syncChild(_ options: SyncChildOptions, logger: Logger) async throws {
        guard let url = URL(string: options.url) else { throw BenchError("bad --url \(options.url)") }
        let (summary, elapsed) = try await HTTPUploadTransport.withTransport(
            configuration: .init(collectorURL: url, token: Fixtures.uploadToken), logger: logger
        ) { transport in
            let sync = ResponseSync(
                responsesDirectory: URL(fileURLWithPath: options.directory, isDirectory: true), kiosk: options.kiosk,
                transport: transport, configuration: SyncConfiguration(batchCount: SyncBench.batchCount), logger: logger)
            let start = nowNanoseconds()
            let summary = try await sync.syncOnce()
            return (summary, secondsSince(start))
        }
        let result = SyncChildResult(
            stored: summary.stored, duplicate: summary.duplicate, rejected: summary.rejected, deferred: summary.deferred,
            batches: summary.batches, syncSeconds: elapsed, vmHWMKiB: selfStatusKiB("VmHWM"))
        try JSONEncoder().encode(result).write(to: URL(fileURLWithPath: options.result))
    }
}

/// What the idle child reports back. (Its `ru_maxrss` is no use: posix_spawn's vfork-style exec carries the
/// parent's RSS high-water mark into the child's, so the child reports `/proc/self/status` VmHWM itself.)
struct IdleChildResult: Codable {
    var vmHWMKiB: Int?
}

/// What the sync child reports back.
struct SyncChildResult: Codable, CustomStringConvertible {
    var stored: Int
    var duplicate: Int
    var rejected: Int
    var deferred: Int
    var batches: Int
    var syncSeconds: Double
    var vmHWMKiB: Int?

    var description: String {
        "\(stored) stored, \(duplicate) duplicate, \(rejected) rejected, \(deferred) deferred in \(batches) batches"
    }
}

/// This executable run again with other arguments, waited for with `wait4` to read its own rusage.
enum ChildProcess {
    struct Outcome {
        var exitCode: Int32
        /// Includes the parent's RSS at the spawn (see ``IdleChildResult``); not the child's own peak.
        var maxRSSKiB: Int
        var wallSeconds: Double
        var cpuSeconds: Double
    }

    /// Runs this executable with `arguments` and waits for it.
    static func run(_ arguments: [String]) async throws -> Outcome {
        let start = nowNanoseconds()
        return try await wait(try spawn(arguments), started: start)
    }

    /// Starts this executable with `arguments`.
    static func spawn(_ arguments: [String]) throws -> pid_t {
        let path = executablePath()
        let argv = ([path] + arguments).map { strdup($0) }
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = (argv + [nil]).withUnsafeBufferPointer { argvPointer in
            (envp + [nil]).withUnsafeBufferPointer { envpPointer in
                posix_spawn(&pid, path, nil, nil, argvPointer.baseAddress!, envpPointer.baseAddress!)
            }
        }
        guard spawned == 0 else { throw BenchError.system("posix_spawn", path, errno: spawned) }
        return pid
    }

    /// Waits for child `pid` (started at `start`, from ``nowNanoseconds()``) and reads its rusage.
    static func wait(_ pid: pid_t, started start: UInt64) async throws -> Outcome {
        // Poll rather than block: a blocked cooperative thread would take a core from the collector.
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let waited = wait4(pid, &status, WNOHANG, &usage)
            if waited == pid { break }
            if waited < 0 && errno != EINTR { throw BenchError.system("wait4", "child \(pid)") }
            try await Task.sleep(for: .milliseconds(5))
        }
        let wall = secondsSince(start)
        let exited = status & 0x7F == 0
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return Outcome(
            exitCode: exited ? (status >> 8) & 0xFF : -1, maxRSSKiB: Int(usage.ru_maxrss), wallSeconds: wall, cpuSeconds: cpu)
    }
}
