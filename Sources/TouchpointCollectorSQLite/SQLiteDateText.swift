import Foundation
import GRDB
import TouchpointCore

extension Date {
    /// The text GRDB stores for this date (`yyyy-MM-dd HH:mm:ss.SSS`, UTC), written without its
    /// `DateFormatter` (which costs more than the rest of storing a response) when the date is a whole number of
    /// milliseconds, as every payload timestamp is; other dates go through GRDB, whose rounding of a fraction of
    /// a millisecond this does not imitate.
    ///
    /// The same text as `databaseValue`, so rows stored either way compare and sort alike; GRDB reads it back.
    var sqliteText: String {
        let milliseconds = (timeIntervalSinceReferenceDate + Date.timeIntervalBetween1970AndReferenceDate) * 1000
        let whole = milliseconds.rounded()
        if whole.magnitude < 1e15, (milliseconds - whole).magnitude < 1e-3,
            let text = CivilTime.text(milliseconds: Int64(whole), separator: UInt8(ascii: " "))
        {
            return text
        }
        return String.fromDatabaseValue(databaseValue) ?? ""
    }
}
