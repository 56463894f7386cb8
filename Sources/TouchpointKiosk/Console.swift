/// What a console read returned.
public enum ConsoleInput: Sendable, Hashable {
    /// A line, without its newline.
    case line(String)
    /// Ctrl-C (and, in unattended mode, Ctrl-Z or Ctrl-\).
    case interrupt
    /// Ctrl-D at an empty line, or the end of scripted input.
    case endOfInput
    /// Nothing was typed within the timeout.
    case timedOut
    /// The kiosk was asked to stop (SIGTERM, SIGHUP, the terminal went away): finish gracefully.
    case shutdown
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
    /// Shows `prompt` and reads one line of `kind`, giving up after `timeout` seconds if given. The line
    /// starts out holding `prefill` (editable; Enter keeps it) where the console can do that.
    func read(prompt: String, kind: InputKind, timeout: Double?, prefill: String?) -> ConsoleInput
    /// Shows `prompt` and waits for one of `keys` ("" stands for Enter): a keypress answers, no Enter.
    /// Other keys are ignored. A console that cannot read single keys reads a line instead.
    func readKey(prompt: String, keys: [String], timeout: Double?) -> ConsoleInput
    /// Writes `text` as is (include newlines).
    func write(_ text: String)
    /// Clears the screen and its scrollback, then shows `page(width)`; on a terminal that is resized,
    /// the page is drawn again at the new width (with the line being typed).
    func showPage(_ page: @escaping (Int) -> String)
    /// Clears the screen and its scrollback so the next customer cannot see the previous one's answers.
    func clearScreen()
    /// Throws away everything typed that has not been read yet (typeahead).
    func discardPendingInput()
    /// Waits `seconds` without reading input; false if the kiosk was asked to stop meanwhile.
    func pause(seconds: Double) -> Bool
    /// Locks the terminal down for unattended mode (Ctrl-Z and Ctrl-\ ask for the PIN, no flow
    /// control, no echo of typeahead), or restores the settings it had before.
    func setLockdown(_ on: Bool)
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

    /// Reads a line that starts out empty.
    public func read(prompt: String, kind: InputKind, timeout: Double?) -> ConsoleInput {
        read(prompt: prompt, kind: kind, timeout: timeout, prefill: nil)
    }
}
