import Foundation
import TouchpointCollector

/// The dashboard's charts as inline SVG: no script, no external file, styled by the page's CSS classes.
///
/// Every chart is 600 units wide and scales to its card (`width="100%"` with a `viewBox`). Text from the
/// data goes through ``DashboardHTML/escape(_:)``.
enum DashboardSVG {
    /// The width of every chart's view box.
    static let width = 600.0

    /// The colours charts and the page share.
    enum Colour {
        static let text = "#1d2330"
        static let muted = "#6b7280"
        static let grid = "#e5e7eb"
        static let axis = "#9ca3af"
        static let good = "#1f9d72"
        static let fair = "#e0a526"
        static let bad = "#d64545"
        static let csat = "#3b6fd8"
        static let ces = "#8a5cd6"
        static let track = "#f1f2f5"

        /// The colour of a zone's dots.
        static func zone(_ zone: HealthZone) -> String {
            switch zone {
            case .red: "#d64545"
            case .yellow: "#e7b416"
            case .green: "#1f9d72"
            }
        }

        /// The light tint of a zone's band.
        static func band(_ zone: HealthZone) -> String {
            switch zone {
            case .red: "#fcebeb"
            case .yellow: "#fdf5d9"
            case .green: "#e5f5ee"
            }
        }

        /// The colour of an NPS: red below 0, amber up to 30, green from 30.
        static func nps(_ score: Double) -> String {
            score < 0 ? bad : score < 30 ? fair : good
        }
    }

    // MARK: - Charts

    /// Horizontal NPS bars from −100 to 100 around a zero line, with 95% error bars, one row per figure.
    /// A row's target, if `target` gives one, is a dark tick across its bar labelled with the target.
    static func npsBars(
        _ rows: [DashboardData.NPSFigure], label: String = "NPS per touchpoint and stage with 95% error bars",
        target: (DashboardData.NPSFigure) -> Double? = { _ in nil }
    ) -> String {
        let x0 = 160.0, x1 = width - 140
        func x(_ value: Double) -> Double { x0 + (min(max(value, -100), 100) + 100) / 200 * (x1 - x0) }
        let top = 28.0, rowHeight = 52.0
        let height = top + Double(rows.count) * rowHeight + 6
        var svg = open(height: height, label: label)
        for tick in stride(from: -100, through: 100, by: 50) {
            let tx = x(Double(tick))
            svg += line(tx, top - 4, tx, height - 4, stroke: tick == 0 ? Colour.muted : Colour.grid, width: tick == 0 ? 1.5 : 1)
            svg += text(tx, top - 10, DashboardHTML.nps(Double(tick)), anchor: "middle", className: "tick")
        }
        for (index, row) in rows.enumerated() {
            let middle = top + Double(index) * rowHeight + rowHeight / 2
            svg += "<g class=\"nps-row\"><title>\(DashboardHTML.escape(describe(row)))</title>"
            svg += text(x0 - 12, middle - 2, clipped(row.label, to: 19), anchor: "end", className: "label")
            if let stage = row.stage {
                svg += text(x0 - 12, middle + 12, stage.rawValue, anchor: "end", className: "sub")
            }
            if let score = row.score {
                let from = min(x(0), x(score)), to = max(x(0), x(score))
                let colour = Colour.nps(score)
                let width: Double = max(to - from, 1.5)
                let faded: String = row.tooSmall ? " fill-opacity=\"0.3\" stroke=\"\(colour)\" stroke-dasharray=\"4 3\"" : ""
                svg += "<rect x=\"\(c(from))\" y=\"\(c(middle - 11))\" width=\"\(c(width))\" height=\"22\" rx=\"3\""
                svg += " fill=\"\(colour)\"\(faded)/>"
                if let margin = row.marginOfError, margin.isFinite, margin > 0 {
                    let low = x(score - margin), high = x(score + margin)
                    svg += line(low, middle, high, middle, stroke: Colour.text, width: 1.5)
                    svg += line(low, middle - 7, low, middle + 7, stroke: Colour.text, width: 1.5)
                    svg += line(high, middle - 7, high, middle + 7, stroke: Colour.text, width: 1.5)
                }
                svg += text(x1 + 14, middle - 2, DashboardHTML.nps(score) + " " + DashboardHTML.margin(row.marginOfError), className: "value")
                if let goal = target(row) {
                    let tx = x(goal)
                    svg += "<g class=\"target\"><title>target \(DashboardHTML.escape(DashboardHTML.nps(goal)))</title>"
                    svg += line(tx, middle - 16, tx, middle + 16, stroke: Colour.text, width: 3)
                    svg += text(tx, middle + 25, "target " + DashboardHTML.nps(goal), anchor: "middle", className: "sub")
                    svg += "</g>"
                }
            } else {
                svg += text(x1 + 14, middle - 2, "no answers", className: "sub")
            }
            let tooFew: String = row.tooSmall ? " · too few" : ""
            let countText = "n = \(DashboardHTML.count(row.count))\(tooFew)"
            svg += text(x1 + 14, middle + 12, countText, className: row.tooSmall ? "warn" : "sub")
            svg += "</g>"
        }
        return svg + "</svg>"
    }

    /// The colours of a choice question's options, in rank order (then repeating).
    static let optionColours = ["#3b6fd8", "#1f9d72", "#e0a526", "#8a5cd6", "#d64545", "#6b7280"]

    /// Yes/no and choice questions: one stacked bar per question (survey and question), each option's share a segment,
    /// most chosen first, labelled below with its share and count.
    static func choices(_ rows: [ChoiceReport.Row]) -> String {
        let x0 = 170.0, x1 = width - 70
        let top = 8.0, rowHeight = 62.0
        let height = top + Double(rows.count) * rowHeight
        var svg = open(height: height, label: "Share of each option of the yes/no and choice questions")
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            svg += "<g class=\"choice-row\">"
            svg += text(x0 - 12, y + 15, clipped(row.value(.question), to: 21), anchor: "end", className: "label")
            svg += text(x0 - 12, y + 29, clipped(row.value(.survey), to: 24), anchor: "end", className: "sub")
            var left = x0
            var legend: [String] = []
            for (rank, option) in row.ranked.enumerated() {
                let width = (x1 - x0) * option.option.share / 100
                let colour = optionColours[rank % optionColours.count]
                svg += "<rect x=\"\(c(left))\" y=\"\(c(y + 4))\" width=\"\(c(max(width, 0.5)))\" height=\"20\" fill=\"\(colour)\""
                svg += row.tooSmall ? " fill-opacity=\"0.35\">" : ">"
                svg += "<title>\(DashboardHTML.escape("\(option.id): \(option.option.count) of \(row.n) (\(DashboardHTML.percent(option.option.share / 100)))"))</title></rect>"
                left += width
                legend.append("\(option.id) \(DashboardHTML.percent(option.option.share / 100))")
            }
            svg += text(x1 + 8, y + 18, "n = \(DashboardHTML.count(row.n))", className: row.tooSmall ? "warn" : "sub")
            svg += text(x0, y + 40, clipped(legend.joined(separator: " · "), to: 70), className: "sub")
            svg += "</g>"
        }
        return svg + "</svg>"
    }

    /// Responses per weekday (rows, Monday first) and hour (columns), each cell shaded by its count against the busiest.
    static func heatmap(_ volume: VolumeHeatmap) -> String {
        let left = 44.0, top = 22.0, cell = (width - left - 8) / 24, rowHeight = 26.0
        let height = top + 7 * rowHeight + 4
        var svg = open(height: height, label: "Responses per weekday and hour (\(volume.timeZone.identifier))")
        for hour in stride(from: 0, to: 24, by: 3) {
            svg += text(left + Double(hour) * cell + cell / 2, top - 8, String(format: "%02d", hour), anchor: "middle", className: "tick")
        }
        let busiest = Double(max(volume.maximum, 1))
        for (day, name) in VolumeHeatmap.weekdays.enumerated() {
            let y = top + Double(day) * rowHeight
            svg += text(left - 8, y + rowHeight / 2 + 4, name, anchor: "end", className: "label")
            for hour in 0..<24 {
                let count = volume.counts[day][hour]
                let opacity = count == 0 ? 0 : 0.12 + 0.88 * Double(count) / busiest
                svg += "<rect class=\"cell\" x=\"\(c(left + Double(hour) * cell + 1))\" y=\"\(c(y + 1))\" width=\"\(c(cell - 2))\" height=\"\(c(rowHeight - 2))\" rx=\"2\""
                svg += count == 0 ? " fill=\"\(Colour.track)\">" : " fill=\"\(Colour.csat)\" fill-opacity=\"\(String(format: "%.2f", opacity))\">"
                svg += "<title>\(name) \(String(format: "%02d:00–%02d:00", hour, hour + 1)): \(count) response\(count == 1 ? "" : "s")</title></rect>"
            }
        }
        return svg + "</svg>"
    }

    /// The monthly NPS as a line with its 95% band; hollow dots are months with too few answers.
    static func trend(_ points: [DashboardData.NPSFigure]) -> String {
        let scored = points.compactMap { point in point.score.map { (point, $0) } }
        let height = 270.0, left = 48.0, right = 24.0, top = 26.0, bottom = 50.0
        var low = 0.0, high = 0.0
        for (point, score) in scored {
            let margin = point.marginOfError.flatMap { $0.isFinite ? $0 : nil } ?? 0
            low = min(low, score - margin)
            high = max(high, score + margin)
        }
        let step = 20.0
        low = max(-100, (low / step).rounded(.down) * step)
        high = min(100, (high / step).rounded(.up) * step)
        if high - low < 60 {
            high = min(100, low + 60)
            low = max(-100, high - 60)
        }
        let plotBottom = height - bottom
        func y(_ value: Double) -> Double { top + (high - min(max(value, low), high)) / (high - low) * (plotBottom - top) }
        let plotLeft = left + 24, plotRight = width - right - 24
        func x(_ index: Int) -> Double {
            scored.count == 1 ? (plotLeft + plotRight) / 2
                : plotLeft + Double(index) * (plotRight - plotLeft) / Double(scored.count - 1)
        }
        var svg = open(height: height, label: "NPS by month with its 95% confidence band")
        for tick in stride(from: low, through: high, by: step) {
            svg += line(left, y(tick), width - right, y(tick), stroke: tick == 0 ? Colour.muted : Colour.grid, width: tick == 0 ? 1.5 : 1)
            svg += text(left - 8, y(tick) + 4, DashboardHTML.nps(tick), anchor: "end", className: "tick")
        }
        let withMargin = scored.enumerated().filter { $0.element.0.marginOfError?.isFinite == true }
        if withMargin.count > 1 {
            let upper = withMargin.map { "\(c(x($0.offset))),\(c(y($0.element.1 + ($0.element.0.marginOfError ?? 0))))" }
            let lower = withMargin.reversed().map { "\(c(x($0.offset))),\(c(y($0.element.1 - ($0.element.0.marginOfError ?? 0))))" }
            svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(Colour.csat)\" fill-opacity=\"0.12\"/>"
        }
        if scored.count > 1 {
            let path = scored.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(c(x($0.offset))),\(c(y($0.element.1)))" }
            svg += "<path d=\"\(path.joined(separator: " "))\" fill=\"none\" stroke=\"\(Colour.csat)\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>"
        }
        let labelEvery = max(1, Int((Double(scored.count) / 12).rounded(.up)))
        for (index, (point, score)) in scored.enumerated() {
            let px = x(index), py = y(score)
            svg += "<g class=\"trend-point\"><title>\(DashboardHTML.escape(describe(point)))</title>"
            svg += "<circle cx=\"\(c(px))\" cy=\"\(c(py))\" r=\"4.5\" fill=\"\(point.tooSmall ? "#ffffff" : Colour.csat)\""
                + " stroke=\"\(Colour.csat)\" stroke-width=\"2\"/>"
            if index % labelEvery == 0 || index == scored.count - 1 {
                svg += text(px, py - 10, DashboardHTML.nps(score), anchor: "middle", className: "value-sm")
                let label = index == 0 || point.label.hasSuffix("-01") || scored.count <= 6
                    ? DashboardHTML.shortMonth(point.label) : DashboardHTML.monthName(point.label)
                svg += text(px, plotBottom + 18, label, anchor: "middle", className: "tick")
                svg += text(px, plotBottom + 32, "n \(DashboardHTML.count(point.count))", anchor: "middle",
                            className: point.tooSmall ? "warn" : "sub")
            }
            svg += "</g>"
        }
        return svg + "</svg>"
    }

    /// Two bars per touchpoint, 0–100%: the CSAT share (4–5) and the CES share of easy answers.
    static func scores(_ rows: [DashboardData.TouchpointScores]) -> String {
        let x0 = 120.0, x1 = width - 200
        func x(_ share: Double) -> Double { x0 + min(max(share, 0), 1) * (x1 - x0) }
        let top = 28.0, rowHeight = 58.0
        let height = top + Double(rows.count) * rowHeight + 4
        var svg = open(height: height, label: "CSAT and CES per touchpoint")
        for tick in stride(from: 0, through: 100, by: 25) {
            let tx = x(Double(tick) / 100)
            svg += line(tx, top - 4, tx, height - 4, stroke: Colour.grid, width: 1)
            svg += text(tx, top - 10, "\(tick)%", anchor: "middle", className: "tick")
        }
        for (index, row) in rows.enumerated() {
            let middle = top + Double(index) * rowHeight + rowHeight / 2
            svg += "<g><title>\(DashboardHTML.escape(row.touchpoint))</title>"
                + text(x0 - 12, middle + 4, clipped(row.touchpoint, to: 14), anchor: "end", className: "label") + "</g>"
            let csatText: String
            if let share = row.csatShare {
                csatText = "\(DashboardHTML.percent(share)) · n \(DashboardHTML.count(row.csatCount))"
            } else {
                csatText = "no CSAT answers"
            }
            svg += bar(x0: x0, x1: x1, to: row.csatShare.map(x), y: middle - 17, colour: Colour.csat, tooSmall: row.csatTooSmall,
                       title: "\(row.touchpoint) CSAT (share of 4–5): \(csatText)")
            svg += text(x1 + 12, middle - 7, csatText + (row.csatTooSmall ? " · too few" : ""),
                        className: row.csatShare == nil ? "sub" : row.csatTooSmall ? "warn" : "value-sm")
            let cesText: String
            if let share = row.cesEasyShare {
                let mean = row.cesMean.map { " · mean \(DashboardHTML.decimal($0))" + (row.cesScale.map { "/\($0)" } ?? "") } ?? ""
                cesText = "\(DashboardHTML.percent(share))\(mean) · n \(DashboardHTML.count(row.cesCount))"
            } else if let mean = row.cesMean {
                cesText = "mean \(DashboardHTML.decimal(mean))\(row.cesScale.map { "/\($0)" } ?? "") · n \(DashboardHTML.count(row.cesCount))"
            } else {
                cesText = "no CES answers"
            }
            svg += bar(x0: x0, x1: x1, to: row.cesEasyShare.map(x), y: middle + 3, colour: Colour.ces, tooSmall: row.cesTooSmall,
                       title: "\(row.touchpoint) CES (share of easy answers): \(cesText)")
            svg += text(x1 + 12, middle + 13, cesText + (row.cesTooSmall ? " · too few" : ""),
                        className: row.cesEasyShare == nil && row.cesMean == nil ? "sub" : row.cesTooSmall ? "warn" : "value-sm")
        }
        return svg + "</svg>"
    }

    /// The health matrix: health 0–100 across, MRR up (log scale when it spans decades), dots by zone over zone bands.
    static func healthMatrix(_ accounts: [DashboardData.AccountPoint], thresholds: HealthModel.ZoneThresholds?) -> String {
        let height = 400.0, left = 70.0, right = 20.0, top = 30.0, bottom = 50.0
        let plotted = accounts.compactMap { account in account.mrr.flatMap { $0 >= 0 ? (account, $0) : nil } }
        let amounts = plotted.map(\.1)
        let smallest = amounts.filter { $0 > 0 }.min() ?? 1, largest = max(amounts.max() ?? 1, 1)
        let logarithmic = largest / smallest >= 20 && amounts.allSatisfy { $0 > 0 }
        var ticks: [Double] = []
        let low: Double, high: Double
        if logarithmic {
            // The nearest 1-2-5 steps around the data, so the dots use the height.
            let steps = (-1...12).flatMap { power in [1.0, 2, 5].map { $0 * pow(10, Double(power)) } }
            low = steps.last { $0 <= smallest } ?? smallest
            high = steps.first { $0 >= largest } ?? largest
            var decade = pow(10, log10(low).rounded(.down))
            while decade <= high {
                for factor in [1.0, 2, 5] where decade * factor >= low && decade * factor <= high {
                    ticks.append(decade * factor)
                }
                decade *= 10
            }
        } else {
            let rough = largest / 4
            let magnitude = pow(10, log10(rough).rounded(.down))
            let nice = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? rough
            low = 0
            high = nice * 4
            ticks = (0...4).map { Double($0) * nice }
        }
        let plotRight = width - right, plotBottom = height - bottom
        // Dots stay a little inside the axes, so none sits on an edge.
        func x(_ health: Double) -> Double { left + 8 + min(max(health, 0), 100) / 100 * (plotRight - left - 16) }
        func y(_ amount: Double) -> Double {
            let fraction = logarithmic
                ? (log10(max(amount, low)) - log10(low)) / (log10(high) - log10(low))
                : (amount - low) / (high - low)
            return plotBottom - 10 - min(max(fraction, 0), 1) * (plotBottom - top - 20)
        }
        var svg = open(height: height, label: "Account health against MRR, coloured by zone")
        if let thresholds {
            let bands: [(HealthZone, Double, Double)] = [
                (.red, 0, thresholds.yellow), (.yellow, thresholds.yellow, thresholds.green), (.green, thresholds.green, 100),
            ]
            for (zone, from, to) in bands where to > from {
                let start = from <= 0 ? left : x(from), end = to >= 100 ? plotRight : x(to)
                svg += "<rect x=\"\(c(start))\" y=\"\(c(top))\" width=\"\(c(end - start))\" height=\"\(c(plotBottom - top))\""
                    + " fill=\"\(Colour.band(zone))\"/>"
                svg += text((start + end) / 2, top - 10, zone.rawValue.uppercased(), anchor: "middle", className: "band-\(zone.rawValue)")
            }
        }
        for tick in ticks {
            svg += line(left, y(tick), plotRight, y(tick), stroke: Colour.grid, width: 1)
            svg += text(left - 8, y(tick) + 4, DashboardHTML.amount(tick), anchor: "end", className: "tick")
        }
        for tick in stride(from: 0, through: 100, by: 20) {
            svg += line(x(Double(tick)), plotBottom, x(Double(tick)), plotBottom + 5, stroke: Colour.axis, width: 1)
            svg += text(x(Double(tick)), plotBottom + 18, "\(tick)", anchor: "middle", className: "tick")
        }
        svg += line(left, plotBottom, plotRight, plotBottom, stroke: Colour.axis, width: 1)
        svg += line(left, top, left, plotBottom, stroke: Colour.axis, width: 1)
        svg += text((left + plotRight) / 2, height - 8, "Health score →", anchor: "middle", className: "axis")
        svg += "<text x=\"16\" y=\"\(c((top + plotBottom) / 2))\" text-anchor=\"middle\" class=\"axis\""
            + " transform=\"rotate(-90 16 \(c((top + plotBottom) / 2)))\">MRR\(logarithmic ? " (log scale)" : "") →</text>"
        for (account, amount) in plotted.sorted(by: { $0.1 > $1.1 }) {
            let px = x(account.health), py = y(amount)
            svg += "<g class=\"account zone-\(account.zone.rawValue)\"><title>\(DashboardHTML.escape(describe(account)))</title>"
            svg += "<circle cx=\"\(c(px))\" cy=\"\(c(py))\" r=\"7\" fill=\"\(Colour.zone(account.zone))\" stroke=\"#ffffff\" stroke-width=\"1.5\"/></g>"
        }
        // Names: red accounts first, then by revenue; a name that would overlap one already placed is left
        // out (its dot keeps its tooltip). At most 12 names when there are many dots.
        let dots = plotted.map { account, amount in
            LabelBox(x0: x(account.health) - 6, y0: y(amount) - 6, x1: x(account.health) + 6, y1: y(amount) + 6)
        }
        var placed: [LabelBox] = []
        let limit = plotted.count <= 16 ? plotted.count : 12
        for (account, amount) in plotted.sorted(by: Self.redFirstThenLargest) where placed.count < limit {
            let px = x(account.health), py = y(amount)
            let textWidth = Double(account.name.count) * 5.9 + 4
            let sides = px > plotRight - 120 ? [true, false] : [false, true]
            for onLeft in sides {
                let start = onLeft ? px - 11 - textWidth : px + 11
                let box = LabelBox(x0: start, y0: py - 9, x1: start + textWidth, y1: py + 6)
                guard box.x0 >= left + 2, box.x1 <= plotRight + 16, !placed.contains(where: { $0.overlaps(box) }),
                    !dots.contains(where: { $0.overlaps(box) })
                else { continue }
                placed.append(box)
                svg += text(onLeft ? px - 11 : px + 11, py + 4, account.name, anchor: onLeft ? "end" : "start", className: "dot-label")
                break
            }
        }
        return svg + "</svg>"
    }

    // MARK: - Pieces

    private static func c(_ value: Double) -> String { DashboardHTML.coordinate(value) }

    /// `text` cut to `limit` characters with an ellipsis, so a long name stays inside its chart.
    static func clipped(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    private static func open(height: Double, label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(c(width)) \(c(height))\" width=\"100%\""
            + " role=\"img\" aria-label=\"\(DashboardHTML.escape(label))\">"
    }

    private static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double) -> String {
        "<line x1=\"\(c(x1))\" y1=\"\(c(y1))\" x2=\"\(c(x2))\" y2=\"\(c(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(c(width))\"/>"
    }

    private static func text(_ x: Double, _ y: Double, _ content: String, anchor: String = "start", className: String) -> String {
        "<text x=\"\(c(x))\" y=\"\(c(y))\" text-anchor=\"\(anchor)\" class=\"\(className)\">\(DashboardHTML.escape(content))</text>"
    }

    private static func bar(x0: Double, x1: Double, to end: Double?, y: Double, colour: String, tooSmall: Bool, title: String) -> String {
        var svg = "<g><title>\(DashboardHTML.escape(title))</title>"
        svg += "<rect x=\"\(c(x0))\" y=\"\(c(y))\" width=\"\(c(x1 - x0))\" height=\"14\" rx=\"3\" fill=\"\(Colour.track)\"/>"
        if let end {
            let width: Double = max(end - x0, 1.5)
            let faded: String = tooSmall ? " fill-opacity=\"0.3\" stroke=\"\(colour)\" stroke-dasharray=\"4 3\"" : ""
            svg += "<rect x=\"\(c(x0))\" y=\"\(c(y))\" width=\"\(c(width))\" height=\"14\" rx=\"3\" fill=\"\(colour)\"\(faded)/>"
        }
        return svg + "</g>"
    }

    private static func describe(_ figure: DashboardData.NPSFigure) -> String {
        let name = figure.stage.map { "\(figure.label) (\($0.rawValue))" } ?? DashboardHTML.month(figure.label)
        let score = figure.score.map { "NPS \(DashboardHTML.nps($0)) \(DashboardHTML.margin(figure.marginOfError))" } ?? "no NPS"
        let caveat: String = figure.tooSmall ? " (too few answers to rely on)" : ""
        return "\(name): \(score), n = \(figure.count): \(figure.promoters) promoters, \(figure.passives) passives, "
            + "\(figure.detractors) detractors\(caveat)"
    }

    /// Red accounts first, then by amount, largest first.
    /// The box a dot's name takes, to keep names from overlapping.
    private struct LabelBox {
        var x0: Double, y0: Double, x1: Double, y1: Double

        func overlaps(_ other: LabelBox) -> Bool {
            x0 < other.x1 && other.x0 < x1 && y0 < other.y1 && other.y0 < y1
        }
    }

    private static func redFirstThenLargest(
        _ left: (DashboardData.AccountPoint, Double), _ right: (DashboardData.AccountPoint, Double)
    ) -> Bool {
        let leftRed: Bool = left.0.zone == .red
        let rightRed: Bool = right.0.zone == .red
        if leftRed != rightRed { return leftRed }
        return left.1 > right.1
    }

    private static func describe(_ account: DashboardData.AccountPoint) -> String {
        let mrr = account.mrr.map { "MRR \(DashboardHTML.amount($0))" } ?? "no MRR"
        let owner = account.owner.map { ", owner \($0)" } ?? ""
        return "\(account.name): health \(Int(account.health.rounded())) (\(account.zone.rawValue)), \(mrr)\(owner)"
    }
}
