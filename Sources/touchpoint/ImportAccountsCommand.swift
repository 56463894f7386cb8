import ArgumentParser
import Foundation
import Logging
import TouchpointCollector

extension CollectorCommand {
    /// `touchpoint collector import-accounts FILE.csv`.
    struct ImportAccounts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-accounts", abstract: "Load accounts (name, MRR/ARR, owner, interactions) from CSV.")
        @OptionGroup var options: CollectorCommand.Options

        func run() async throws {
            throw ValidationError("not implemented yet")
        }
    }
}
