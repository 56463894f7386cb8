import ArgumentParser
import Foundation
import TouchpointStore

/// `touchpoint pin hash`: makes the hashed staff PIN for the configuration file.
struct PINCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin", abstract: "Staff PIN tools.", subcommands: [Hash.self])

    /// `touchpoint pin hash`.
    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a staff PIN (twice on a terminal, once from a pipe) and print its hash for staffPinHash.")

        func run() throws {
            let pin: String
            if isatty(STDIN_FILENO) != 0 {
                guard let first = readSecret("New staff PIN: "), let second = readSecret("Repeat the PIN: ") else {
                    throw ExitCode(1)
                }
                guard first == second else { throw ValidationError("the two PINs differ") }
                pin = first
            } else {
                guard let line = readLine() else { throw ValidationError("no PIN on standard input") }
                pin = line
            }
            guard pin.count >= 4 else { throw ValidationError("a PIN needs at least 4 characters") }
            print(PINHash.make(pin: pin).encoded)
        }

        private func readSecret(_ prompt: String) -> String? {
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
}
