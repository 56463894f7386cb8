import ArgumentParser
import Foundation

/// `touchpoint health`.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "Not implemented yet.")

    func run() async throws {
        throw ValidationError("not implemented yet")
    }
}
