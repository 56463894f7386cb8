import Foundation
import GRDB
import TouchpointCore
import TouchpointCollector

/// Reports from aggregates kept at ingest, their recomputation from raw rows, and the raw-answer export.
///
/// `report_tallies` holds one ``ReportTally`` per (type, UTC day, site, touchpoint, stage, survey, question,
/// language, scale points, suspect, partial): a report sums the rows it selects, so it reads a few
/// thousand rows instead of every answer. `report_scales` records the CES scale of each question seen,
/// so a recomputation from raw rows can tell easy answers exactly as ingest did.
extension SQLiteCollectorStorage {
    /// The report aggregates' schema; the migration backfills them from responses already stored.
    static func registerReportMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2: report aggregates") { db in
            try db.execute(sql: """
                CREATE TABLE report_tallies (
                    type TEXT NOT NULL,
                    day TEXT NOT NULL,
                    site TEXT NOT NULL,
                    touchpoint TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    survey TEXT NOT NULL,
                    question TEXT NOT NULL,
                    language TEXT NOT NULL,
                    points INTEGER NOT NULL,
                    suspect INTEGER NOT NULL,
                    partial INTEGER NOT NULL,
                    n INTEGER NOT NULL,
                    total INTEGER NOT NULL,
                    top INTEGER NOT NULL,
                    middle INTEGER NOT NULL,
                    bottom INTEGER NOT NULL,
                    PRIMARY KEY (type, day, site, touchpoint, stage, survey, question, language, points, suspect, partial)
                ) WITHOUT ROWID;
                CREATE TABLE report_scales (
                    survey TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    question TEXT NOT NULL,
                    points INTEGER NOT NULL,
                    PRIMARY KEY (survey, version, question)
                ) WITHOUT ROWID;
                CREATE INDEX responses_by_completed_at ON responses (completed_at);
                """)
            try backfillAggregates(db)
        }
    }

    fileprivate static let upsertTally = """
        INSERT INTO report_tallies (type, day, site, touchpoint, stage, survey, question, language, points, suspect,
            partial, n, total, top, middle, bottom)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (type, day, site, touchpoint, stage, survey, question, language, points, suspect, partial)
        DO UPDATE SET n = n + excluded.n, total = total + excluded.total, top = top + excluded.top,
            middle = middle + excluded.middle, bottom = bottom + excluded.bottom
        """

    /// Recomputes the report aggregates from the raw rows, in one transaction.
    ///
    /// Reports never need it (ingest keeps the aggregates exact); it is the repair for a database whose
    /// aggregates were edited by hand. The migration that introduced them does the same. Days before the retention
    /// horizon, whose raw responses are pruned, keep their aggregates.
    public func rebuildAggregates() async throws {
        try await write("rebuild the report aggregates") { db in
            try db.execute(sql: "DELETE FROM report_tallies WHERE day >= ?", arguments: [try Self.prunedDay(db) ?? ""])
            try Self.backfillAggregates(db)
        }
    }

    /// Fills the aggregates from the stored responses, with the CES scales recorded in `report_scales`
    /// (1–7 where none is: responses stored before the aggregates existed).
    static func backfillAggregates(_ db: Database) throws {
        var batch = ReportAggregateBatch()
        let rows = try Row.fetchCursor(db, sql: """
            SELECT a.type, r.completed_at, r.site, r.touchpoint, r.stage, r.survey_id, a.question, r.language,
                r.suspect, r.status, a.number_value, s.points
            FROM answers a JOIN responses r ON r.id = a.response_id
            LEFT JOIN report_scales s ON s.survey = r.survey_id AND s.version = r.survey_version AND s.question = a.question
            WHERE a.type IN ('nps', 'ces', 'csat') AND a.number_value IS NOT NULL
            """)
        while let row = try rows.next() {
            let type: String = row[0]
            guard let metric = ReportMetric(rawValue: type) else { continue }
            let completed: Date = row[1]
            let points = metric == .ces ? (row[11] as Int?) ?? ReportTally.defaultPoints(.ces) : ReportTally.defaultPoints(metric)
            let key = ReportAggregateBatch.Key(
                type: type, day: ReportCalendar.day(of: completed), site: row[2], touchpoint: row[3], stage: row[4],
                survey: row[5], question: row[6], language: row[7], points: points, suspect: row[8],
                partial: (row[9] as String) == ResponseStatus.partial.rawValue)
            batch.add(key, ReportTally(metric, value: row[10], points: points))
        }
        try batch.write(db)
    }

    // MARK: Reports

    /// The report from the aggregates; partial days at the edges of the time range come from raw rows.
    public func report(_ query: ReportQuery) async throws -> Report {
        try await read("compute the \(query.metric.rawValue) report") { db in
            let plan = ReportPlan(from: query.from, to: query.to)
            var tallies: [[String]: ReportTally] = [:]
            if let days = plan.aggregateDays {
                try Self.aggregateTallies(db, query: query, days: days, into: &tallies)
            }
            for range in plan.rawRanges {
                try Self.rawTallies(db, query: query, from: range.from, to: range.to, into: &tallies)
            }
            return Report(query: query, tallies: tallies)
        }
    }

    /// The same report computed from the raw response and answer rows only.
    public func reportFromRawRows(_ query: ReportQuery) async throws -> Report {
        try await read("recompute the \(query.metric.rawValue) report") { db in
            var tallies: [[String]: ReportTally] = [:]
            try Self.rawTallies(db, query: query, from: query.from, to: query.to, into: &tallies)
            return Report(query: query, tallies: tallies)
        }
    }

    private static func aggregateTallies(
        _ db: Database, query: ReportQuery, days: (from: Int64?, to: Int64?), into tallies: inout [[String]: ReportTally]
    ) throws {
        let selected = ReportPlan.selectedDimensions(query.groupBy)
        // Grouped by month only: the database sums a month's days (12 rows a year, not 365).
        let months = ReportPlan.monthsSuffice(query.groupBy)
        let columns = selected.map { $0 == .day && months ? "substr(day, 1, 7)" : $0.rawValue }
        var conditions = ["type = ?"]
        var arguments: [any DatabaseValueConvertible] = [query.metric.rawValue]
        if let from = days.from {
            conditions.append("day >= ?")
            arguments.append(ReportCalendar.day(number: from))
        }
        if let to = days.to {
            conditions.append("day < ?")
            arguments.append(ReportCalendar.day(number: to))
        }
        for (dimension, value) in query.filters.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !dimension.isTime {
            conditions.append("\(dimension.rawValue) = ?")
            arguments.append(value)
        }
        if !query.includeSuspect { conditions.append("suspect = 0") }
        if !query.includePartial { conditions.append("partial = 0") }
        let list = columns.isEmpty ? "" : columns.joined(separator: ", ") + ", "
        let sql = """
            SELECT \(list)SUM(n), SUM(total), SUM(top), SUM(middle), SUM(bottom), points FROM report_tallies
            WHERE \(conditions.joined(separator: " AND "))
            GROUP BY \(list)points
            """
        let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
        let base = selected.count
        while let row = try rows.next() {
            guard let count = row[base] as Int?, count > 0 else { continue }
            let tally = ReportTally(
                count: count, sum: row[base + 1], top: row[base + 2], middle: row[base + 3], bottom: row[base + 4],
                scales: ReportTally.scaleBit(row[base + 5]))
            let key = ReportPlan.groupKey(selected: selected, groupBy: query.groupBy) { (column: Int) -> String in row[column] }
            tallies[key, default: ReportTally()] += tally
        }
    }

    /// The raw-row column of a dimension.
    private static func rawColumn(_ dimension: ReportDimension) -> String {
        switch dimension {
        case .question: "a.question"
        case .survey: "r.survey_id"
        case .day, .week, .month: "substr(r.completed_at, 1, 10)"
        default: "r.\(dimension.rawValue)"
        }
    }

    /// Personal data in the comments `selection` covers; see ``PersonalDataStorage/personalDataCounts(_:)``.
    public func personalDataCounts(_ selection: AnswerSelection) async throws -> [PersonalData.Kind: Int] {
        try await read("count personal data in comments") { db in
            var perResponse = selection
            perResponse.filters[.question] = nil
            let (conditions, arguments) = Self.rawConditions(perResponse)
            let rows = try String.fetchCursor(
                db,
                sql: "SELECT r.personal_data FROM responses r WHERE "
                    + (["r.personal_data IS NOT NULL"] + conditions).joined(separator: " AND "),
                arguments: StatementArguments(arguments))
            var counts: [PersonalData.Kind: Int] = [:]
            while let stored = try rows.next() {
                PersonalDataCounts.add(stored: stored, to: &counts)
            }
            return counts
        }
    }

    /// The WHERE conditions of `selection` over `responses r JOIN answers a`.
    private static func rawConditions(_ selection: AnswerSelection) -> ([String], [any DatabaseValueConvertible]) {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let from = selection.from {
            conditions.append("r.completed_at >= ?")
            arguments.append(from)
        }
        if let to = selection.to {
            conditions.append("r.completed_at < ?")
            arguments.append(to)
        }
        for (dimension, value) in selection.filters.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !dimension.isTime {
            conditions.append("\(rawColumn(dimension)) = ?")
            arguments.append(value)
        }
        if !selection.includeSuspect { conditions.append("r.suspect = 0") }
        if !selection.includePartial { conditions.append("r.status <> 'partial'") }
        return (conditions, arguments)
    }

    private static func rawTallies(
        _ db: Database, query: ReportQuery, from: Date?, to: Date?, into tallies: inout [[String]: ReportTally]
    ) throws {
        let selected = ReportPlan.selectedDimensions(query.groupBy)
        let columns = selected.map(rawColumn)
        var selection = query.selection
        selection.from = from
        selection.to = to
        var (conditions, arguments) = rawConditions(selection)
        conditions.insert("a.type = ?", at: 0)
        arguments.insert(query.metric.rawValue, at: 0)
        conditions.append("a.number_value IS NOT NULL")
        let points = query.metric == .ces ? "COALESCE(s.points, \(ReportTally.defaultPoints(.ces)))" : "\(ReportTally.defaultPoints(query.metric))"
        let list = columns.isEmpty ? "" : columns.joined(separator: ", ") + ", "
        let sql = """
            SELECT \(list)a.number_value, \(points), COUNT(*)
            FROM responses r JOIN answers a ON a.response_id = r.id
            LEFT JOIN report_scales s ON s.survey = r.survey_id AND s.version = r.survey_version AND s.question = a.question
            WHERE \(conditions.joined(separator: " AND "))
            GROUP BY \(list)a.number_value\(query.metric == .ces ? ", " + points : "")
            """
        let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
        let base = selected.count
        while let row = try rows.next() {
            let tally = ReportTally(query.metric, value: row[base], points: row[base + 1], times: row[base + 2])
            let key = ReportPlan.groupKey(selected: selected, groupBy: query.groupBy) { (column: Int) -> String in row[column] }
            tallies[key, default: ReportTally()] += tally
        }
    }

    /// Yes/no and choice answers per group and option; see ``ReportStorage/choiceReport(_:)``.
    public func choiceReport(_ query: ReportQuery) async throws -> ChoiceReport {
        try await read("compute the choice report") { db in
            let groupBy = ChoiceReport.grouping(for: query)
            let selected = ReportPlan.selectedDimensions(groupBy)
            let list = selected.isEmpty ? "" : selected.map(Self.rawColumn).joined(separator: ", ") + ", "
            var (conditions, arguments) = Self.rawConditions(query.selection)
            conditions.insert("a.type IN ('choice', 'yesno')", at: 0)
            let sql = """
                SELECT \(list)a.type, a.number_value, a.text_value, COUNT(*)
                FROM responses r JOIN answers a ON a.response_id = r.id
                WHERE \(conditions.joined(separator: " AND "))
                GROUP BY \(list)a.type, a.number_value, a.text_value
                """
            var counts: [[String]: [String: Int]] = [:]
            let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            let base = selected.count
            while let row = try rows.next() {
                guard let option = ChoiceReport.option(type: row[base], number: row[base + 1], text: row[base + 2]) else { continue }
                let key = ReportPlan.groupKey(selected: selected, groupBy: groupBy) { (column: Int) -> String in row[column] }
                counts[key, default: [:]][option, default: 0] += row[base + 3] as Int
            }
            return ChoiceReport(query: query, counts: counts)
        }
    }

    /// Responses per UTC hour; see ``ReportStorage/responsesPerHour(_:)``.
    public func responsesPerHour(_ selection: AnswerSelection) async throws -> [Date: Int] {
        try await read("count responses per hour") { db in
            var selection = selection
            selection.filters[.question] = nil
            let (conditions, arguments) = Self.rawConditions(selection)
            // completed_at is `YYYY-MM-DD HH:MM:SS.SSS` in UTC: its first 13 characters name the hour.
            let sql = """
                SELECT substr(r.completed_at, 1, 13) AS hour, COUNT(*) FROM responses r
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) GROUP BY hour
                """
            var counts: [Date: Int] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) {
                let text: String = row[0]
                if let hour = Timestamp.date(text.replacingOccurrences(of: " ", with: "T") + ":00:00Z") {
                    counts[hour, default: 0] += row[1] as Int
                }
            }
            return counts
        }
    }

    // MARK: Export

    /// A page of raw answers in (response id, position) order; see ``ReportStorage/exportAnswers(_:after:limit:)``.
    public func exportAnswers(_ selection: AnswerSelection, after: ExportedAnswer?, limit: Int) async throws -> [ExportedAnswer] {
        let cipher = commentCipher
        return try await read("export answers") { db in
            var (conditions, arguments) = Self.rawConditions(selection)
            if let after {
                // `r.id >= ?` on its own lets SQLite seek; with only the OR (and bound values) it scans every row.
                conditions.append("r.id >= ? AND (r.id > ? OR a.position > ?)")
                arguments += [after.responseID, after.responseID, after.position]
            }
            arguments.append(max(1, limit))
            let sql = """
                SELECT r.id, r.completed_at, r.site, r.kiosk, r.touchpoint, r.stage, r.survey_id, r.survey_version,
                    r.language, r.account, r.status, r.suspect, a.position, a.question, a.type, a.number_value, a.text_value,
                    r.account_sealed
                FROM responses r JOIN answers a ON a.response_id = r.id
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                ORDER BY r.id, a.position
                LIMIT ?
                """
            let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            var page: [ExportedAnswer] = []
            page.reserveCapacity(max(1, limit))
            while let row = try rows.next() {
                let id: String = row[0]
                let position: Int = row[12]
                let type: String = row[14]
                let number: Int? = row[15]
                let text = type == QuestionType.text.rawValue ? try CommentCipher.open(row[16], with: cipher) : row[16] as String?
                let value: String
                if let number {
                    value = type == QuestionType.yesno.rawValue ? (number != 0 ? "yes" : "no") : String(number)
                } else {
                    value = text ?? ""
                }
                // The answers of one response are adjacent: decode its columns (and its date) once.
                if var answer = page.last, answer.responseID == id {
                    answer.position = position
                    answer.question = row[13]
                    answer.type = type
                    answer.value = value
                    page.append(answer)
                    continue
                }
                page.append(ExportedAnswer(
                    responseID: id, completedAt: row[1], site: row[2], kiosk: row[3], touchpoint: row[4], stage: row[5],
                    survey: row[6], surveyVersion: row[7], language: row[8],
                    account: try CommentCipher.shownAccount(stored: row[9], sealed: row[17], with: cipher, strict: true), status: row[10],
                    suspect: row[11], position: position, question: row[13], type: type, value: value))
            }
            return page
        }
    }
}

extension ReportAggregateBatch {
    /// Upserts every row and records the CES scales seen.
    func write(_ db: Database) throws {
        if !scales.isEmpty {
            let insert = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO report_scales (survey, version, question, points) VALUES (?, ?, ?, ?)")
            for scale in scales {
                try insert.execute(arguments: [scale.survey, scale.version, scale.question, scale.points])
            }
        }
        guard !tallies.isEmpty else { return }
        let upsert = try db.cachedStatement(sql: SQLiteCollectorStorage.upsertTally)
        for (key, tally) in tallies {
            try upsert.execute(arguments: [
                key.type, key.day, key.site, key.touchpoint, key.stage, key.survey, key.question, key.language,
                key.points, key.suspect, key.partial, tally.count, tally.sum, tally.top, tally.middle, tally.bottom,
            ])
        }
    }
}
