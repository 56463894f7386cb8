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
            print(PINHash.make(pin: try HiddenLineInput.readNew("staff PIN", minimumLength: 4)).encoded)
        }
    }
}
