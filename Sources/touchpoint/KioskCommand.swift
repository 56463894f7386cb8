import ArgumentParser
import Foundation
import Logging
import TouchpointKiosk
import TouchpointStore

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
        let kiosk = Kiosk(configuration: configuration, console: console, store: store, keyID: key.keyID,
                          sources: sources, logger: logger)
        let status = kiosk.run()
        if status != 0 { throw ExitCode(status) }
    }
}
