@preconcurrency import CReadline
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Readline's callback interface reports through C function pointers, which cannot capture: the
// console hands state to them through these globals. Only the kiosk's one thread touches them.
nonisolated(unsafe) private var arrivedLine: String?
nonisolated(unsafe) private var lineArrived = false
nonisolated(unsafe) private var activeCompleter: (@Sendable ([String]) -> [String])?
nonisolated(unsafe) private var completionMatches: [String] = []
nonisolated(unsafe) private var completionIndex = 0

private let lineHandler: @convention(c) (UnsafeMutablePointer<CChar>?) -> Void = { line in
    if let line {
        arrivedLine = String(cString: line)
        free(line)
    } else {
        arrivedLine = nil
    }
    lineArrived = true
    rl_callback_handler_remove()
}

private let completionGenerator: @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>? = { _, state in
    if state == 0 { completionIndex = 0 }
    guard completionIndex < completionMatches.count else { return nil }
    defer { completionIndex += 1 }
    return strdup(completionMatches[completionIndex])
}

private let completionFunction: @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, start, _ in
    tp_rl_set_completion_over(1)  // never fall back to file names
    guard let completer = activeCompleter else { return nil }
    let word = text.map { String(cString: $0) } ?? ""
    var before = ""
    if let buffer = tp_rl_line_buffer() {
        let line = Array(String(cString: buffer).utf8)
        before = String(decoding: line.prefix(Int(start)), as: UTF8.self)
    }
    let words = before.split(separator: " ").map(String.init)
    completionMatches = completer(words).filter { $0.hasPrefix(word) }.sorted()
    guard !completionMatches.isEmpty else { return nil }
    return rl_completion_matches(text, completionGenerator)
}

/// The real console on a terminal: GNU readline with line editing, and staff-only history and completion.
///
/// Customer input never enters readline's history: the history list is emptied while a customer types
/// and refilled with staff commands (from the history file) when staff type again.
public final class ReadlineConsole: Console {
    private let historyFile: URL?
    private var staffHistory: [String] = []
    private var lastKind: InputKind?
    private static let historyLimit = 1000

    /// Supplies completions for staff input.
    public var completer: (@Sendable ([String]) -> [String])?

    /// A terminal is interactive.
    public var isInteractive: Bool { true }

    /// Sets up readline; staff history is read from and appended to `historyFile`.
    public init(historyFile: URL?) {
        self.historyFile = historyFile
        // Readline takes its character set from the locale: without a UTF-8 one it reads the first byte
        // of å, ä, ö as a Meta key. Use the environment's locale if it is UTF-8, C.UTF-8 otherwise.
        setlocale(LC_CTYPE, "")
        let codeset = nl_langinfo(nl_item(CODESET)).map { String(cString: $0) } ?? ""
        if codeset.uppercased().replacingOccurrences(of: "-", with: "") != "UTF8" {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        tp_rl_set_readline_name("touchpoint")
        tp_rl_set_catch_signals(0)
        tp_rl_set_completion(completionFunction)
        using_history()
        rl_initialize()
        rl_variable_bind("input-meta", "on")
        rl_variable_bind("convert-meta", "off")
        rl_variable_bind("output-meta", "on")
        if let historyFile, let text = try? String(contentsOf: historyFile, encoding: .utf8) {
            staffHistory = Array(text.split(separator: "\n").map(String.init).suffix(Self.historyLimit))
        }
    }

    public func read(prompt: String, kind: InputKind, timeout: Double?) -> ConsoleInput {
        if kind == .secret { return readSecret(prompt: prompt, timeout: timeout) }
        prepareHistory(for: kind)
        activeCompleter = kind == .staff ? completer : nil
        defer { activeCompleter = nil }
        arrivedLine = nil
        lineArrived = false
        rl_callback_handler_install(prompt, lineHandler)
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while !lineArrived {
            switch Poll.wait(fd: STDIN_FILENO, until: deadline) {
            case .readable:
                rl_callback_read_char()
            case .interrupted:
                abandonLine(showing: "^C")
                return .interrupt
            case .timedOut:
                abandonLine(showing: "")
                return .timedOut
            }
        }
        guard let line = arrivedLine else {
            write("\n")
            return .endOfInput
        }
        if kind == .staff { remember(line) }
        return .line(line)
    }

    public func write(_ text: String) {
        StandardOutput.write(text)
    }

    public func clearScreen() {
        write("\u{1B}[H\u{1B}[2J\u{1B}[3J")
    }

    // MARK: Private

    private func abandonLine(showing marker: String) {
        rl_replace_line("", 0)
        rl_callback_handler_remove()
        write(marker + "\n")
    }

    private func prepareHistory(for kind: InputKind) {
        defer { lastKind = kind }
        guard kind != lastKind else { return }
        clear_history()
        if kind == .staff {
            for entry in staffHistory { add_history(entry) }
        }
    }

    private func remember(_ line: String) {
        let entry = line.trimmingCharacters(in: .whitespaces)
        guard !entry.isEmpty, entry != staffHistory.last else { return }
        staffHistory.append(entry)
        if staffHistory.count > Self.historyLimit { staffHistory.removeFirst(staffHistory.count - Self.historyLimit) }
        add_history(entry)
        guard let historyFile else { return }
        let fd = open(historyFile.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array((entry + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    private func readSecret(prompt: String, timeout: Double?) -> ConsoleInput {
        write(prompt)
        var saved = termios()
        let isTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
        if isTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        }
        defer {
            if isTerminal { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
            write("\n")
        }
        return LineReader(fd: STDIN_FILENO, chunkSize: 1).readLine(timeout: timeout)
    }
}
