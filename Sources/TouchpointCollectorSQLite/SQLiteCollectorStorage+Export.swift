import GRDB
import TouchpointCollector

extension SQLiteCollectorStorage {
    /// The rows of this database as of now, for copying them elsewhere (`collector migrate`).
    ///
    /// Every table is read from one snapshot, so the copy is consistent even while a collector writes.
    /// Responses come in arrival (rowid) order with that order as their `seq`, and the feed cursor's
    /// `last_rowid` comes as `last_seq`; the account aggregates' rowid mark is SQLite's own and stays here.
    public func exportSnapshot() throws -> any StoredRowSource {
        do {
            return SQLiteStoredRows(snapshot: try pool.makeSnapshot())
        } catch {
            throw Self.storageError("cannot take a snapshot of the collector database", error)
        }
    }
}

/// ``StoredRowSource`` over one snapshot of a SQLite collector database, paged by key (never `OFFSET`).
struct SQLiteStoredRows: StoredRowSource {
    let snapshot: DatabaseSnapshot

    /// The tables with a rowid, read in rowid (arrival) order; the others are `WITHOUT ROWID`.
    private static let rowidTables: Set<String> = ["kiosks", "kiosk_keys", "responses", "accounts", "feed_cursor", "feed_outbox"]

    /// The SQLite expression of a stored column.
    private static func expression(_ column: String, of table: String) -> String {
        switch (table, column) {
        case ("responses", "seq"): "rowid"
        case ("feed_cursor", "last_seq"): "last_rowid"
        default: "\"\(column)\""
        }
    }

    func forEachPage(of table: StoredTable, pageSize: Int, _ body: ([[StoredValue]]) async throws -> Void) async throws {
        let key = Self.rowidTables.contains(table.name) ? ["rowid"] : table.orderedBy.map { "\"\($0)\"" }
        let columns = table.columns.map { Self.expression($0.name, of: table.name) }
        let keyList = key.joined(separator: ", ")
        let select = "SELECT \((key + columns).joined(separator: ", ")) FROM \"\(table.name)\""
        let first = select + " ORDER BY \(keyList) LIMIT \(max(1, pageSize))"
        let next = select + " WHERE (\(keyList)) > (\(key.map { _ in "?" }.joined(separator: ", ")))"
            + " ORDER BY \(keyList) LIMIT \(max(1, pageSize))"
        var last: [StoredValue]?
        while true {
            let after = last
            let rows: [[StoredValue]]
            do {
                rows = try await snapshot.read { db in
                    let arguments = StatementArguments((after ?? []).map(\.databaseValue))
                    return try Row.fetchAll(db, sql: after == nil ? first : next, arguments: arguments).map { row in
                        (0..<row.count).map { StoredValue(row[$0] as DatabaseValue) }
                    }
                }
            } catch {
                throw SQLiteCollectorStorage.storageError("cannot read table \(table.name)", error)
            }
            guard let end = rows.last else { return }
            last = Array(end.prefix(key.count))
            try await body(rows.map { Array($0.dropFirst(key.count)) })
            if rows.count < pageSize { return }
        }
    }

    func rowCount(of table: StoredTable) async throws -> Int {
        do {
            return try await snapshot.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(table.name)\"") ?? 0
            }
        } catch {
            throw SQLiteCollectorStorage.storageError("cannot count table \(table.name)", error)
        }
    }
}

extension StoredValue {
    /// The value of a SQLite column (a blob, which the collector never stores, as its UTF-8 text).
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let integer): self = .integer(integer)
        case .double(let real): self = .real(real)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .text(String(decoding: data, as: UTF8.self))
        }
    }

    /// The value as a SQLite argument.
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let integer): integer.databaseValue
        case .real(let real): real.databaseValue
        case .text(let text): text.databaseValue
        }
    }
}
