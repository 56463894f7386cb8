import ArgumentParser
import Foundation
import Logging
import TouchpointCollector
import TouchpointCore

/// `touchpoint report nps|ces|csat|cases`: scores from the collector's database, grouped and filtered; or the
/// follow-up cases' closed-loop figures.
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

    @Argument(help: "The score: nps, ces or csat; choice (yes/no and choice questions: share per option); or cases (follow-up figures by site or owner).")
    var metric: String
    @OptionGroup var options: CollectorCommand.Options
    @Option(name: .long, help: "Group by these dimensions, comma-separated (e.g. touchpoint,stage or site,month).") var by: String = ""
    @OptionGroup var filters: ReportFilterOptions
    @Option(name: .long, help: "Groups with fewer answers are flagged too small.") var min: Int = 30
    @Option(name: .long, help: "Output: table, csv or json.") var format: Format = .table

    func run() async throws {
        if metric == "cases" {
            try await reportCases()
            return
        }
        guard metric == "choice" || ReportMetric(rawValue: metric) != nil else {
            throw ValidationError("metric must be nps, ces, csat, choice or cases, not '\(metric)'")
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
        guard let scored = ReportMetric(rawValue: metric) else {
            // Yes/no and choice answers: each option's count and share per group.
            let query = ReportQuery(metric: .nps, groupBy: groupBy, selection: selection, minimumCount: min)
            var report: ChoiceReport
            do {
                report = try await storage.choiceReport(query)
                report.notes = try await storage.reportNotes(selection)
            } catch {
                try? await storage.close()
                throw error
            }
            try await storage.close()
            switch format {
            case .table: print(report.table())
            case .csv: print(report.csv(), terminator: "")
            case .json: print(try jsonText(report))
            }
            return
        }
        let report: Report
        do {
            var computed = try await storage.report(ReportQuery(metric: scored, groupBy: groupBy, selection: selection, minimumCount: min))
            computed.notes = try await storage.reportNotes(selection)
            report = computed
        } catch {
            try? await storage.close()
            throw error
        }
        try await storage.close()
        switch format {
        case .table: print(report.table())
        case .csv: print(report.csv(), terminator: "")
        case .json: print(try jsonText(report))
        }
    }

    /// `touchpoint report cases`: cases opened in the range (by site, or `--by owner`), open and overdue now,
    /// median time to first contact and the share closed within the SLA.
    func reportCases() async throws {
        let grouping: CaseReport.Grouping
        switch by.lowercased() {
        case "", "site": grouping = .site
        case "owner": grouping = .owner
        default: throw ValidationError("--by: cases are grouped by site or owner, not '\(by)'")
        }
        let selection = try filters.selection()
        if let other = selection.filters.keys.map(\.rawValue).sorted().first(where: { $0 != "site" }) {
            throw ValidationError("--\(other) does not apply to cases (they can be limited by --site, --from and --to)")
        }
        try options.bootstrapLogging()
        let query = CaseQuery(site: selection.filters[.site], openedFrom: selection.from, openedTo: selection.to)
        let cases = try await options.withExistingStorage { try await $0.cases(query) }
        let report = CaseReport.make(cases, by: grouping, at: Date())
        switch format {
        case .table: print(report.table())
        case .csv: print(report.csv(), terminator: "")
        case .json: print(try jsonText(report))
        }
    }
}
