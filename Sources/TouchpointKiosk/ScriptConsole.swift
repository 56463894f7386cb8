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

    public func read(prompt: String, kind: InputKind, timeout: Double?) -> ConsoleInput {
        write(prompt)
        let input = reader.readLine(timeout: timeout)
        write("\n")
        return input
    }

    public func write(_ text: String) {
        StandardOutput.write(text)
    }

    public func clearScreen() {}
}
