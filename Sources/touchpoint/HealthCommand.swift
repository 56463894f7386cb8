import ArgumentParser
import Foundation
import Logging
import TouchpointCollector
import TouchpointCore
import TouchpointStore

/// `touchpoint health`.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Print every account's health score, zone, what drove it, its zone move and the playbook actions due.",
        discussion: """
            Records each account's zone, so the next run shows moves (green -> yellow …) and their playbook \
            actions; --dry-run records nothing.
            """)

    @OptionGroup var options: CollectorCommand.Options
    @Option(name: .long, help: "Health model (YAML); default: the built-in model (examples/health.yaml).") var model: String?
    @Option(name: .long, help: "table or json.") var format: Format = .table
    @Flag(name: .long, help: "Do not record the zones (the next run compares against the last recorded one).") var dryRun = false

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    func run() async throws {
        try options.bootstrapLogging()
        let logger = Logger(label: "touchpoint.health")
        let healthModel: HealthModel
        do {
            healthModel = try HealthModel.load(path: model)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        let storage = try await options.openStorage(logger: logger)
        let now = Date()
        let accounts = dryRun
            ? try await storage.accountHealth(model: healthModel, at: now)
            : try await storage.recordAccountHealth(model: healthModel, at: now)
        try await storage.close()
        switch format {
        case .json:
            print(try jsonText(HealthReport(computedAt: now, recorded: !dryRun, accounts: accounts)))
        case .table:
            print(HealthTable.render(accounts, recorded: !dryRun))
        }
    }
}

/// `touchpoint health --format json`.
struct HealthReport: Encodable {
    var computedAt: Date
    var recorded: Bool
    var accounts: [AccountHealth]
}

/// The `touchpoint health` table: one line per account, then the actions due.
enum HealthTable {
    static func render(_ accounts: [AccountHealth], recorded: Bool) -> String {
        guard !accounts.isEmpty else {
            return "No accounts: import some with `touchpoint collector import-accounts FILE.csv`, "
                + "or collect responses with `start SURVEY @ACCOUNT`."
        }
        func number(_ value: Double?) -> String {
            guard let value else { return "–" }
            return String(format: "%.1f", value)
        }
        func money(_ value: Double?) -> String {
            guard let value else { return "–" }
            let whole = Int(value.rounded())
            var digits = String(whole)
            var groups: [String] = []
            while digits.count > 3 {
                groups.insert(String(digits.suffix(3)), at: 0)
                digits.removeLast(3)
            }
            groups.insert(digits, at: 0)
            return groups.joined(separator: ",")
        }
        func component(_ account: AccountHealth, _ kind: HealthComponentKind) -> String {
            guard let part = account.components.first(where: { $0.kind == kind }), let value = part.value else { return "–" }
            return String(format: "%.0f", value) + (part.substituted ? "*" : "")
        }
        var table = TextTable(
            header: ["account", "name", "MRR", "owner", "score", "zone", "move", "NPS", "CES", "CSAT", "engage", "resp"],
            rightAligned: [2, 4, 7, 8, 9, 10, 11])
        for account in accounts {
            table.add([
                account.id, account.name, money(account.mrr), account.owner ?? "–", number(account.score),
                account.zone?.rawValue.uppercased() ?? "no data",
                account.move.map { "\($0)" } ?? (account.previousZone == nil ? "new" : "–"),
                component(account, .nps), component(account, .ces), component(account, .csat),
                component(account, .engagement), "\(account.responses)",
            ])
        }
        var lines = [table.render()]
        lines.append("")
        lines.append("Components are 0–100 before weighting (– no data, * the model's stand-in for missing data).")
        let due = accounts.filter { !$0.actions.isEmpty }
        if !due.isEmpty {
            lines.append("")
            lines.append("Actions due")
            for account in due {
                let drivers = account.components
                    .filter { $0.value != nil }
                    .sorted { $0.contribution > $1.contribution }
                    .map { "\($0.kind.rawValue) \(String(format: "%.1f", $0.contribution))" }
                    .joined(separator: ", ")
                lines.append("  \(account.id) (\(account.name)) — \(account.zone?.rawValue ?? "no data") \(number(account.score)): \(drivers)")
                for action in account.actions {
                    lines.append("    • [\(action.reason)] \(action.action) — \(action.owner)")
                }
            }
        }
        lines.append("")
        lines.append(recorded
            ? "Zones recorded: the next run shows moves against this one."
            : "Dry run: zones not recorded.")
        return lines.joined(separator: "\n")
    }
}
