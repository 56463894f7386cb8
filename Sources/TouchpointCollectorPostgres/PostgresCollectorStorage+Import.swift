import Foundation
import Logging
import PostgresNIO
import TouchpointCollector

extension PostgresCollectorStorage {
    /// Copies every table of `source` into this database in one transaction (`collector migrate`), and returns
    /// the number of rows copied per table.
    ///
    /// Refuses with `.conflict`, changing nothing, when any of the tables already holds a row. Dates (text or
    /// seconds since 1970) become `timestamptz`, 0/1 become booleans, responses keep their `seq` and outbox rows
    /// and audit events their `id` (the identity sequences then continue after them), and outbox rows start unclaimed.
    @discardableResult
    public func load(
        from source: some StoredRowSource, tables: [StoredTable] = StoredTable.all, pageSize: Int = 500
    ) async throws -> [String: Int] {
        let logger = self.logger
        return try await write("copy the rows into the collector database") { connection in
            let names = tables.map(\.name).joined(separator: ", ")
            try await connection.query(PostgresQuery(unsafeSQL: "LOCK TABLE \(names) IN EXCLUSIVE MODE"), logger: logger)
            for table in tables {
                let found = try await Self.rows(
                    PostgresQuery(unsafeSQL: "SELECT 1 AS found FROM \(table.name) LIMIT 1"), on: connection, logger: logger)
                if !found.isEmpty {
                    throw CollectorError(
                        .conflict, "the target database is not empty (table \(table.name) has rows); migrate only into an empty database")
                }
            }
            var copied: [String: Int] = [:]
            for table in tables {
                var count = 0
                try await source.forEachPage(of: table, pageSize: pageSize) { rows in
                    try await Self.insert(rows, into: table, on: connection, logger: logger)
                    count += rows.count
                }
                copied[table.name] = count
            }
            for (table, column) in [("responses", "seq"), ("feed_outbox", "id"), ("audit_log", "id")] where tables.contains(where: { $0.name == table }) {
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'),
                                      COALESCE((SELECT MAX(\(column)) FROM \(table)), 0) + 1, false)
                        """), logger: logger)
            }
            return copied
        }
    }

    /// The number of rows in `table`.
    public func rowCount(of table: StoredTable) async throws -> Int {
        let logger = self.logger
        return try await read("count table \(table.name)") { connection in
            let rows = try await Self.rows(
                PostgresQuery(unsafeSQL: "SELECT COUNT(*) AS n FROM \(table.name)"), on: connection, logger: logger)
            return Int(try rows.first?["n"].decode(Int64.self) ?? 0)
        }
    }

    /// Inserts one page of rows, given explicit values even for identity columns.
    private static func insert(
        _ rows: [[StoredValue]], into table: StoredTable, on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !rows.isEmpty else { return }
        var bindings = PostgresBindings(capacity: rows.count * table.columns.count)
        var tuples: [String] = []
        tuples.reserveCapacity(rows.count)
        for row in rows {
            guard row.count == table.columns.count else {
                throw CollectorError(.unavailable, "a row of table \(table.name) has \(row.count) values, not \(table.columns.count)")
            }
            var placeholders: [String] = []
            for (value, column) in zip(row, table.columns) {
                try append(value, as: column, of: table, to: &bindings)
                placeholders.append("$\(bindings.count)")
            }
            tuples.append("(" + placeholders.joined(separator: ", ") + ")")
        }
        let columns = table.columns.map(\.name).joined(separator: ", ")
        try await connection.query(
            PostgresQuery(
                unsafeSQL: "INSERT INTO \(table.name) (\(columns)) OVERRIDING SYSTEM VALUE VALUES \(tuples.joined(separator: ", "))",
                binds: bindings),
            logger: logger)
    }

    /// Binds `value` as the PostgreSQL type of `column`.
    private static func append(
        _ value: StoredValue, as column: StoredColumn, of table: StoredTable, to bindings: inout PostgresBindings
    ) throws {
        func mismatch() -> CollectorError {
            CollectorError(.unavailable, "cannot copy \(table.name).\(column.name): unexpected value \(value)")
        }
        switch (column.kind, value) {
        case (_, .null):
            bindings.appendNull()
        case (.text, .text(let text)):
            bindings.append(text)
        case (.integer, .integer(let integer)):
            bindings.append(integer)
        case (.real, .real(let real)):
            bindings.append(real)
        case (.real, .integer(let integer)):
            bindings.append(Double(integer))
        case (.boolean, .integer(let integer)) where integer == 0 || integer == 1:
            bindings.append(integer == 1)
        case (.timestamp, .text(let text)):
            guard let date = StoredDate.parse(text) else { throw mismatch() }
            bindings.append(PostgresTimestamp(date))
        case (.timestamp, .integer(let seconds)):
            bindings.append(PostgresTimestamp(Date(timeIntervalSince1970: Double(seconds))))
        case (.timestamp, .real(let seconds)):
            bindings.append(PostgresTimestamp(Date(timeIntervalSince1970: seconds)))
        default:
            throw mismatch()
        }
    }
}

/// SQLite's date text (`YYYY-MM-DD HH:MM:SS.SSS`, UTC, as GRDB writes it; a `T` and fewer parts accepted).
enum StoredDate {
    /// The instant `text` names, to the microsecond, or nil if it is not a date.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + digits] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += digits
            return value
        }
        func skip(_ separators: Set<UInt8>) -> Bool {
            guard index < bytes.count, separators.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip([45]), let month = number(2), skip([45]), let day = number(2) else { return nil }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, micros: Int64 = 0
        if skip([32, 84]) {
            guard let h = number(2), skip([58]), let m = number(2) else { return nil }
            hour = h
            minute = m
            if skip([58]) {
                guard let s = number(2) else { return nil }
                second = s
                if skip([46]) {
                    var scale: Int64 = 100_000
                    var digits = 0
                    while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                        if scale > 0 {
                            micros += Int64(bytes[index] - 48) * scale
                            scale /= 10
                        }
                        index += 1
                        digits += 1
                    }
                    guard digits > 0 else { return nil }
                }
            }
        }
        _ = skip([90])  // a trailing Z
        guard index == bytes.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else {
            return nil
        }
        // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let total = ((days * 86_400 + hour * 3_600 + minute * 60 + second) * 1_000_000) + micros
        return Date(timeIntervalSince1970: Double(total) / 1_000_000)
    }
}
