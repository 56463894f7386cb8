import ArgumentParser
import Foundation

/// `touchpoint export`.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Not implemented yet.")

    func run() async throws {
        throw ValidationError("not implemented yet")
    }
}
