import ArgumentParser
import Foundation

/// `touchpoint demo`.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Not implemented yet.")

    func run() async throws {
        throw ValidationError("not implemented yet")
    }
}
