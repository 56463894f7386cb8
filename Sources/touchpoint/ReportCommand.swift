import ArgumentParser
import Foundation

/// `touchpoint report`.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Not implemented yet.")

    func run() async throws {
        throw ValidationError("not implemented yet")
    }
}
