import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TouchpointKiosk
import TouchpointSync

/// `touchpoint sync`: uploads buffered responses to the collector.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Upload responses/pending/ to the collector in batches (stored/duplicate → sent/, rejected → rejected/).")

    @OptionGroup var options: ConfigOptions

    @Flag(name: .long, help: "Drain pending/ once and exit with a summary (the default).")
    var once = false

    @Flag(name: .long, help: "Keep running: probe the collector and drain as soon as it is reachable.")
    var watch = false

    @Option(name: .long, help: "Responses per batch (default 200).")
    var batchCount: Int?

    @Option(name: .long, help: "Bytes per batch (default 2 MiB).")
    var batchBytes: Int?

    @Option(name: .long, help: "Days to keep files in sent/ (default: keepSentDays in touchpoint.yaml, else 30).")
    var keepSentDays: Int?

    @Option(name: .long, help: "Days to keep files in rejected/, at most 90 (default: keepRejectedDays in touchpoint.yaml, else 30).")
    var keepRejectedDays: Int?

    func validate() throws {
        if once && watch { throw ValidationError("choose --once or --watch, not both") }
        if let keepSentDays, keepSentDays < 0 { throw ValidationError("--keep-sent-days must be 0 or more") }
        if let keepRejectedDays, !(1...SyncConfiguration.maximumRejectedDays).contains(keepRejectedDays) {
            throw ValidationError("--keep-rejected-days must be from 1 to \(SyncConfiguration.maximumRejectedDays): rejected responses hold answers that never reach the collector")
        }
    }

    func run() async throws {
        try options.bootstrapLogging()
        let configuration = try options.load()
        let logger = Logger(label: "touchpoint.sync")
        guard let collector = configuration.collector, let url = URL(string: collector) else {
            throw ValidationError("no collector configured: pass --collector URL or set collector: in touchpoint.yaml")
        }
        var syncConfiguration = SyncConfiguration()
        if let batchCount { syncConfiguration.batchCount = batchCount }
        if let batchBytes { syncConfiguration.batchBytes = batchBytes }
        syncConfiguration.sentRetentionDays = keepSentDays ?? configuration.keepSentDays
        syncConfiguration.rejectedRetentionDays = keepRejectedDays ?? configuration.keepRejectedDays
        let transportConfiguration = try configuration.uploadTransportConfiguration(collectorURL: url)
        let responses = URL(fileURLWithPath: configuration.responsesDirectory, isDirectory: true)
        let progress = ProgressLine()
        try await HTTPUploadTransport.withTransport(configuration: transportConfiguration, logger: logger) { transport in
            let sync = ResponseSync(responsesDirectory: responses, kiosk: configuration.kiosk, transport: transport,
                                    configuration: syncConfiguration, logger: logger)
            if watch {
                FileHandle.standardOutput.write(Data(
                    "Watching \(configuration.responsesDirectory)/pending/ → \(collector) (Ctrl-C to stop)\n".utf8))
                let service = SyncService(sync: sync, logger: logger, progress: { progress.show($0) })
                let group = ServiceGroup(configuration: .init(
                    services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
                try await group.run()
                return
            }
            do {
                let summary = try await sync.syncOnce(progress: { progress.show($0) })
                progress.finish()
                FileHandle.standardOutput.write(Data("\(summary)\n".utf8))
                try? sync.pruneKept(now: Date())
            } catch {
                progress.finish()
                FileHandle.standardError.write(Data("sync failed: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

extension KioskConfiguration {
    /// The upload transport's configuration for `collectorURL`: the token, and the `collectorCA` read now, so
    /// that a missing or unreadable CA file stops the command at once with a message saying which file (the
    /// transport itself refuses a CA with an `http://` URL).
    func uploadTransportConfiguration(collectorURL: URL) throws -> HTTPUploadTransport.Configuration {
        var transport = HTTPUploadTransport.Configuration(collectorURL: collectorURL, token: try uploadToken())
        if let collectorCA {
            do {
                transport.collectorCA = try CollectorCA(pemFile: collectorCA)
            } catch let error as SyncError {
                throw ValidationError(error.description)
            }
        }
        return transport
    }
}

extension KioskConfiguration {
    /// The upload token: `collectorToken`, or the one line of `collectorTokenFile` (which only its owner may read).
    func uploadToken() throws -> String? {
        guard let file = collectorTokenFile else { return collectorToken }
        guard collectorToken == nil else {
            throw ValidationError("give the upload token once: collectorToken or collectorTokenFile, not both")
        }
        var status = stat()
        guard stat(file, &status) == 0 else { throw ValidationError("collectorTokenFile: there is no file \(file)") }
        guard status.st_mode & 0o077 == 0 else {
            throw ValidationError(
                "collectorTokenFile: \(file) can be read by others (mode \(String(status.st_mode & 0o777, radix: 8))); run chmod 600 \(file)")
        }
        let token = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else {
            throw ValidationError("collectorTokenFile: \(file) does not hold one token")
        }
        return token
    }
}

/// Sync progress: a bar redrawn in place on a terminal, plain lines otherwise.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal = isatty(STDOUT_FILENO) != 0
    private var drawn = false

    func show(_ progress: SyncProgress) {
        guard progress.total > 0 else { return }
        lock.withLock {
            let text = "\(progress.handled)/\(progress.total) responses, \(progress.batches) batch(es), \(progress.bytes / 1024) KiB"
            if isTerminal {
                let width = 30
                let filled = Int((progress.fraction * Double(width)).rounded(.down))
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: max(0, width - filled))
                FileHandle.standardOutput.write(Data("\r[\(bar)] \(text)".utf8))
                drawn = true
            } else {
                FileHandle.standardOutput.write(Data("sent \(text)\n".utf8))
            }
        }
    }

    func finish() {
        lock.withLock {
            if drawn { FileHandle.standardOutput.write(Data("\n".utf8)) }
            drawn = false
        }
    }
}
