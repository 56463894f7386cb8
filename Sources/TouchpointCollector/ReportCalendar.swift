import Foundation
import TouchpointCore

/// UTC days, ISO weeks and months as report groups, by integer arithmetic on days since 1970-01-01.
///
/// Aggregates are kept per UTC day (`YYYY-MM-DD`); weeks (`YYYY-Www`, ISO 8601) and months (`YYYY-MM`)
/// are derived from the day.
public enum ReportCalendar {
    static let secondsPerDay: Int64 = 86_400

    /// The day number (days since 1970-01-01, UTC) of `date`, at millisecond precision.
    public static func dayNumber(of date: Date) -> Int64 {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let perDay = secondsPerDay * 1000
        return millis >= 0 ? millis / perDay : (millis - perDay + 1) / perDay
    }

    /// The day `YYYY-MM-DD` of `date` in UTC.
    public static func day(of date: Date) -> String {
        day(number: dayNumber(of: date))
    }

    /// Midnight UTC at the start of day `number`.
    public static func midnight(ofDay number: Int64) -> Date {
        Date(timeIntervalSince1970: Double(number * secondsPerDay))
    }

    /// Whether `date` is a UTC midnight (to the millisecond).
    public static func isMidnight(_ date: Date) -> Bool {
        midnight(ofDay: dayNumber(of: date)) == Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    /// The text `YYYY-MM-DD` of day `number`.
    public static func day(number: Int64) -> String {
        let (year, month, day) = CivilTime.civil(number)
        return CivilTime.padded(year, width: 4) + "-" + CivilTime.padded(month, width: 2) + "-" + CivilTime.padded(day, width: 2)
    }

    /// The day number of a `YYYY-MM-DD` text, or nil if it is not a valid date.
    public static func dayNumber(_ text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]),
            (1...12).contains(month), day >= 1
        else { return nil }
        let number = CivilTime.days(year: year, month: month, day: day)
        guard CivilTime.civil(number) == (year, month, day) else { return nil }
        return number
    }

    /// The group value of a time `dimension` for day `YYYY-MM-DD` (the day itself for non-time dimensions).
    public static func bucket(_ dimension: ReportDimension, day text: String) -> String {
        switch dimension {
        case .month: return String(text.prefix(7))
        case .week:
            guard let number = dayNumber(text) else { return text }
            return week(ofDay: number)
        default: return text
        }
    }

    /// The ISO 8601 week `YYYY-Www` of day `number` (weeks start on Monday; week 1 holds the first Thursday).
    public static func week(ofDay number: Int64) -> String {
        let weekday = ((number + 3) % 7 + 7) % 7  // Monday 0 … Sunday 6; 1970-01-01 was a Thursday.
        let thursday = number - weekday + 3
        let year = CivilTime.civil(thursday).year
        let week = (thursday - CivilTime.days(year: year, month: 1, day: 1)) / 7 + 1
        return CivilTime.padded(year, width: 4) + "-W" + CivilTime.padded(week, width: 2)
    }
}
