import Foundation
import TouchpointCollector

/// Escaping and number/date formatting shared by the dashboard's HTML and SVG.
enum DashboardHTML {
    /// `text` with `& < > " '` replaced by entities: safe in element content and quoted attributes.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// An NPS as shown: rounded, with its sign (`+42`, `−7`, `0`); `–` when nil.
    static func nps(_ score: Double?) -> String {
        guard let score else { return "–" }
        let rounded = Int(score.rounded())
        if rounded > 0 { return "+\(rounded)" }
        if rounded < 0 { return "\u{2212}\(-rounded)" }
        return "0"
    }

    /// A margin of error as shown: `±8`; empty when nil.
    static func margin(_ margin: Double?) -> String {
        guard let margin, margin.isFinite else { return "" }
        return "±\(Int(margin.rounded()))"
    }

    /// A share 0…1 as a whole percentage: `78%`; `–` when nil.
    static func percent(_ share: Double?) -> String {
        guard let share, share.isFinite else { return "–" }
        return "\(Int((share * 100).rounded()))%"
    }

    /// A count with thousands separators: `12,345`.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "\u{2212}" + grouped : grouped
    }

    /// A number with one decimal: `5.4`.
    static func decimal(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    /// An amount in short form: `950`, `12.5k`, `1.2M`.
    static func amount(_ value: Double) -> String {
        let magnitude = abs(value)
        func trimmed(_ number: Double) -> String {
            let text = String(format: number < 10 ? "%.1f" : "%.0f", number)
            return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        }
        if magnitude >= 1_000_000 { return trimmed(value / 1_000_000) + "M" }
        if magnitude >= 1_000 { return trimmed(value / 1_000) + "k" }
        return String(format: "%.0f", value)
    }

    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func two(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    /// A time in UTC to the minute: `2026-11-27 17:06 UTC` (the feed's messages use the same form).
    static func time(_ date: Date) -> String {
        FeedEvent.time(date)
    }

    /// A day in UTC: `2026-11-27`.
    static func day(_ date: Date) -> String {
        ReportCalendar.day(of: date)
    }

    /// How long before `now` `date` was: `just now`, `12 min ago`, `3 h ago`, `2 days ago`.
    static func ago(_ date: Date, now: Date) -> String {
        let seconds = now.timeIntervalSince(date)
        if seconds < 60 { return "just now" }
        if seconds < 3600 { return "\(Int(seconds / 60)) min ago" }
        if seconds < 86_400 * 2 { return "\(Int(seconds / 3600)) h ago" }
        return "\(Int(seconds / 86_400)) days ago"
    }

    /// A month key `2026-11` as `Nov 2026` (or the key itself if it is not one).
    static func month(_ key: String) -> String {
        let parts = key.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else {
            return key
        }
        return "\(monthNames[month - 1]) \(year)"
    }

    /// A month key `2026-11` as `Nov ’26`, for narrow chart labels.
    static func shortMonth(_ key: String) -> String {
        let parts = key.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else {
            return key
        }
        return "\(monthNames[month - 1]) \u{2019}\(two(year % 100))"
    }

    /// A month key `2026-11` as `Nov` (or the key itself if it is not one).
    static func monthName(_ key: String) -> String {
        let parts = key.split(separator: "-")
        guard parts.count == 2, let month = Int(parts[1]), (1...12).contains(month) else { return key }
        return monthNames[month - 1]
    }

    /// A coordinate for SVG: at most one decimal, no trailing `.0`.
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.1f", rounded)
    }
}
