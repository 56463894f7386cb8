import ArgumentParser
import Foundation
import Logging
import TouchpointCollector
import TouchpointCore

/// `touchpoint report nps|ces|csat`: scores from the collector's database, grouped and filtered.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "NPS, CES or CSAT from the collector's database, grouped and filtered.",
        discussion: """
            Groups with fewer answers than --min are marked with * (shown, not hidden). Suspect and partial \
            responses are left out unless asked for. Dimensions for --by: \
            \(ReportDimension.allCases.map(\.rawValue).joined(separator: ", ")).
            """)

    /// How the report is printed.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Argument(help: "The score: nps, ces or csat.") var metric: String
    @OptionGroup var options: CollectorCommand.Options
    @Option(name: .long, help: "Group by these dimensions, comma-separated (e.g. touchpoint,stage or site,month).") var by: String = ""
    @OptionGroup var filters: ReportFilterOptions
    @Option(name: .long, help: "Groups with fewer answers are flagged too small.") var min: Int = 30
    @Option(name: .long, help: "Output: table, csv or json.") var format: Format = .table

    func run() async throws {
        guard let metric = ReportMetric(rawValue: metric) else {
            throw ValidationError("metric must be nps, ces or csat, not '\(metric)'")
        }
        let groupBy: [ReportDimension]
        switch ReportDimension.parseList(by) {
        case .success(let dimensions): groupBy = dimensions
        case .failure(let problem): throw ValidationError("--by: \(problem)")
        }
        guard min >= 0 else { throw ValidationError("--min must be 0 or more") }
        let selection = try filters.selection()
        try options.bootstrapLogging()
        let storage = try await options.openExistingStorage(logger: Logger(label: "touchpoint.report"))
        let report = try await storage.report(ReportQuery(metric: metric, groupBy: groupBy, selection: selection, minimumCount: min))
        try await storage.close()
        switch format {
        case .table: print(report.table())
        case .csv: print(report.csv(), terminator: "")
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .custom { date, encoder in
                var container = encoder.singleValueContainer()
                try container.encode(Timestamp.string(date))
            }
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }
}
