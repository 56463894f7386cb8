/// What a console read returned.
public enum ConsoleInput: Sendable, Hashable {
    /// A line, without its newline.
    case line(String)
    /// Ctrl-C.
    case interrupt
    /// Ctrl-D at an empty line, or the end of scripted input.
    case endOfInput
    /// Nothing was typed within the timeout.
    case timedOut
}

/// Who is typing, which decides history, completion and echo.
public enum InputKind: Sendable, Hashable {
    /// Staff commands: history and tab completion.
    case staff
    /// A customer's answer: never in history, no completion, no recall of earlier input.
    case customer
    /// A PIN: not echoed, never in history.
    case secret
}

/// The kiosk's terminal: reads lines and writes text. The REPL talks to nothing else.
///
/// ``ReadlineConsole`` is the real one on a terminal, ``ScriptConsole`` reads plain lines when stdin is
/// not a terminal, and tests use ``MemoryConsole``.
public protocol Console: AnyObject {
    /// Shows `prompt` and reads one line of `kind`, giving up after `timeout` seconds if given.
    func read(prompt: String, kind: InputKind, timeout: Double?) -> ConsoleInput
    /// Writes `text` as is (include newlines).
    func write(_ text: String)
    /// Clears the screen and its scrollback so the next customer cannot see the previous one's answers.
    func clearScreen()
    /// Whether a person is at a terminal (pauses and screen clearing make sense).
    var isInteractive: Bool { get }
    /// Supplies tab completions: given the words before the cursor, the candidates for the current one.
    var completer: (@Sendable ([String]) -> [String])? { get set }
}

extension Console {
    /// Writes `text` and a newline.
    public func line(_ text: String = "") {
        write(text + "\n")
    }
}
