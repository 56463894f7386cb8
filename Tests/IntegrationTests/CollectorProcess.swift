import Foundation
import Testing
import TouchpointCore
import TouchpointStore
import TouchpointJOSE
#if canImport(Glibc)
import Glibc
#endif

/// A child process running in the background, its stdout and stderr in files so a full pipe never blocks it.
///
/// Whoever starts one stops it: ``stop()`` sends SIGKILL if it is still running and reaps it.
final class ChildProcess: @unchecked Sendable {
    /// A short name for logs, e.g. `collector`.
    let name: String
    let arguments: [String]
    private let process = Process()
    private let stdoutURL: URL
    private let stderrURL: URL

    private var inputPipe: Pipe?

    /// Starts `executable ARGUMENTS` in `directory`; `input` is written to its stdin, which is then closed
    /// unless `keepInputOpen` (then ``write(_:)`` and ``closeInput()`` feed it). Otherwise stdin is /dev/null.
    init(name: String, executable: String, arguments: [String], directory: URL, logs: URL, input: String? = nil,
         keepInputOpen: Bool = false) throws {
        self.name = name
        self.arguments = arguments
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let tag = "\(name)-\(UUID().uuidString.prefix(8))"
        stdoutURL = logs.appendingPathComponent("\(tag).out")
        stderrURL = logs.appendingPathComponent("\(tag).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: stdoutURL)
        let err = try FileHandle(forWritingTo: stderrURL)
        defer {
            try? out.close()
            try? err.close()
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = out
        process.standardError = err
        if input != nil || keepInputOpen {
            let pipe = Pipe()
            process.standardInput = pipe
            try process.run()
            inputPipe = pipe
            if let input { write(input) }
            if !keepInputOpen { closeInput() }
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
    }

    var pid: pid_t { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Writes `text` to the child's stdin.
    func write(_ text: String) {
        inputPipe?.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Closes the child's stdin (end of input).
    func closeInput() {
        try? inputPipe?.fileHandleForWriting.close()
        inputPipe = nil
    }

    /// Sends `signal` to the child (nothing if it already exited).
    func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits up to `timeout` seconds for the child to exit; its exit status (128 + n for signal n), or nil.
    @discardableResult
    func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        guard !process.isRunning else { return nil }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// Kills the child if it still runs and reaps it.
    func stop() {
        closeInput()
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        waitForExit(timeout: 10)
    }

    /// Everything it printed, for failure messages.
    var log: String {
        "=== \(name) (\(arguments.joined(separator: " "))) — \(process.isRunning ? "running" : "exited")\n"
            + "--- stdout\n\(stdout)\n--- stderr\n\(stderr)"
    }
}

/// `touchpoint collector serve` on 127.0.0.1, waited for until it logs the port it listens on.
final class CollectorProcess {
    let child: ChildProcess
    /// The port it listens on.
    let port: Int
    /// `https` when it was started with `--tls-cert`, else `http`.
    let scheme: String

    var url: String { "\(scheme)://127.0.0.1:\(port)" }

    /// Starts a collector in `directory` on `database` (a SQLite path relative to `directory`, or a
    /// `postgres://` URL) and the surveys in `surveys/`; `port` 0 lets it pick one. Fails (after stopping it)
    /// if it does not listen within `timeout` seconds.
    init(directory: URL, logs: URL, database: String = "c.sqlite", port: Int = 0, extra: [String] = [],
         timeout: Double = 60) throws {
        child = try ChildProcess(
            name: "collector", executable: try TouchpointBinary.require(),
            arguments: ["collector", "serve", "--host", "127.0.0.1", "--port", "\(port)", "--database", database,
                        "--surveys", "surveys", "--log-level", "info"] + extra,
            directory: directory, logs: logs)
        let marker = "Server started and listening on 127.0.0.1:"
        let deadline = Date().addingTimeInterval(timeout)
        var bound: Int?
        while bound == nil && Date() < deadline {
            let log = child.stderr
            if let range = log.range(of: marker) {
                bound = Int(log[range.upperBound...].prefix { $0.isNumber })
                break
            }
            guard child.isRunning else { break }
            usleep(20_000)
        }
        guard let bound else {
            let log = child.log
            child.stop()
            Issue.record("the collector did not start listening within \(timeout) s\n\(log)")
            throw CancellationError()
        }
        self.port = bound
        scheme = extra.contains("--tls-cert") ? "https" : "http"
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago: bound to port 0, read back, closed.
func reserveFreePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0, "socket: errno \(errno)")
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    try #require(bound == 0, "bind: errno \(errno)")
    var actual = sockaddr_in()
    var actualLength = length
    let named = withUnsafeMutablePointer(to: &actual) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
    }
    try #require(named == 0, "getsockname: errno \(errno)")
    return Int(UInt16(bigEndian: actual.sin_port))
}

/// One kiosk as `touchpoint collector kiosks --json` lists it (decoded here, not with the product's type).
struct FleetEntry: Decodable {
    struct Health: Decodable {
        var pending: Int
        var rejected: Int
        var lastSequence: UInt64?
    }

    var id: String
    var site: String
    var revokedAt: String?
    var hasToken: Bool
    var responseCount: Int
    var highestSequence: UInt64
    /// Missing sequence numbers as `[first, last]` pairs.
    var gaps: [[UInt64]]
    var health: Health?
}

/// A kiosk workspace beside a collector: the kiosk key, the collector database (`c.sqlite` unless given), and
/// every child process one test starts (all killed by ``stopAll()``, which `deinit` also calls).
final class SyncSite {
    /// The kiosk id a site has unless it is given another.
    static let kiosk = "kiosk-1"
    static let site = "demo-site"

    let workspace: Workspace
    /// The upload token ``enroll()`` was given, sent by this site's syncs.
    var uploadToken: String?
    /// This site's kiosk id, in its responses, its enrolment and its syncs.
    let kioskID: String
    /// The collector database every collector command here uses: a SQLite path in the workspace, or a
    /// `postgres://` URL several sites (and collectors) share.
    let database: String
    /// The kiosk key in `keys/kiosk.key.jwk`, shared by this process and the kiosk binary.
    let key: KioskKey
    private(set) var children: [ChildProcess] = []
    private var finishedLogs: [String] = []

    /// A fresh workspace for kiosk `kioskID` with a new key, whose collector commands use `database`.
    init(kiosk kioskID: String = SyncSite.kiosk, database: String = "c.sqlite") throws {
        workspace = try Workspace()
        self.kioskID = kioskID
        self.database = database
        key = try KeyFile.loadOrCreate(at: workspace.keyFile).key
    }

    deinit {
        stopAll()
    }

    var root: URL { workspace.root }
    private var logsDirectory: URL { workspace.url("logs") }

    /// Kills every child process still running.
    func stopAll() {
        for child in children { child.stop() }
    }

    /// Starts a collector on this site's database (see ``CollectorProcess``).
    func startCollector(port: Int = 0, extra: [String] = []) throws -> CollectorProcess {
        let collector = try CollectorProcess(directory: root, logs: logsDirectory, database: database, port: port,
                                             extra: extra)
        children.append(collector.child)
        return collector
    }

    /// Creates an API token with `role` at this site's database (`touchpoint collector token create`) and returns it.
    func apiToken(role: String, name: String = "integration-test") throws -> String {
        let result = try run(["collector", "token", "create", "--name", name, "--role", role, "--database", database])
        let token = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(result.status == 0 && !token.isEmpty, "cannot create an API token: \(result)")
        return token
    }

    /// Starts any program in the background in this workspace, stopped by ``stopAll()`` like the others.
    func startProgram(_ name: String, executable: String, _ arguments: [String]) throws -> ChildProcess {
        let child = try ChildProcess(name: name, executable: executable, arguments: arguments, directory: root,
                                     logs: logsDirectory)
        children.append(child)
        return child
    }

    /// Starts `touchpoint ARGUMENTS` in the background (see ``ChildProcess`` for `input`).
    func start(_ name: String, _ arguments: [String], input: String? = nil, keepInputOpen: Bool = false) throws -> ChildProcess {
        let child = try ChildProcess(name: name, executable: try TouchpointBinary.require(), arguments: arguments,
                                     directory: root, logs: logsDirectory, input: input, keepInputOpen: keepInputOpen)
        children.append(child)
        return child
    }

    /// Runs `touchpoint ARGUMENTS` to the end and keeps what it printed for ``logs``.
    @discardableResult
    func run(_ arguments: [String], input: String? = nil, timeout: Double = 30) throws -> CommandResult {
        let result = try workspace.run(arguments, input: input, timeout: timeout)
        finishedLogs.append("=== touchpoint \(arguments.joined(separator: " "))\n\(result)")
        return result
    }

    /// Exports the kiosk's public key and enrols it at the collector's database; keeps the upload token the command
    /// printed (its last line) for this site's syncs, and returns the command's output.
    @discardableResult
    func enroll() throws -> CommandResult {
        let export = try run(["keys", "export", "--key", "keys/kiosk.key.jwk"])
        try #require(export.status == 0, "\(export)")
        let jwk = "\(kioskID).jwk"
        try Data(export.stdout.utf8).write(to: workspace.url(jwk))
        let enroll = try run(["collector", "enroll", "--database", database, "--kiosk", kioskID, "--site", Self.site, "--jwk", jwk])
        try #require(enroll.status == 0, "\(enroll)")
        let token = enroll.stdout.split(separator: "\n").last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        try #require(token.count >= 16, "no upload token printed:\n\(enroll)")
        uploadToken = token
        return enroll
    }

    /// `touchpoint sync` arguments for the collector at `url`, followed by `extra`; with `token` (and unless `extra`
    /// gives one) the site's upload token from ``enroll()``.
    func syncArguments(_ url: String, _ extra: [String] = [], token: Bool = true) -> [String] {
        var arguments = ["sync", "--responses", "responses", "--kiosk-id", kioskID, "--collector", url] + extra
        if token, !extra.contains("--token"), let uploadToken {
            arguments += ["--token", uploadToken]
        }
        return arguments
    }

    /// Runs `touchpoint sync --once` against `collector`.
    @discardableResult
    func syncOnce(_ collector: CollectorProcess, _ extra: [String] = [], token: Bool = true, timeout: Double = 30) throws -> CommandResult {
        try run(syncArguments(collector.url, ["--once"] + extra, token: token), timeout: timeout)
    }

    /// The collector's view of this kiosk (`collector kiosks --json`).
    func fleetEntry() throws -> FleetEntry {
        let result = try run(["collector", "kiosks", "--json", "--database", database])
        try #require(result.status == 0, "\(result)")
        let fleet = try JSONDecoder().decode([FleetEntry].self, from: Data(result.stdout.utf8))
        return try #require(fleet.first { $0.id == kioskID }, "\(kioskID) is not in the fleet:\n\(result.stdout)")
    }

    /// The response file names (`<id>.json`) in `responses/<directory>/`, sorted.
    func files(_ directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: workspace.url("responses/\(directory)").path)) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
    }

    /// The `.reason` file beside rejected file `name`.
    func reason(for name: String) -> String? {
        let reasonName = String(name.dropLast(".json".count)) + ".reason"
        return try? String(contentsOf: workspace.url("responses/rejected/\(reasonName)"), encoding: .utf8)
    }

    /// Everything every command and child printed, for failure messages.
    var logs: String {
        (finishedLogs + children.map(\.log)).joined(separator: "\n")
    }

    /// Polls `condition` every 20 ms until it holds; records an issue with every log and throws after
    /// `timeout` seconds.
    func wait(_ what: String, timeout: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(20_000)
        }
        if try condition() { return }
        Issue.record("timed out after \(timeout) s waiting for \(what)\n\(logs)")
        throw CancellationError()
    }

    // MARK: Response files written in this process

    /// Signs and stores `count` complete test-drive-booking responses with `key` (default: the kiosk key)
    /// through the product's ``FileResponseStore``, continuing the kiosk's sequence; `effort` is the CES answer
    /// (1–7; at 4 or less the survey would also offer its optional follow-up question) and `comment` adds an
    /// answer to the optional comment question.
    ///
    /// `staged` writes them in a store on /dev/shm (where fsync costs nothing) and then copies the files and
    /// the sequence counter into `responses/`: for backlogs of thousands, where the kiosk's durability is not
    /// what is tested.
    @discardableResult
    func writeResponses(_ count: Int, key: KioskKey? = nil, effort: Int = 6, comment: String? = nil,
                        staged: Bool = false) throws
        -> [StoredResponse]
    {
        let catalog = SurveyDirectory.load(workspace.url("surveys"))
        let survey = try #require(catalog.survey("test-drive-booking"), "no test-drive-booking survey")
        let reference = SurveyReference(id: survey.id, version: survey.version, digest: try SurveyDigest.digest(of: survey))
        let files = FileManager.default
        let responses = workspace.url("responses")
        var root = responses
        var staging: URL?
        if staged && files.isWritableFile(atPath: "/dev/shm") {
            let directory = URL(fileURLWithPath: "/dev/shm/touchpoint-stage-\(UUID().uuidString)", isDirectory: true)
            root = directory.appendingPathComponent("responses", isDirectory: true)
            try files.createDirectory(at: root, withIntermediateDirectories: true)
            let sequence = responses.appendingPathComponent("sequence")
            if files.fileExists(atPath: sequence.path) {
                try files.copyItem(at: sequence, to: root.appendingPathComponent("sequence"))
            }
            staging = directory
        }
        defer {
            if let staging { try? files.removeItem(at: staging) }
        }
        let store = try FileResponseStore(root: root, key: key ?? self.key)
        var answers = [
            Answer(question: "booking-effort", type: .ces, value: .number(effort)),
            Answer(question: "booked-online", type: .yesno, value: .bool(true)),
        ]
        if let comment {
            answers.append(Answer(question: "comment", type: .text, value: .text(comment)))
        }
        var stored: [StoredResponse] = []
        for _ in 0..<count {
            let now = Date()
            let draft = ResponseDraft(
                survey: reference, site: Self.site, kiosk: kioskID, touchpoint: "test-drive", stage: .shop,
                language: "en", startedAt: now.addingTimeInterval(-20), completedAt: now, answers: answers,
                status: .complete, suspect: false, mode: .attended, appVersion: "0.1.0")
            stored.append(try store.record(draft))
        }
        if staging != nil {
            let pending = responses.appendingPathComponent("pending", isDirectory: true)
            try files.createDirectory(at: pending, withIntermediateDirectories: true)
            for index in stored.indices {
                guard let file = stored[index].file else { continue }
                let destination = pending.appendingPathComponent(file.lastPathComponent)
                try files.copyItem(at: file, to: destination)
                stored[index].file = destination
            }
            let sequence = responses.appendingPathComponent("sequence")
            try? files.removeItem(at: sequence)
            try files.copyItem(at: root.appendingPathComponent("sequence"), to: sequence)
        }
        return stored
    }
}
