import ArgumentParser
import Foundation
import Logging
import TouchpointCollector

extension CollectorCommand {
    /// `touchpoint collector import-accounts FILE.csv`.
    struct ImportAccounts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-accounts",
            abstract: "Load accounts (name, MRR/ARR, owner, interactions) from CSV; updates accounts already there.",
            discussion: """
                The first line names the columns: id (required: the reference responses carry, as in \
                `start SURVEY @ID`), name, mrr, arr (give either; the other is 12× or ÷12), owner, interactions \
                (the CRM's count of meaningful interactions) and last_interaction (YYYY-MM-DD). Quoting as in \
                RFC 4180. A bad row stops the import: nothing is imported until every row is right.
                """)
        @OptionGroup var options: CollectorCommand.Options
        @Argument(help: "The accounts CSV file.") var file: String

        func run() async throws {
            try options.bootstrapLogging()
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read \(file): \(error.localizedDescription)")
            }
            let accounts: AccountImport
            do {
                accounts = try AccountCSV.parse(text: text, file: file)
            } catch {
                FileHandle.standardError.write(Data("\(error)\nNothing imported.\n".utf8))
                throw ExitCode(1)
            }
            let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
            let summary = try await storage.importAccounts(accounts, at: Date())
            try await storage.close()
            print("Imported \(accounts.accounts.count) account\(accounts.accounts.count == 1 ? "" : "s") from \(file): "
                  + "\(summary.inserted) new, \(summary.updated) updated.")
        }
    }
}
