import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import TouchpointKiosk
import TouchpointStore
import TouchpointSync

/// `touchpoint kiosk`: the staff REPL and customer sessions.
struct KioskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk",
        abstract: "Run the kiosk: staff commands, customer surveys, responses signed into responses/pending/.")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        try options.bootstrapLogging()
        let configuration = try options.load()
        let logger = Logger(label: "touchpoint.kiosk")
        TerminalSignals.install()
        let (key, created) = try KeyFile.loadOrCreate(at: URL(fileURLWithPath: configuration.keyFile))
        if created {
            FileHandle.standardOutput.write(Data("Created this kiosk's signing key \(key.keyID) in \(configuration.keyFile) (mode 0600).\n".utf8))
        }
        let responses = URL(fileURLWithPath: configuration.responsesDirectory, isDirectory: true)
        let store = try FileResponseStore(root: responses, key: key)
        // One kiosk per responses directory: two would hand out the same sequence numbers.
        let lock = open(responses.appendingPathComponent("kiosk.lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            throw ValidationError("another kiosk is already running on \(configuration.responsesDirectory)/ (kiosk.lock is held)")
        }
        defer { close(lock) }
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
                          sources: sources, sync: background?.service, logger: logger)
        let status = kiosk.run()
        background?.stop()
        if status != 0 { throw ExitCode(status) }
    }
}

/// The kiosk's background sync: a ``SyncService`` in a `ServiceGroup`, running beside the REPL when a
/// collector is configured, and shut down gracefully when the kiosk quits.
final class BackgroundSyncRunner: Sendable {
    let service: SyncService
    private let group: ServiceGroup
    private let client: HTTPClient
    private let finished = DispatchSemaphore(value: 0)

    private init(service: SyncService, group: ServiceGroup, client: HTTPClient) {
        self.service = service
        self.group = group
        self.client = client
    }

    /// Starts syncing in the background, or returns nil when no collector is configured.
    static func start(configuration: KioskConfiguration, responses: URL, logger: Logger) throws -> BackgroundSyncRunner? {
        guard let collector = configuration.collector, let url = URL(string: collector) else { return nil }
        let transportConfiguration = HTTPUploadTransport.Configuration(collectorURL: url, token: configuration.collectorToken)
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: HTTPUploadTransport.clientConfiguration(for: transportConfiguration))
        let transport = try HTTPUploadTransport(configuration: transportConfiguration, client: client, logger: logger)
        let sync = ResponseSync(responsesDirectory: responses, kiosk: configuration.kiosk, transport: transport, logger: logger)
        let service = SyncService(sync: sync, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: logger))
        let runner = BackgroundSyncRunner(service: service, group: group, client: client)
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
