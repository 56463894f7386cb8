/// An aligned plain-text table for a terminal: each column as wide as its widest cell, two spaces apart.
///
/// The one table layout of every command that prints one (reports, health, the fleet, the demo summary).
/// Widths count characters, so å, ä and ö line up; trailing spaces are trimmed.
public struct TextTable: Sendable, Hashable {
    private enum Line: Sendable, Hashable {
        case cells([String])
        case rule
    }

    private let header: [String]
    private let rightAligned: Set<Int>
    private var lines: [Line] = []

    /// Creates a table with `header`; the columns at `rightAligned` (0-based) are aligned right (figures).
    public init(header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    /// Adds a row; missing cells are empty, extra cells are dropped.
    public mutating func add(_ row: [String]) {
        lines.append(.cells(Array((row + Array(repeating: "", count: max(0, header.count - row.count))).prefix(header.count))))
    }

    /// Adds a horizontal rule across the table (e.g. above a total).
    public mutating func addRule() {
        lines.append(.rule)
    }

    /// Whether no row was added.
    public var isEmpty: Bool { !lines.contains { if case .cells = $0 { true } else { false } } }

    /// The table as text: the header, then the rows and rules, lines joined by newlines.
    public func render() -> String {
        var widths = header.map(\.count)
        for case .cells(let row) in lines {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func render(_ row: [String]) -> String {
            var text = ""
            for (index, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                if index > 0 { text += "  " }
                text += rightAligned.contains(index) ? padding + cell : cell + padding
            }
            while text.last == " " { text.removeLast() }
            return text
        }
        let ruleWidth = widths.reduce(0, +) + 2 * max(0, widths.count - 1)
        return ([render(header)] + lines.map { line in
            switch line {
            case .cells(let row): render(row)
            case .rule: String(repeating: "─", count: ruleWidth)
            }
        }).joined(separator: "\n")
    }
}
