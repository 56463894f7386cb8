import Foundation
import GRDB
import Testing
@testable import TouchpointCollectorSQLite

/// Dates the ingest binds as text are the text GRDB writes for them, so rows stored either way compare alike
/// (whole milliseconds written directly, any other date by GRDB).
@Suite("SQLite date text")
struct SQLiteDateTextTests {
    @Test func theTextIsWhatGRDBWrites() {
        var generator = SeededGenerator(state: 31)
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -0.0001), Date(timeIntervalSince1970: 1_795_000_000.9999),
                     Date(timeIntervalSinceReferenceDate: 0), Date(timeIntervalSince1970: 253_402_300_799.9994)]
        for _ in 0..<20_000 {
            dates.append(Date(timeIntervalSince1970: Double.random(in: -2_000_000_000...4_000_000_000, using: &generator)))
        }
        for _ in 0..<2_000 {
            // Whole milliseconds, as payload timestamps are.
            dates.append(Date(timeIntervalSince1970: Double(Int64.random(in: 0...4_000_000_000_000, using: &generator)) / 1000))
        }
        for date in dates {
            #expect(date.sqliteText == String.fromDatabaseValue(date.databaseValue), "\(date.timeIntervalSince1970)")
        }
    }
}
