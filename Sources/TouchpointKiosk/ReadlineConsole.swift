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
    private var page: ((Int) -> String)?
    private var savedSettings: termios?

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
        tp_guard_install()
    }

    deinit {
        setLockdown(false)
    }

    /// The terminal's width in columns (80 if it cannot be read).
    public var width: Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    public func read(prompt: String, kind: InputKind, timeout: Double?, prefill: String?) -> ConsoleInput {
        if kind == .secret { return readSecret(prompt: prompt, timeout: timeout) }
        prepareHistory(for: kind)
        activeCompleter = kind == .staff ? completer : nil
        defer { activeCompleter = nil }
        if kind == .staff { page = nil }
        arrivedLine = nil
        lineArrived = false
        tp_rl_set_prefill(prefill)
        rl_callback_handler_install(prompt, lineHandler)
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while !lineArrived {
            switch Poll.wait(fd: STDIN_FILENO, until: deadline, terminal: true) {
            case .readable:
                rl_callback_read_char()
            case .interrupted:
                abandonLine(showing: "^C")
                return .interrupt
            case .timedOut:
                abandonLine(showing: "")
                return .timedOut
            case .shutdown:
                abandonLine(showing: "")
                return .shutdown
            case .resized:
                redrawForNewSize()
            }
        }
        guard let line = arrivedLine else {
            write("\n")
            return TerminalSignals.shutdownRequested ? .shutdown : .endOfInput
        }
        if kind == .staff { remember(line) }
        return .line(line)
    }

    public func readKey(prompt: String, keys: [String], timeout: Double?) -> ConsoleInput {
        prepareHistory(for: .customer)
        write(prompt)
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else {
            return read(prompt: "", kind: .customer, timeout: timeout, prefill: nil)
        }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        raw.c_iflag &= ~tcflag_t(ICRNL | INLCR)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        defer { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var pending: [UInt8] = []
        while true {
            switch Poll.wait(fd: STDIN_FILENO, until: deadline, terminal: true) {
            case .interrupted:
                write("^C\n")
                return .interrupt
            case .timedOut:
                write("\n")
                return .timedOut
            case .shutdown:
                write("\n")
                return .shutdown
            case .resized:
                if let page { drawPage(page) }
                write(prompt)
            case .readable:
                var byte: UInt8 = 0
                let count = Glibc.read(STDIN_FILENO, &byte, 1)
                if count <= 0 {
                    if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                    write("\n")
                    return TerminalSignals.shutdownRequested ? .shutdown : .endOfInput
                }
                if byte == 0x04 && pending.isEmpty {  // Ctrl-D
                    write("\n")
                    return .endOfInput
                }
                if byte == 0x0D || byte == 0x0A {
                    pending.removeAll()
                    if keys.contains("") {
                        write("\n")
                        return .line("")
                    }
                    continue
                }
                pending.append(byte)
                // A whole UTF-8 character yet? (A lead byte says how long it is.)
                let expected = pending[0] < 0x80 ? 1 : pending[0] >= 0xF0 ? 4 : pending[0] >= 0xE0 ? 3 : 2
                guard pending.count >= expected else { continue }
                let key = String(decoding: pending, as: UTF8.self)
                pending.removeAll()
                if let match = keys.first(where: { !$0.isEmpty && $0.lowercased() == key.lowercased() }) {
                    write(key + "\n")
                    return .line(match)
                }
            }
        }
    }

    public func write(_ text: String) {
        StandardOutput.write(text)
    }

    public func showPage(_ page: @escaping (Int) -> String) {
        self.page = page
        drawPage(page)
    }

    public func clearScreen() {
        page = nil
        write(Self.clearSequence)
    }

    public func discardPendingInput() {
        tcflush(STDIN_FILENO, TCIFLUSH)
    }

    public func pause(seconds: Double) -> Bool {
        Poll.sleep(seconds: seconds)
    }

    public func setLockdown(_ on: Bool) {
        TerminalSignals.lockedDown = on
        if on {
            guard savedSettings == nil else { return }
            var settings = termios()
            guard tcgetattr(STDIN_FILENO, &settings) == 0 else { return }
            savedSettings = settings
            tp_guard_arm(&settings)
            var locked = settings
            // No echo of typeahead between reads (readline draws what it reads itself), no Ctrl-S/Ctrl-Q
            // flow control that would freeze the screen.
            locked.c_lflag &= ~tcflag_t(ECHO | ECHONL)
            // Ctrl-C, Ctrl-Z and Ctrl-\ must not make the terminal throw away what the kiosk just wrote (the
            // PIN prompt): the kiosk discards input itself where it means to.
            locked.c_lflag |= tcflag_t(NOFLSH)
            locked.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY)
            tcsetattr(STDIN_FILENO, TCSANOW, &locked)
        } else {
            guard var settings = savedSettings else { return }
            tcsetattr(STDIN_FILENO, TCSANOW, &settings)
            savedSettings = nil
            tp_guard_disarm()
        }
    }

    // MARK: Private

    private static let clearSequence = "\u{1B}[H\u{1B}[2J\u{1B}[3J"

    private func drawPage(_ page: (Int) -> String) {
        write(Self.clearSequence + page(width))
    }

    private func redrawForNewSize() {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            rl_set_screen_size(Int32(size.ws_row), Int32(size.ws_col))
        }
        guard let page else { return }
        drawPage(page)
        tp_rl_redraw()
    }

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
        // Echo off, and whatever was typed before the prompt thrown away, before the prompt shows: what is
        // typed after it is the PIN.
        var saved = termios()
        let isTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
        if isTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        }
        write(prompt)
        defer {
            if isTerminal { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
            write("\n")
        }
        return LineReader(fd: STDIN_FILENO, chunkSize: 1, terminal: true).readLine(timeout: timeout)
    }
}
