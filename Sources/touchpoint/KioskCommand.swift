import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import TouchpointCore
import TouchpointKiosk
import TouchpointStore
import TouchpointSync

/// `touchpoint kiosk`: the staff REPL and customer sessions.
struct KioskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk",
        abstract: "Run the kiosk: staff commands, customer surveys, responses signed into responses/pending/.")

    @OptionGroup var options: ConfigOptions

    @Flag(name: .long, help: "Check the configuration and the surveys, show what the kiosk would run with, and exit (1 if anything needs fixing).")
    var check = false

    func run() throws {
        try options.bootstrapLogging()
        let configuration = try options.load()
        if check {
            let surveys = SurveyDirectory.load(URL(fileURLWithPath: configuration.surveysDirectory, isDirectory: true))
            let report = KioskCheck.report(configuration: configuration, configFile: options.configFile, catalog: surveys)
            print(report.text)
            if !report.ok { throw ExitCode(1) }
            return
        }
        let onTerminal = isatty(STDIN_FILENO) != 0
        if onTerminal { try KioskCrashReports.takeOver(logDirectory: configuration.logDirectory) }
        let logger = Logger(label: "touchpoint.kiosk")
        TerminalSignals.install()
        let (key, created) = try KeyFile.loadOrCreate(at: URL(fileURLWithPath: configuration.keyFile))
        if created {
            FileHandle.standardOutput.write(Data("Created this kiosk's signing key \(key.keyID) in \(configuration.keyFile) (mode 0600).\n".utf8))
        }
        let responses = URL(fileURLWithPath: configuration.responsesDirectory, isDirectory: true)
        // One kiosk per responses directory: two would hand out the same sequence numbers. The lock comes before
        // the store opens, since opening may rewrite the counter a running kiosk writes in place.
        try DirectoryPermissions.prepare(responses, mode: FileResponseStore.directoryMode, holding: "responses")
        let lock = open(responses.appendingPathComponent("kiosk.lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            throw ValidationError("another kiosk is already running on \(configuration.responsesDirectory)/ (kiosk.lock is held)")
        }
        defer { close(lock) }
        let store = try FileResponseStore(root: responses, key: key)
        let surveys = URL(fileURLWithPath: configuration.surveysDirectory, isDirectory: true)
        let console: any Console = isatty(STDIN_FILENO) != 0
            ? ReadlineConsole(historyFile: URL(fileURLWithPath: configuration.historyFile))
            : ScriptConsole()
        let sources = Kiosk.Sources(
            loadSurveys: { SurveyDirectory.load(surveys) },
            digest: { try SurveyDigest.digest(of: $0) },
            bufferedResponses: {
                try [store.pendingDirectory, store.sentDirectory].flatMap { directory in
                    try ResponseFile.scan(directory).compactMap { ResponseFile.read($0, key: nil).response }
                }
            })
        let background = try BackgroundSyncRunner.start(configuration: configuration, responses: responses, logger: logger)
        let kiosk = Kiosk(configuration: configuration, console: console, store: store, keyID: key.keyID,
                          sources: sources, sync: background?.service, fleet: background?.config,
                          flagSettings: options.flagSettings, logger: logger)
        // On a terminal, log lines and crash reports go to files: the screen belongs to the customer.
        if onTerminal { try KioskCrashReports.redirectStandardError(logDirectory: configuration.logDirectory) }
        let status = kiosk.run()
        background?.stop()
        do {
            // Lets the next start trust the counter even after a machine restart; a kill skips this safely.
            try store.close()
        } catch {
            logger.error("cannot close the sequence counter; the next start recovers it", metadata: ["error": "\(error)"])
        }
        if status != 0 { throw ExitCode(status) }
    }
}

/// Keeping crashes and log lines off the customer's screen.
enum KioskCrashReports {
    /// Makes sure Swift's backtracer never takes over the terminal: unless `SWIFT_BACKTRACE` is set
    /// already, sets it to write crash reports into `logDirectory` without interaction, and starts the
    /// kiosk again with it (the runtime reads it only at start).
    static func takeOver(logDirectory: String) throws {
        guard getenv("SWIFT_BACKTRACE") == nil else { return }
        let directory = try createLogDirectory(logDirectory)
        setenv("SWIFT_BACKTRACE", "enable=yes,interactive=no,color=no,output-to=\(directory.path)", 1)
        // Exec the binary by its real path (so the process keeps its name), with the same arguments.
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        execv(executable, CommandLine.unsafeArgv)
        // Only reached if exec failed: run on, with the runtime's defaults.
        unsetenv("SWIFT_BACKTRACE")
    }

    /// Appends standard error (the log, and any runtime message) to `logDirectory/kiosk.log` (0600).
    static func redirectStandardError(logDirectory: String) throws {
        let file = try createLogDirectory(logDirectory).appendingPathComponent("kiosk.log")
        let fd = open(file.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot open the kiosk log \(file.path): \(String(cString: strerror(errno)))") }
        dup2(fd, STDERR_FILENO)
        close(fd)
    }

    private static func createLogDirectory(_ path: String) throws -> URL {
        let directory = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw ValidationError("cannot create the log directory \(path): \(error.localizedDescription)")
        }
        return directory
    }
}

/// The kiosk's background sync: a ``SyncService`` in a `ServiceGroup`, running beside the REPL when a
/// collector is configured, and shut down gracefully when the kiosk quits.
final class BackgroundSyncRunner: Sendable {
    let service: SyncService
    /// The collector's configuration, fetched in each sync cycle and installed in the survey cache.
    let config: KioskConfigSync
    private let group: ServiceGroup
    private let client: HTTPClient
    private let finished = DispatchSemaphore(value: 0)

    private init(service: SyncService, config: KioskConfigSync, group: ServiceGroup, client: HTTPClient) {
        self.service = service
        self.config = config
        self.group = group
        self.client = client
    }

    /// Starts syncing in the background, or returns nil when no collector is configured.
    static func start(configuration: KioskConfiguration, responses: URL, logger: Logger) throws -> BackgroundSyncRunner? {
        guard let collector = configuration.collector, let url = URL(string: collector) else { return nil }
        let transportConfiguration = try configuration.uploadTransportConfiguration(collectorURL: url)
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: HTTPUploadTransport.clientConfiguration(for: transportConfiguration))
        let transport = try HTTPUploadTransport(configuration: transportConfiguration, client: client, logger: logger)
        let pending = responses.appendingPathComponent("pending", isDirectory: true)
        let config = KioskConfigSync(
            cache: SurveyCache(directory: URL(fileURLWithPath: configuration.surveyCacheDirectory, isDirectory: true)),
            kiosk: configuration.kiosk, site: configuration.site, touchpoint: configuration.touchpoint, transport: transport,
            logger: logger,
            keeping: {
                // The survey versions pending responses refer to stay in the cache.
                Set(((try? ResponseFile.scan(pending)) ?? []).compactMap { ResponseFile.read($0, key: nil).response?.survey })
            })
        let defaults = configuration.unconfiguredIdentity
        var syncConfiguration = SyncConfiguration()
        syncConfiguration.sentRetentionDays = configuration.keepSentDays
        syncConfiguration.rejectedRetentionDays = configuration.keepRejectedDays
        let sync = ResponseSync(
            responsesDirectory: responses, kiosk: configuration.kiosk, transport: transport, configuration: syncConfiguration, logger: logger,
            annotateHealth: { health in
                config.annotate(&health)
                health.defaults = defaults.isEmpty ? nil : defaults
            })
        let service = SyncService(sync: sync, logger: logger, config: config)
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: logger))
        let runner = BackgroundSyncRunner(service: service, config: config, group: group, client: client)
        Task {
            do {
                try await group.run()
            } catch {
                logger.error("background sync stopped", metadata: ["error": "\(error)"])
            }
            runner.finished.signal()
        }
        return runner
    }

    /// Stops the sync gracefully (a batch in flight is answered first) and waits for it.
    func stop() {
        let group = self.group
        Task { await group.triggerGracefulShutdown() }
        _ = finished.wait(timeout: .now() + 30)
        try? client.syncShutdown()
    }
}
