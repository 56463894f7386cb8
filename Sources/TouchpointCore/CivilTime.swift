import Foundation

/// UTC calendar arithmetic on day numbers (days since 1970-01-01, proleptic Gregorian) and the fixed-width
/// texts made from it,
/// without Foundation's calendars and formatters: timestamps are written and read for every response, and
/// `DateFormatter`, `ISO8601FormatStyle` and `String(format:)` cost more than the rest of that work.
public enum CivilTime {
    /// Milliseconds in a day.
    public static let millisecondsPerDay: Int64 = 86_400_000

    /// Year, month, day of day `number` (Howard Hinnant's `civil_from_days`).
    public static func civil(_ number: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The day number of a civil date (Howard Hinnant's `days_from_civil`).
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `YYYY-MM-DD<separator>HH:MM:SS.mmm<suffix>` of `milliseconds` since 1970 (UTC), or nil outside years
    /// 1600–9999: before the Gregorian reform Foundation's formatters use the Julian calendar, so callers that
    /// must write what Foundation writes leave those years to it.
    public static func text(milliseconds: Int64, separator: UInt8, suffix: UInt8? = nil) -> String? {
        let dayNumber = milliseconds >= 0 ? milliseconds / millisecondsPerDay : (milliseconds + 1) / millisecondsPerDay - 1
        let (year, month, day) = civil(dayNumber)
        guard (1600...9999).contains(year) else { return nil }
        var rest = milliseconds - dayNumber * millisecondsPerDay
        let millisecond = rest % 1000
        rest /= 1000
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var index = 0
            func put(_ value: Int64, width: Int) {
                var value = value
                for position in stride(from: index + width - 1, through: index, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                index += width
            }
            func put(_ byte: UInt8) {
                buffer[index] = byte
                index += 1
            }
            put(year, width: 4)
            put(UInt8(ascii: "-"))
            put(month, width: 2)
            put(UInt8(ascii: "-"))
            put(day, width: 2)
            put(separator)
            put(rest / 3600, width: 2)
            put(UInt8(ascii: ":"))
            put(rest / 60 % 60, width: 2)
            put(UInt8(ascii: ":"))
            put(rest % 60, width: 2)
            put(UInt8(ascii: "."))
            put(millisecond, width: 3)
            if let suffix { put(suffix) }
            return index
        }
    }

    /// `value` in decimal, zero-padded on the left to at least `width` characters, sign included (as `%0*lld`).
    public static func padded(_ value: Int64, width: Int) -> String {
        if value < 0 {
            return "-" + padded(value == .min ? Int64.max : -value, width: width - 1)
        }
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// The milliseconds since 1970 of `YYYY-MM-DDTHH:MM:SS.mmmZ` (what ``text(milliseconds:separator:suffix:)``
    /// writes with `T` and `Z`), read from its bytes; nil for any other text, or a year outside 1600–9999, or a
    /// field out of range (Foundation's parser decides those).
    public static func milliseconds(timestamp: String) -> Int64? {
        var text = timestamp
        return text.withUTF8 { bytes -> Int64? in
            guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z")
            else { return nil }
            func number(_ start: Int, _ count: Int) -> Int64? {
                var value: Int64 = 0
                for index in start..<start + count {
                    let digit = bytes[index] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int64(digit)
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
                let minute = number(14, 2), let second = number(17, 2), let millisecond = number(20, 3),
                (1600...9999).contains(year), (1...12).contains(month), day >= 1, hour < 24, minute < 60, second < 60
            else { return nil }
            let dayNumber = days(year: year, month: month, day: day)
            // A day past the month's end comes back as another date: leave it to Foundation.
            guard civil(dayNumber) == (year, month, day) else { return nil }
            return dayNumber * millisecondsPerDay + ((hour * 60 + minute) * 60 + second) * 1000 + millisecond
        }
    }
}
