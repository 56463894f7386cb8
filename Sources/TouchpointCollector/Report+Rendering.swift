import Foundation
import TouchpointCore

extension Report {
    /// The figure columns of the report's metric: header and the row's formatted value.
    private var figureColumns: [(header: String, value: (ReportRow) -> String)] {
        func number(_ value: Double?, _ digits: Int) -> String {
            value.map { String(format: "%.\(digits)f", $0) } ?? "–"
        }
        func count(_ value: Int?) -> String { value.map(String.init) ?? "–" }
        switch metric {
        case .nps:
            return [
                ("NPS", { number($0.score, 1) }), ("±95%", { number($0.marginOfError, 1) }),
                ("promoters", { count($0.promoters) }), ("passives", { count($0.passives) }),
                ("detractors", { count($0.detractors) }),
            ]
        case .ces:
            return [
                ("CES mean", { $0.n > 0 && $0.scale == nil ? "mixed†" : number($0.mean, 2) }),
                ("scale", { $0.scale.map { "1–\($0)" } ?? "–" }),
                ("easy %", { number($0.easyShare, 1) }), ("easy", { count($0.easy) }),
            ]
        case .csat:
            return [("CSAT % (4–5)", { number($0.score, 1) }), ("satisfied", { count($0.satisfied) })]
        }
    }

    /// An aligned text table: one line per group, a total line, and a footnote for groups that are too small.
    ///
    /// Rows whose count is below the minimum are marked with `*` after `n`.
    public func table() -> String {
        let dimensions = groupBy.map(\.rawValue)
        let figures = figureColumns
        let header = dimensions + ["n"] + figures.map(\.header)
        func cells(_ row: ReportRow, label: String?) -> [String] {
            let group = label.map { [$0] + Array(repeating: "", count: max(0, dimensions.count - 1)) }
                ?? groupBy.map { row.value($0) }
            return group + ["\(row.n)\(row.tooSmall ? "*" : "")"] + figures.map { $0.value(row) }
        }
        // Group values read left-aligned; counts and figures right-aligned.
        var table = TextTable(header: header, rightAligned: Set(dimensions.count..<header.count))
        if dimensions.isEmpty {
            table.add(cells(total, label: nil))
        } else {
            for row in rows { table.add(cells(row, label: nil)) }
            table.addRule()
            table.add(cells(total, label: "total"))
        }
        var output = [table.render()]
        var notes: [String] = []
        if rows.contains(where: \.tooSmall) || total.tooSmall {
            notes.append("* fewer than \(minimumCount) answers: too few to rely on.")
        }
        if metric == .ces, total.n > 0, total.scale == nil {
            notes.append("† answers on 1–5 and 1–7 scales do not average; the easy share compares across scales.")
        }
        notes += self.notes?.lines ?? []
        if !notes.isEmpty {
            output += [""] + notes
        }
        return output.joined(separator: "\n")
    }

    /// The report as RFC 4180 CSV: the grouped dimensions, `n`, `too_small`, then the metric's figures
    /// (numbers unrounded; empty when there are none); the total row is left out.
    public func csv() -> String {
        let dimensions = groupBy.map(\.rawValue)
        let names: [String]
        let values: (ReportRow) -> [Double?]
        switch metric {
        case .nps:
            names = ["nps", "margin_of_error", "promoters", "passives", "detractors"]
            values = { [$0.score, $0.marginOfError, $0.promoters.map(Double.init), $0.passives.map(Double.init), $0.detractors.map(Double.init)] }
        case .ces:
            names = ["mean", "scale", "easy_share", "easy"]
            values = { [$0.mean, $0.scale.map(Double.init), $0.easyShare, $0.easy.map(Double.init)] }
        case .csat:
            names = ["csat", "satisfied"]
            values = { [$0.score, $0.satisfied.map(Double.init)] }
        }
        func format(_ value: Double?) -> String {
            guard let value else { return "" }
            return value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }
        var text = CSV.record(dimensions + ["n", "too_small"] + names)
        for row in rows {
            text += CSV.record(groupBy.map { row.value($0) } + [String(row.n), row.tooSmall ? "true" : "false"] + values(row).map(format))
        }
        return text
    }
}
