import Foundation
import TouchpointCore

/// Yes/no and choice answers: per group, how many answers and each option's count and share
/// (`touchpoint report choice`, the dashboard's choices card).
///
/// Its JSON has the shape of ``Report``'s: the query's grouping and filters, `rows` and `total`, each row carrying
/// `options` (option id → count and share). A yes/no answer counts as the option `yes` or `no`. Options of different
/// questions are only meaningful apart: the report is always grouped by question unless it is filtered to one.
public struct ChoiceReport: Sendable, Hashable, Encodable {
    /// One option's figures within a group.
    public struct Option: Sendable, Hashable, Encodable {
        /// How many answers chose it.
        public var count: Int
        /// ``count`` over the group's answers, in percent.
        public var share: Double
    }

    /// One group: its dimension values, how many answers, and each option.
    public struct Row: Sendable, Hashable, Encodable {
        /// The group's value of each grouped dimension, by dimension name (empty for the total).
        public var group: [String: String]
        /// The answers counted.
        public var n: Int
        /// Whether ``n`` is below the report's minimum count.
        public var tooSmall: Bool
        /// Each option chosen at least once, by option id.
        public var options: [String: Option]

        /// The group's row from its option counts.
        public init(group: [String: String], counts: [String: Int], minimumCount: Int) {
            self.group = group
            n = counts.values.reduce(0, +)
            tooSmall = n < minimumCount
            let total = Double(n)
            options = counts.mapValues { Option(count: $0, share: total > 0 ? Double($0) * 100 / total : 0) }
        }

        /// The row's value of `dimension` ("" if the report is not grouped by it).
        public func value(_ dimension: ReportDimension) -> String {
            group[dimension.rawValue] ?? ""
        }

        /// The options, most chosen first (then by id).
        public var ranked: [(id: String, option: Option)] {
            options.map { ($0.key, $0.value) }.sorted { ($1.option.count, $0.id) < ($0.option.count, $1.id) }
        }
    }

    /// Always `choice`.
    public var metric = "choice"
    /// The grouping, in order (``grouping(for:)``).
    public var groupBy: [ReportDimension]
    /// The lower time bound, if any.
    public var from: Date?
    /// The upper time bound (exclusive), if any.
    public var to: Date?
    /// The equality filters, by dimension name.
    public var filters: [String: String]
    /// Whether suspect responses were counted.
    public var includeSuspect: Bool
    /// Whether partial responses were counted.
    public var includePartial: Bool
    /// Rows with fewer answers than this are flagged.
    public var minimumCount: Int
    /// One row per group, sorted by the group's values.
    public var rows: [Row]
    /// Every counted answer.
    public var total: Row
    /// What the report says about privacy beside its figures (``ReportNotes``), when an outlet asked; nil otherwise.
    public var notes: ReportNotes?

    /// The grouping a choice report of `query` uses: the query's, with `question` first unless it is grouped or filtered
    /// by question already (options of different questions do not add up).
    public static func grouping(for query: ReportQuery) -> [ReportDimension] {
        if query.groupBy.contains(.question) || query.filters[.question] != nil { return query.groupBy }
        return [.question] + query.groupBy
    }

    /// The option a stored yes/no or choice answer counts as: the option id, or `yes`/`no`; nil for anything else.
    public static func option(type: String, number: Int?, text: String?) -> String? {
        switch QuestionType(rawValue: type) {
        case .choice: text
        case .yesno: number.map { $0 != 0 ? "yes" : "no" }
        default: nil
        }
    }

    /// Builds the report from option counts keyed by group values (in ``grouping(for:)`` order): pure.
    public init(query: ReportQuery, counts: [[String]: [String: Int]]) {
        groupBy = Self.grouping(for: query)
        from = query.from
        to = query.to
        filters = Dictionary(uniqueKeysWithValues: query.filters.filter { !$0.key.isTime }.map { ($0.key.rawValue, $0.value) })
        includeSuspect = query.includeSuspect
        includePartial = query.includePartial
        minimumCount = query.minimumCount
        let names = groupBy.map(\.rawValue)
        rows = counts.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { key in
            Row(group: Dictionary(uniqueKeysWithValues: zip(names, key)), counts: counts[key] ?? [:], minimumCount: query.minimumCount)
        }
        var all: [String: Int] = [:]
        for group in counts.values {
            all.merge(group, uniquingKeysWith: +)
        }
        total = Row(group: [:], counts: all, minimumCount: query.minimumCount)
    }

    /// The report as a text table: the group's values, n, then each option as `id count (share%)`, most chosen first.
    public func table() -> String {
        var table = TextTable(header: groupBy.map(\.rawValue) + ["n", "options"], rightAligned: [groupBy.count])
        for row in rows {
            table.add(groupBy.map { row.value($0) } + [String(row.n) + (row.tooSmall ? "*" : ""), Self.optionsText(row)])
        }
        table.addRule()
        // Options of several questions do not add up: the total's options only for one question.
        let questions = Set(rows.map { $0.value(.question) })
        let single = filters["question"] != nil || !groupBy.contains(.question) || questions.count <= 1
        table.add(["total"] + Array(repeating: "", count: max(0, groupBy.count - 1))
            + [String(total.n), single ? Self.optionsText(total) : "(\(questions.count) questions)"])
        let lines = notes?.lines ?? []
        return table.render() + (lines.isEmpty ? "" : "\n\n" + lines.joined(separator: "\n"))
    }

    static func optionsText(_ row: Row) -> String {
        row.ranked.map { "\($0.id) \($0.option.count) (\(String(format: "%.1f", $0.option.share))%)" }.joined(separator: "  ")
    }

    /// The report as CSV: one record per group and option (`total` last), with the group's n.
    public func csv() -> String {
        var text = CSV.record(groupBy.map(\.rawValue) + ["option", "count", "share_percent", "n"])
        for row in rows + [total] {
            let values = row.group.isEmpty ? ["total"] + Array(repeating: "", count: max(0, groupBy.count - 1)) : groupBy.map { row.value($0) }
            for (id, option) in row.ranked {
                text += CSV.record(values.map(CSV.neutralisingFormula) + [id, String(option.count), String(format: "%.1f", option.share), String(row.n)])
            }
        }
        return text
    }
}
