// touchpoint-bench: prints the figures of the README's "Speed" section.
//
//   swift run -c release touchpoint-bench [--quick]
//   (or: swift build -c release --product touchpoint-bench && .build/release/touchpoint-bench [--quick])
//
// 1. the kiosk's commit latency beside a bare durable write of the same bytes;
// 2. sync + ingest of a backlog over HTTP to the real collector, beside the bare verify rate;
// 3. the peak memory of a sync over a large backlog, measured on a child process;
// 4. report latency over 1M generated responses, from aggregates and from raw rows (`--only reports`);
// 5. ingest from several kiosks into one collector process on SQLite, one and two on PostgreSQL (`--only postgres`);
// 6. report latency over 1M generated responses on PostgreSQL.
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return BenchLogHandler(inner: handler)
}
let logger = Logger(label: "touchpoint.bench")

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "idle-child":
        // The same binary doing nothing: only report the memory it took to start.
        try MemoryBench.idleChild(Array(arguments.dropFirst()))
        exit(0)
    case "collector-child":
        try await FleetBench.collectorChild(Array(arguments.dropFirst()), logger: logger)
        exit(0)
    case "verify-profile":
        try await VerifyProfile.run(Array(arguments.dropFirst()))
        exit(0)
    case "ingest-profile":
        try await IngestProfile.run(Array(arguments.dropFirst()), logger: logger)
        exit(0)
    case "cache-child":
        try CacheChild.run(Array(arguments.dropFirst()))
        exit(0)
    case "sync-child":
        try await MemoryBench.syncChild(SyncChildOptions.parse(Array(arguments.dropFirst())), logger: logger)
        exit(0)
    default:
        try await Bench.run(BenchOptions.parse(arguments), logger: logger)
    }
} catch {
    FileHandle.standardError.write(Data("touchpoint-bench: \(error)\n".utf8))
    exit(1)
}

enum Bench {
    static func run(_ options: BenchOptions, logger: Logger) async throws {
        let fixtures = try Fixtures(surveys: options.surveys)
        let work = try Machine.makeWorkDirectory(options.workDirectory)
        defer {
            if options.keep {
                note("kept \(work.path)")
            } else {
                note("removing \(work.path)…")
                try? FileManager.default.removeItem(at: work)
            }
        }
        let started = nowNanoseconds()
        for line in Machine.header(options: options, workDirectory: work) { say(line) }
        if Machine.buildConfiguration != "release" {
            say("WARNING: a debug build; crypto is ~10× slower. Build with -c release for real figures.")
        }
        say()
        switch options.only {
        case "reports":
            try await ReportBench.run(count: options.reportCount, in: work, logger: logger)
            return
        case "postgres":
            try await postgres(options, fixtures: fixtures, in: work, logger: logger)
            return
        default:
            break
        }
        note("section 1: \(options.commits) commits…")
        try CommitBench.run(fixtures: fixtures, count: options.commits, in: work)
        say()
        try await SyncBench.run(fixtures: fixtures, count: options.syncCount, in: work, logger: logger)
        say()
        try await MemoryBench.run(fixtures: fixtures, count: options.memoryCount, in: work, logger: logger)
        say()
        try await ReportBench.run(count: options.reportCount, in: work, logger: logger)
        say()
        try await postgres(options, fixtures: fixtures, in: work, logger: logger)
        say()
        say("total run time \(seconds(secondsSince(started)))")
    }
}

extension Bench {
    /// Sections 5 and 6, on a fresh PostgreSQL database each.
    static func postgres(_ options: BenchOptions, fixtures: Fixtures, in work: URL, logger: Logger) async throws {
        try await FleetBench.run(fixtures: fixtures, count: options.fleetCount, in: work, logger: logger)
        say()
        try await ReportBench.runPostgres(count: options.reportCount, logger: logger)
    }
}

/// Warnings and errors to standard error, except the one Hummingbird logs when the benchmark stops its
/// in-process collector by cancelling it (that is how the benchmark shuts it down, not a failure).
struct BenchLogHandler: LogHandler {
    var inner: StreamLogHandler

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        if event.message.description.hasPrefix("Waiting on child channel: CancellationError") { return }
        inner.log(event: event)
    }
}
