import Foundation
import Logging
import PostgresNIO
import TouchpointCollector
import TouchpointCore

/// SQL text with numbered parameters (`$1`, `$2`, …), for queries whose conditions depend on the request.
struct SQLBuilder {
    private(set) var binds = PostgresBindings()

    /// Binds `value` and returns its placeholder.
    mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Binds `value`, or NULL of its type, and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Binds a date as `timestamptz` and returns its placeholder.
    mutating func bind(_ date: Date) -> String {
        bind(PostgresTimestamp(date))
    }

    /// The query `sql` with the values bound so far.
    ///
    /// Bind every value before this call: `builder.query("… \(builder.bind(x))")` reads `binds` before its
    /// argument binds `x`.
    func query(_ sql: String) -> PostgresQuery {
        PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}

/// Reports from aggregates kept at ingest, their recomputation from raw rows, and the raw-answer export,
/// as in the SQLite storage: `report_tallies` holds one ``ReportTally`` per aggregate key
/// (``ReportAggregateBatch/Key``), upserted additively so concurrent ingests in several processes add up.
extension PostgresCollectorStorage {
    /// Recomputes the report and account aggregates from the raw rows, in one transaction.
    ///
    /// Reports never need it (ingest keeps the aggregates exact); it is the repair for a database whose
    /// aggregates were edited by hand. Days before the retention horizon keep theirs. It locks the aggregate tables, so ingests running meanwhile wait and
    /// then add to the rebuilt rows.
    public func rebuildAggregates() async throws {
        let logger = self.logger
        try await write("rebuild the report aggregates") { connection in
            try await connection.query(
                "LOCK TABLE report_tallies, account_response_counts, account_answer_counts IN EXCLUSIVE MODE", logger: logger)
            // Days before the retention horizon, whose raw responses are pruned, keep their aggregates.
            let kept = try await Self.prunedDay(on: connection, logger: logger) ?? ""
            try await connection.query("DELETE FROM report_tallies WHERE day >= \(kept)", logger: logger)
            try await Self.backfillAggregates(connection, logger: logger)
            try await connection.query("DELETE FROM account_response_counts WHERE day >= \(kept)", logger: logger)
            try await connection.query("DELETE FROM account_answer_counts WHERE day >= \(kept)", logger: logger)
            try await Self.addAccountAggregates(ids: nil, on: connection, logger: logger)
        }
    }

    /// Fills the report aggregates from the stored responses, with the CES scales recorded in `report_scales`.
    static func backfillAggregates(_ connection: PostgresConnection, logger: Logger) async throws {
        var batch = ReportAggregateBatch()
        let rows = try await connection.query(
            """
            SELECT a.type, r.completed_at, r.site, r.touchpoint, r.stage, r.survey_id, a.question, r.language,
                r.suspect, r.status, a.number_value, s.points
            FROM answers a JOIN responses r ON r.id = a.response_id
            LEFT JOIN report_scales s ON s.survey = r.survey_id AND s.version = r.survey_version AND s.question = a.question
            WHERE a.type IN ('nps', 'ces', 'csat') AND a.number_value IS NOT NULL
            """, logger: logger)
        for try await row in rows {
            let (type, completed, site, touchpoint, stage, survey, question, language, suspect, status, value, scale) =
                try row.decode((String, PostgresTimestamp, String, String, String, String, String, String, Bool, String, Int, Int?).self)
            guard let metric = ReportMetric(rawValue: type) else { continue }
            let points = metric == .ces ? scale ?? ReportTally.defaultPoints(.ces) : ReportTally.defaultPoints(metric)
            let key = ReportAggregateBatch.Key(
                type: type, day: ReportCalendar.day(of: completed.date), site: site, touchpoint: touchpoint, stage: stage,
                survey: survey, question: question, language: language, points: points, suspect: suspect,
                partial: status == ResponseStatus.partial.rawValue)
            batch.add(key, ReportTally(metric, value: value, points: points))
        }
        try await batch.write(connection, logger: logger)
    }

    // MARK: Reports

    /// The report from the aggregates; partial days at the edges of the time range come from raw rows.
    public func report(_ query: ReportQuery) async throws -> Report {
        let logger = self.logger
        return try await read("compute the \(query.metric.rawValue) report") { connection in
            let plan = ReportPlan(from: query.from, to: query.to)
            var tallies: [[String]: ReportTally] = [:]
            if let days = plan.aggregateDays {
                try await Self.aggregateTallies(connection, logger: logger, query: query, days: days, into: &tallies)
            }
            for range in plan.rawRanges {
                try await Self.rawTallies(connection, logger: logger, query: query, from: range.from, to: range.to, into: &tallies)
            }
            return Report(query: query, tallies: tallies)
        }
    }

    /// The same report computed from the raw response and answer rows only (for tests and benchmarks).
    public func reportFromRawRows(_ query: ReportQuery) async throws -> Report {
        let logger = self.logger
        return try await read("recompute the \(query.metric.rawValue) report") { connection in
            var tallies: [[String]: ReportTally] = [:]
            try await Self.rawTallies(connection, logger: logger, query: query, from: query.from, to: query.to, into: &tallies)
            return Report(query: query, tallies: tallies)
        }
    }

    private static func aggregateTallies(
        _ connection: PostgresConnection, logger: Logger, query: ReportQuery, days: (from: Int64?, to: Int64?),
        into tallies: inout [[String]: ReportTally]
    ) async throws {
        let selected = ReportPlan.selectedDimensions(query.groupBy)
        // Grouped by month only: the database sums a month's days (12 rows a year, not 365).
        let months = ReportPlan.monthsSuffice(query.groupBy)
        let columns = selected.map { $0 == .day && months ? "substr(day, 1, 7)" : $0.rawValue }
        var sql = SQLBuilder()
        var conditions = ["type = \(sql.bind(query.metric.rawValue))"]
        if let from = days.from {
            conditions.append("day >= \(sql.bind(ReportCalendar.day(number: from)))")
        }
        if let to = days.to {
            conditions.append("day < \(sql.bind(ReportCalendar.day(number: to)))")
        }
        for (dimension, value) in query.filters.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !dimension.isTime {
            conditions.append("\(dimension.rawValue) = \(sql.bind(value))")
        }
        if !query.includeSuspect { conditions.append("NOT suspect") }
        if !query.includePartial { conditions.append("NOT partial") }
        let list = columns.isEmpty ? "" : columns.joined(separator: ", ") + ", "
        let rows = try await Self.rows(
            sql.query("""
                SELECT \(list)SUM(n)::bigint, SUM(total)::bigint, SUM(top)::bigint, SUM(middle)::bigint,
                    SUM(bottom)::bigint, points FROM report_tallies
                WHERE \(conditions.joined(separator: " AND "))
                GROUP BY \(list)points
                """), on: connection, logger: logger)
        let base = selected.count
        for row in rows {
            let count = try row[base].decode(Int?.self) ?? 0
            guard count > 0 else { continue }
            let tally = ReportTally(
                count: count, sum: try row[base + 1].decode(Int.self), top: try row[base + 2].decode(Int.self),
                middle: try row[base + 3].decode(Int.self), bottom: try row[base + 4].decode(Int.self),
                scales: ReportTally.scaleBit(try row[base + 5].decode(Int.self)))
            let key = try ReportPlan.groupKey(selected: selected, groupBy: query.groupBy) { try row[$0].decode(String.self) }
            tallies[key, default: ReportTally()] += tally
        }
    }

    /// The raw-row column of a dimension.
    private static func rawColumn(_ dimension: ReportDimension) -> String {
        switch dimension {
        case .question: "a.question"
        case .survey: "r.survey_id"
        case .day, .week, .month: utcDay("r.completed_at")
        default: "r.\(dimension.rawValue)"
        }
    }

    /// Personal data in the comments `selection` covers; see ``PersonalDataStorage/personalDataCounts(_:)``.
    public func personalDataCounts(_ selection: AnswerSelection) async throws -> [PersonalData.Kind: Int] {
        let logger = self.logger
        return try await read("count personal data in comments") { connection in
            var perResponse = selection
            perResponse.filters[.question] = nil
            var sql = SQLBuilder()
            let conditions = ["r.personal_data IS NOT NULL"] + Self.rawConditions(perResponse, &sql)
            var counts: [PersonalData.Kind: Int] = [:]
            for row in try await Self.rows(
                sql.query("SELECT r.personal_data FROM responses r WHERE " + conditions.joined(separator: " AND ")),
                on: connection, logger: logger) {
                PersonalDataCounts.add(stored: try row["personal_data"].decode(String?.self), to: &counts)
            }
            return counts
        }
    }

    /// The WHERE conditions of `selection` over `responses r JOIN answers a`.
    private static func rawConditions(_ selection: AnswerSelection, _ sql: inout SQLBuilder) -> [String] {
        var conditions: [String] = []
        if let from = selection.from {
            conditions.append("r.completed_at >= \(sql.bind(from))")
        }
        if let to = selection.to {
            conditions.append("r.completed_at < \(sql.bind(to))")
        }
        for (dimension, value) in selection.filters.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !dimension.isTime {
            conditions.append("\(rawColumn(dimension)) = \(sql.bind(value))")
        }
        if !selection.includeSuspect { conditions.append("NOT r.suspect") }
        if !selection.includePartial { conditions.append("r.status <> 'partial'") }
        return conditions
    }

    private static func rawTallies(
        _ connection: PostgresConnection, logger: Logger, query: ReportQuery, from: Date?, to: Date?,
        into tallies: inout [[String]: ReportTally]
    ) async throws {
        let selected = ReportPlan.selectedDimensions(query.groupBy)
        let columns = selected.map(rawColumn)
        var selection = query.selection
        selection.from = from
        selection.to = to
        var sql = SQLBuilder()
        var conditions = ["a.type = \(sql.bind(query.metric.rawValue))"]
        conditions += rawConditions(selection, &sql)
        conditions.append("a.number_value IS NOT NULL")
        let points = query.metric == .ces
            ? "COALESCE(s.points, \(ReportTally.defaultPoints(.ces)))" : "\(ReportTally.defaultPoints(query.metric))"
        let list = columns.isEmpty ? "" : columns.joined(separator: ", ") + ", "
        let rows = try await Self.rows(
            sql.query("""
                SELECT \(list)a.number_value, \(points) AS points, COUNT(*)
                FROM responses r JOIN answers a ON a.response_id = r.id
                LEFT JOIN report_scales s ON s.survey = r.survey_id AND s.version = r.survey_version AND s.question = a.question
                WHERE \(conditions.joined(separator: " AND "))
                GROUP BY \(list)a.number_value\(query.metric == .ces ? ", " + points : "")
                """), on: connection, logger: logger)
        let base = selected.count
        for row in rows {
            let tally = ReportTally(
                query.metric, value: try row[base].decode(Int.self), points: try row[base + 1].decode(Int.self),
                times: try row[base + 2].decode(Int.self))
            let key = try ReportPlan.groupKey(selected: selected, groupBy: query.groupBy) { try row[$0].decode(String.self) }
            tallies[key, default: ReportTally()] += tally
        }
    }

    /// Yes/no and choice answers per group and option; see ``ReportStorage/choiceReport(_:)``.
    public func choiceReport(_ query: ReportQuery) async throws -> ChoiceReport {
        let logger = self.logger
        return try await read("compute the choice report") { connection in
            let groupBy = ChoiceReport.grouping(for: query)
            let selected = ReportPlan.selectedDimensions(groupBy)
            let list = selected.isEmpty ? "" : selected.map(Self.rawColumn).joined(separator: ", ") + ", "
            var sql = SQLBuilder()
            let conditions = ["a.type IN ('choice', 'yesno')"] + Self.rawConditions(query.selection, &sql)
            let rows = try await Self.rows(
                sql.query("""
                    SELECT \(list)a.type, a.number_value, a.text_value, COUNT(*)
                    FROM responses r JOIN answers a ON a.response_id = r.id
                    WHERE \(conditions.joined(separator: " AND "))
                    GROUP BY \(list)a.type, a.number_value, a.text_value
                    """), on: connection, logger: logger)
            var counts: [[String]: [String: Int]] = [:]
            let base = selected.count
            for row in rows {
                guard let option = ChoiceReport.option(
                    type: try row[base].decode(String.self), number: try row[base + 1].decode(Int?.self),
                    text: try row[base + 2].decode(String?.self))
                else { continue }
                let key = try ReportPlan.groupKey(selected: selected, groupBy: groupBy) { try row[$0].decode(String.self) }
                counts[key, default: [:]][option, default: 0] += try row[base + 3].decode(Int.self)
            }
            return ChoiceReport(query: query, counts: counts)
        }
    }

    /// Responses per UTC hour; see ``ReportStorage/responsesPerHour(_:)``.
    public func responsesPerHour(_ selection: AnswerSelection) async throws -> [Date: Int] {
        let logger = self.logger
        return try await read("count responses per hour") { connection in
            var selection = selection
            selection.filters[.question] = nil
            var sql = SQLBuilder()
            let conditions = Self.rawConditions(selection, &sql)
            let rows = try await Self.rows(
                sql.query("""
                    SELECT to_char(r.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24') AS hour, COUNT(*) FROM responses r
                    \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) GROUP BY hour
                    """), on: connection, logger: logger)
            var counts: [Date: Int] = [:]
            for row in rows {
                if let hour = Timestamp.date(try row[0].decode(String.self) + ":00:00Z") {
                    counts[hour, default: 0] += try row[1].decode(Int.self)
                }
            }
            return counts
        }
    }

    // MARK: Export

    /// A page of raw answers in (response id, position) order; see ``ReportStorage/exportAnswers(_:after:limit:)``.
    public func exportAnswers(_ selection: AnswerSelection, after: ExportedAnswer?, limit: Int) async throws -> [ExportedAnswer] {
        let logger = self.logger
        let cipher = commentCipher
        return try await read("export answers") { connection in
            var sql = SQLBuilder()
            var conditions = Self.rawConditions(selection, &sql)
            // Keyset pages: `r.id >= last` is a range on the responses' primary key, so each page starts where the last
            // one stopped (a row comparison across the join would sort it whole for every page), filters or not.
            if let after {
                let id = sql.bind(after.responseID)
                conditions.append("r.id >= \(id) AND (r.id > \(id) OR a.position > \(sql.bind(after.position)))")
            }
            let limitPlaceholder = sql.bind(max(1, limit))
            let rows = try await Self.rows(
                sql.query("""
                    SELECT r.id, r.completed_at, r.site, r.kiosk, r.touchpoint, r.stage, r.survey_id, r.survey_version,
                        r.language, r.account, r.status, r.suspect, a.position, a.question, a.type, a.number_value, a.text_value,
                        r.account_sealed
                    FROM responses r JOIN answers a ON a.response_id = r.id
                    \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                    ORDER BY r.id, a.position
                    LIMIT \(limitPlaceholder)
                    """), on: connection, logger: logger)
            var page: [ExportedAnswer] = []
            page.reserveCapacity(rows.count)
            for row in rows {
                let id = try row[0].decode(String.self)
                let position = try row[12].decode(Int.self)
                let type = try row[14].decode(String.self)
                let value: String
                if let number = try row[15].decode(Int?.self) {
                    value = type == QuestionType.yesno.rawValue ? (number != 0 ? "yes" : "no") : String(number)
                } else {
                    let text = try row[16].decode(String?.self)
                    value = (type == QuestionType.text.rawValue ? try CommentCipher.open(text, with: cipher) : text) ?? ""
                }
                // The answers of one response are adjacent: decode its columns (and its date) once.
                if var answer = page.last, answer.responseID == id {
                    answer.position = position
                    answer.question = try row[13].decode(String.self)
                    answer.type = type
                    answer.value = value
                    page.append(answer)
                    continue
                }
                page.append(ExportedAnswer(
                    responseID: id, completedAt: try row[1].decode(PostgresTimestamp.self).date,
                    site: try row[2].decode(String.self), kiosk: try row[3].decode(String.self),
                    touchpoint: try row[4].decode(String.self), stage: try row[5].decode(String.self),
                    survey: try row[6].decode(String.self), surveyVersion: try row[7].decode(Int.self),
                    language: try row[8].decode(String.self),
                    account: try CommentCipher.shownAccount(
                        stored: try row[9].decode(String?.self), sealed: try row[17].decode(String?.self), with: cipher, strict: true),
                    status: try row[10].decode(String.self), suspect: try row[11].decode(Bool.self), position: position,
                    question: try row[13].decode(String.self), type: type, value: value))
            }
            return page
        }
    }
}

extension ReportAggregateBatch {
    /// Upserts every row, adding to what other transactions (other processes) stored, and records the CES
    /// scales seen. Keys go in sorted order, so two ingests touching the same rows lock them in the same order.
    func write(_ connection: PostgresConnection, logger: Logger) async throws {
        for scale in scales.sorted(by: { ($0.survey, $0.version, $0.question) < ($1.survey, $1.version, $1.question) }) {
            try await connection.query(
                """
                INSERT INTO report_scales (survey, version, question, points)
                VALUES (\(scale.survey), \(scale.version), \(scale.question), \(scale.points)) ON CONFLICT DO NOTHING
                """, logger: logger)
        }
        let keys = tallies.keys.sorted { lhs, rhs in
            [lhs.type, lhs.day, lhs.site, lhs.touchpoint, lhs.stage, lhs.survey, lhs.question, lhs.language,
             "\(lhs.points)", "\(lhs.suspect)", "\(lhs.partial)"]
                .lexicographicallyPrecedes([rhs.type, rhs.day, rhs.site, rhs.touchpoint, rhs.stage, rhs.survey, rhs.question,
                                            rhs.language, "\(rhs.points)", "\(rhs.suspect)", "\(rhs.partial)"])
        }
        guard !keys.isEmpty else { return }
        var type: [String] = [], day: [String] = [], site: [String] = [], touchpoint: [String] = [], stage: [String] = []
        var survey: [String] = [], question: [String] = [], language: [String] = [], points: [Int] = []
        var suspect: [Bool] = [], partial: [Bool] = []
        var count: [Int] = [], total: [Int] = [], top: [Int] = [], middle: [Int] = [], bottom: [Int] = []
        for key in keys {
            guard let tally = tallies[key] else { continue }
            type.append(key.type)
            day.append(key.day)
            site.append(key.site)
            touchpoint.append(key.touchpoint)
            stage.append(key.stage)
            survey.append(key.survey)
            question.append(key.question)
            language.append(key.language)
            points.append(key.points)
            suspect.append(key.suspect)
            partial.append(key.partial)
            count.append(tally.count)
            total.append(tally.sum)
            top.append(tally.top)
            middle.append(tally.middle)
            bottom.append(tally.bottom)
        }
        // One statement for the batch; rows are taken in the sorted order of the arrays.
        var sql = SQLBuilder()
        let statement = """
            INSERT INTO report_tallies AS t (type, day, site, touchpoint, stage, survey, question, language, points,
                suspect, partial, n, total, top, middle, bottom)
            SELECT * FROM unnest(\(sql.bind(type))::text[], \(sql.bind(day))::text[], \(sql.bind(site))::text[],
                \(sql.bind(touchpoint))::text[], \(sql.bind(stage))::text[], \(sql.bind(survey))::text[],
                \(sql.bind(question))::text[], \(sql.bind(language))::text[], \(sql.bind(points))::bigint[],
                \(sql.bind(suspect))::bool[], \(sql.bind(partial))::bool[], \(sql.bind(count))::bigint[],
                \(sql.bind(total))::bigint[], \(sql.bind(top))::bigint[], \(sql.bind(middle))::bigint[],
                \(sql.bind(bottom))::bigint[])
            ON CONFLICT (type, day, site, touchpoint, stage, survey, question, language, points, suspect, partial)
            DO UPDATE SET n = t.n + excluded.n, total = t.total + excluded.total, top = t.top + excluded.top,
                middle = t.middle + excluded.middle, bottom = t.bottom + excluded.bottom
            """
        try await connection.query(sql.query(statement), logger: logger)
    }
}
