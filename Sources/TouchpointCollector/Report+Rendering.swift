import Foundation

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
        var lines = rows.map { cells($0, label: nil) }
        let totalLine = cells(total, label: dimensions.isEmpty ? nil : "total")
        var widths = header.map(\.count)
        for line in lines + [totalLine] {
            for (index, cell) in line.enumerated() {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func render(_ line: [String]) -> String {
            line.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                // Group values read left-aligned; counts and figures right-aligned.
                return index < dimensions.count ? cell + padding : padding + cell
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var output = [render(header)]
        if !dimensions.isEmpty {
            lines.append(totalLine)
            output += lines.dropLast().map(render)
            output.append(String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1)))
            output.append(render(totalLine))
        } else {
            output.append(render(totalLine))
        }
        var notes: [String] = []
        if rows.contains(where: \.tooSmall) || total.tooSmall {
            notes.append("* fewer than \(minimumCount) answers: too few to rely on.")
        }
        if metric == .ces, total.n > 0, total.scale == nil {
            notes.append("† answers on 1–5 and 1–7 scales do not average; the easy share compares across scales.")
        }
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
