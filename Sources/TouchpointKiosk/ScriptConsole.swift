import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The console when stdin is not a terminal: plain lines, no echo, no readline, so a session can be
/// scripted (`touchpoint kiosk < answers.txt`) with clean output.
public final class ScriptConsole: Console {
    private let reader: LineReader

    /// Tab completion does not apply to scripted input.
    public var completer: (@Sendable ([String]) -> [String])?

    /// Scripted input is not interactive.
    public var isInteractive: Bool { false }

    /// Reads from standard input.
    public init() {
        reader = LineReader(fd: STDIN_FILENO, chunkSize: 4096)
    }

    public func read(prompt: String, kind: InputKind, timeout: Double?, prefill: String?) -> ConsoleInput {
        write(prompt)
        let input = reader.readLine(timeout: timeout)
        write("\n")
        return input
    }

    /// Scripts answer single-key questions with a line.
    public func readKey(prompt: String, keys: [String], timeout: Double?) -> ConsoleInput {
        read(prompt: prompt, kind: .customer, timeout: timeout, prefill: nil)
    }

    public func write(_ text: String) {
        StandardOutput.write(text)
    }

    /// Pages are written unwrapped: the output goes to a program, not a screen.
    public func showPage(_ page: @escaping (Int) -> String) {
        write(page(Int.max))
    }

    public func clearScreen() {}

    public func discardPendingInput() {}

    public func pause(seconds: Double) -> Bool { !TerminalSignals.shutdownRequested }

    public func setLockdown(_ on: Bool) {}
}
