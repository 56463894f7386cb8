import ArgumentParser
import Foundation

/// A secret typed by a person (twice, without echo, on a terminal) or piped in (one line).
enum HiddenLineInput {
    /// Reads a new secret called `what` (e.g. "staff PIN", "password") of at least `minimumLength` characters.
    static func readNew(_ what: String, minimumLength: Int) throws -> String {
        let secret: String
        if isatty(STDIN_FILENO) != 0 {
            guard let first = readHidden("New \(what): "), let second = readHidden("Repeat the \(what): ") else {
                throw ExitCode(1)
            }
            guard first == second else { throw ValidationError("the two \(what)s differ") }
            secret = first
        } else {
            guard let line = readLine() else { throw ValidationError("no \(what) on standard input") }
            secret = line
        }
        guard secret.count >= minimumLength else { throw ValidationError("a \(what) needs at least \(minimumLength) characters") }
        return secret
    }

    /// One line read with the terminal's echo off; the prompt goes to standard error.
    private static func readHidden(_ prompt: String) -> String? {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine()
    }
}
