import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `touchpoint` binary: it sits next to the test bundle that runs these tests.
enum TouchpointBinary {
    static let path: String = {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: running).deletingLastPathComponent().appendingPathComponent("touchpoint").path
    }()

    /// Fails the test (instead of crashing on spawn) when the binary was not built.
    static func require() throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: path),
                     "no touchpoint binary at \(path): run `swift build` with the same scratch path first")
        return path
    }
}

/// The repository checkout these tests belong to.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let surveys = root.appendingPathComponent("surveys", isDirectory: true)
}

/// What a finished command printed.
struct CommandResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// A fresh temporary directory holding a copy of the repository's surveys; the kiosk runs inside it.
final class Workspace {
    let root: URL

    /// The flags every kiosk run here gets: everything inside this directory, no thank-you pause.
    static let kioskFlags = [
        "--site", "demo-site", "--kiosk-id", "kiosk-1",
        "--surveys", "surveys", "--responses", "responses", "--key", "keys/kiosk.key.jwk",
        "--history", "staff-history", "--thank-you-seconds", "0",
    ]
    static let staffPrompt = "touchpoint [demo-site/kiosk-1]> "

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("touchpoint-it-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Repository.surveys, to: url("surveys"))
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    func url(_ relative: String) -> URL {
        root.appendingPathComponent(relative)
    }

    var historyFile: URL { url("staff-history") }
    var keyFile: URL { url("keys/kiosk.key.jwk") }

    /// Starts `touchpoint kiosk` on a pseudo-terminal in this directory.
    func kioskOnTerminal(_ extra: [String] = [], environment: [String: String?] = [:],
                         columns: UInt16 = 200) throws -> PseudoTerminal {
        var environment = environment
        if environment.index(forKey: "SWIFT_BACKTRACE") == nil { environment.updateValue(nil, forKey: "SWIFT_BACKTRACE") }
        return try PseudoTerminal(try TouchpointBinary.require(), ["kiosk"] + Self.kioskFlags + extra, directory: root.path,
                                  environment: environment, columns: columns)
    }

    /// The prompt of the interactive shell ``kioskInShell(_:environment:columns:)`` starts the kiosk from.
    static let shellPrompt = "tp-shell$ "

    /// Starts `touchpoint kiosk` the way staff do: typed into an interactive bash on a pseudo-terminal,
    /// so it runs as a foreground job with job control (Ctrl-Z would stop it and hand the terminal back
    /// to the shell). A kiosk spawned directly on a pty is an orphaned process group, for which the
    /// kernel discards Ctrl-Z.
    func kioskInShell(_ extra: [String] = [], environment: [String: String?] = [:],
                      columns: UInt16 = 200) throws -> PseudoTerminal {
        var shellEnvironment = environment
        shellEnvironment["PS1"] = Self.shellPrompt
        // The kiosk decides how crashes are reported, as it would outside the test runner.
        if environment.index(forKey: "SWIFT_BACKTRACE") == nil { shellEnvironment.updateValue(nil, forKey: "SWIFT_BACKTRACE") }
        let terminal = try PseudoTerminal("/bin/bash", ["--norc", "--noprofile", "-i"], directory: root.path,
                                          environment: shellEnvironment, columns: columns)
        try terminal.expect(Self.shellPrompt)
        let command = ([try TouchpointBinary.require(), "kiosk"] + Self.kioskFlags + extra)
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        terminal.sendLine(command)
        return terminal
    }

    /// The kiosk started in the shell of `terminal`: the shell's child process running `touchpoint`.
    func kioskProcess(in terminal: PseudoTerminal) throws -> pid_t {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            for entry in entries {
                guard let pid = pid_t(entry),
                      let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                let name = stat[stat.index(after: stat.firstIndex(of: "(") ?? stat.startIndex)..<close]
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                if name == "touchpoint", fields.count > 1, pid_t(fields[1]) == terminal.pid { return pid }
            }
            usleep(20_000)
        }
        throw PseudoTerminal.Timeout(awaited: "a touchpoint process in the shell", screen: terminal.screen)
    }

    /// A process's state letter from /proc (R, S, T for stopped, …), nil once it is gone.
    static func processState(_ pid: pid_t) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").first?.first
    }

    /// Runs `touchpoint ARGUMENTS` here with `input` on a pipe as stdin; waits at most `timeout` seconds.
    func run(_ arguments: [String], input: String? = nil, timeout: Double = 30, in directory: String? = nil) throws -> CommandResult {
        try runProcess(try TouchpointBinary.require(), arguments, input: input, timeout: timeout, in: directory)
    }

    /// Runs any program here, or in `directory` under here (stdout and stderr go to files, so a full pipe never
    /// blocks it).
    func runProcess(_ executable: String, _ arguments: [String], input: String? = nil,
                    timeout: Double = 30, in directory: String? = nil) throws -> CommandResult {
        let output = try CapturedOutput()
        defer { output.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory.map { url($0) } ?? root
        process.standardOutput = output.out
        process.standardError = output.err
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            let partial = (try? output.finish().stdout) ?? ""
            Issue.record("\(executable) \(arguments) did not finish within \(timeout) s; stdout so far:\n\(partial)")
            throw CancellationError()
        }
        process.waitUntilExit()
        let (stdout, stderr) = try output.finish()
        return CommandResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// The response files in `responses/pending/`, ignoring temp files.
    func pendingFiles() throws -> [URL] {
        let directory = url("responses/pending")
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" && !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The pending files' names, for failure messages.
    var pendingNames: [String] { ((try? pendingFiles()) ?? []).map(\.lastPathComponent) }

    /// Every pending response, decoded.
    func pendingResponses() throws -> [ResponseEnvelope] {
        try pendingFiles().map { try ResponseEnvelope(file: $0) }
    }
}

/// A response file read without the product's own code: a flattened JWS whose payload is JSON.
struct ResponseEnvelope {
    let file: URL
    /// The file's top-level members.
    let members: [String: Any]
    /// The decoded protected header.
    let header: [String: Any]
    /// The decoded payload bytes and their JSON.
    let payloadText: String
    let payload: [String: Any]

    init(file: URL) throws {
        self.file = file
        let data = try Data(contentsOf: file)
        members = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any],
                               "\(file.lastPathComponent) is not a JSON object")
        // RFC 7515 §7.2.2: exactly payload, protected and signature (no unprotected header needed).
        #expect(Set(members.keys) == ["payload", "protected", "signature"], "members: \(members.keys.sorted())")
        let encodedPayload = try #require(members["payload"] as? String)
        let encodedHeader = try #require(members["protected"] as? String)
        let encodedSignature = try #require(members["signature"] as? String)
        for part in [encodedPayload, encodedHeader, encodedSignature] {
            #expect(part.allSatisfy { $0.isLetter && $0.isASCII || $0.isNumber || $0 == "-" || $0 == "_" },
                    "not unpadded base64url: \(part.prefix(40))…")
        }
        let signature = try #require(Base64URLTesting.decode(encodedSignature), "signature is not base64url")
        #expect(signature.count == 64, "an Ed25519 signature is 64 bytes, got \(signature.count)")
        let headerData = try #require(Base64URLTesting.decode(encodedHeader), "protected header is not base64url")
        header = try #require(try JSONSerialization.jsonObject(with: headerData) as? [String: Any])
        let payloadData = try #require(Base64URLTesting.decode(encodedPayload), "payload is not base64url")
        payloadText = try #require(String(data: payloadData, encoding: .utf8), "payload is not UTF-8")
        payload = try #require(try JSONSerialization.jsonObject(with: payloadData) as? [String: Any],
                               "payload is not a JSON object: \(payloadText)")
    }

    var answers: [[String: Any]] { payload["answers"] as? [[String: Any]] ?? [] }
    var answeredQuestions: [String] { answers.compactMap { $0["question"] as? String } }

    func answer(_ question: String) -> Any? {
        answers.first { $0["question"] as? String == question }?["value"]
    }

    var surveyID: String? { (payload["survey"] as? [String: Any])?["id"] as? String }
    var sequence: Int? { (payload["sequence"] as? NSNumber)?.intValue }
    func string(_ key: String) -> String? { payload[key] as? String }
}

/// Base64url without padding (RFC 7515 §2), decoded independently of the product.
enum Base64URLTesting {
    static func decode(_ text: String) -> Data? {
        guard !text.contains("="), !text.contains("+"), !text.contains("/") else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}

/// The numeric value of a JSON number, or nil.
func jsonInt(_ value: Any?) -> Int? {
    (value as? NSNumber)?.intValue
}

/// A child process's standard output and error, captured in temporary files (a full pipe never blocks it).
struct CapturedOutput {
    let outURL: URL
    let errURL: URL
    /// Give these to the process.
    let out: FileHandle
    let err: FileHandle

    init() throws {
        let tag = UUID().uuidString
        outURL = FileManager.default.temporaryDirectory.appendingPathComponent("tp-out-\(tag)")
        errURL = FileManager.default.temporaryDirectory.appendingPathComponent("tp-err-\(tag)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        out = try FileHandle(forWritingTo: outURL)
        err = try FileHandle(forWritingTo: errURL)
    }

    /// Closes the handles (once the process has exited) and reads what it wrote.
    func finish() throws -> (stdout: String, stderr: String) {
        try? out.close()
        try? err.close()
        return (try String(contentsOf: outURL, encoding: .utf8), try String(contentsOf: errURL, encoding: .utf8))
    }

    /// Deletes the files.
    func remove() {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
}

/// Polls `condition` every 50 ms until it holds; records an issue with `detail` and throws after 60 s.
func poll(_ what: String, detail: () async -> String, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    if try await condition() { return }
    Issue.record("timed out after 60 s waiting for \(what)\n\(await detail())")
    throw CancellationError()
}

/// Runs `body` on a thread of its own instead of on one of Swift's cooperative threads (as many as cores: two in
/// CI). A test that blocks for minutes — waiting on a package build, a chroot, a booted system — would otherwise hold
/// a cooperative thread all that time, and two of them at once starve every other test's tasks (their waits then
/// time out). The body stays in the test's task, so `#expect` and `Issue.record` still belong to the test.
func offTheCooperativePool<T>(_ body: () throws -> T) async throws -> T {
    try await withTaskExecutorPreference(OwnThreadExecutor.shared) {
        // The preference takes effect when the task is next scheduled: yield, and it resumes on a thread of its own.
        await Task.yield()
        return try body()
    }
}

/// A task executor that runs each job on a new thread (jobs of one task never run at once, so the task's code runs
/// in order, only never on the cooperative pool).
final class OwnThreadExecutor: TaskExecutor {
    static let shared = OwnThreadExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let thread = Thread { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        thread.name = "test off the cooperative pool"
        thread.stackSize = 8 << 20
        thread.start()
    }
}
