import Foundation
import Logging
import PostgresNIO
import TouchpointCollector
import TouchpointCore

/// Accounts, their health snapshots and the per-account daily aggregates of responses and answers.
extension PostgresCollectorStorage {
    /// Upserts accounts in one transaction, matching ids ignoring case and spaces (the stored spelling is kept);
    /// see ``AccountStorage/importAccounts(_:at:)``.
    ///
    /// Imports take an advisory lock, so two running at once apply one after the other (matching by key is
    /// not something a unique index can check).
    public func importAccounts(_ accounts: AccountImport, at date: Date) async throws -> AccountImportSummary {
        let logger = self.logger
        let summary = try await write("import accounts") { connection -> AccountImportSummary in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.accountsLock))", logger: logger)
            let fields = accounts.fields
            var existing: [String: String] = [:]
            for row in try await Self.rows("SELECT id FROM accounts ORDER BY id", on: connection, logger: logger) {
                let id = try row["id"].decode(String.self)
                if existing[Account.matchingKey(id)] == nil {
                    existing[Account.matchingKey(id)] = id
                }
            }
            var summary = AccountImportSummary(inserted: 0, updated: 0)
            for account in accounts.accounts {
                if let id = existing[Account.matchingKey(account.id)] {
                    var sql = SQLBuilder()
                    var assignments: [String] = []
                    if fields.contains(.name) { assignments.append("name = \(sql.bind(account.name))") }
                    if fields.contains(.revenue) {
                        assignments.append("mrr = \(sql.bind(account.mrr))")
                        assignments.append("arr = \(sql.bind(account.arr))")
                    }
                    if fields.contains(.owner) { assignments.append("owner = \(sql.bind(account.owner))") }
                    if fields.contains(.interactions) { assignments.append("interactions = \(sql.bind(account.interactions))") }
                    if fields.contains(.lastInteraction) {
                        assignments.append("last_interaction_at = \(sql.bind(account.lastInteractionAt.map(PostgresTimestamp.init)))")
                    }
                    assignments.append("updated_at = \(sql.bind(date))")
                    let update = "UPDATE accounts SET \(assignments.joined(separator: ", ")) WHERE id = \(sql.bind(id))"
                    try await connection.query(sql.query(update), logger: logger)
                    summary.updated += 1
                } else {
                    try await connection.query(
                        """
                        INSERT INTO accounts (id, name, mrr, arr, owner, interactions, last_interaction_at, created_at, updated_at)
                        VALUES (\(account.id), \(account.name), \(account.mrr), \(account.arr), \(account.owner),
                            \(account.interactions), \(account.lastInteractionAt.map(PostgresTimestamp.init)),
                            \(PostgresTimestamp(date)), \(PostgresTimestamp(date)))
                        """, logger: logger)
                    existing[Account.matchingKey(account.id)] = account.id
                    summary.inserted += 1
                }
            }
            return summary
        }
        logger.info("accounts imported", metadata: ["accounts.new": "\(summary.inserted)", "accounts.updated": "\(summary.updated)"])
        return summary
    }

    /// Every imported account, sorted by id.
    public func accounts() async throws -> [Account] {
        let logger = self.logger
        return try await read("list accounts") { connection in
            try await Self.rows(
                "SELECT id, name, mrr, arr, owner, interactions, last_interaction_at FROM accounts ORDER BY id",
                on: connection, logger: logger
            ).map { row in
                Account(
                    id: try row["id"].decode(String.self), name: try row["name"].decode(String.self),
                    mrr: try row["mrr"].decode(Double?.self), arr: try row["arr"].decode(Double?.self),
                    owner: try row["owner"].decode(String?.self), interactions: try row["interactions"].decode(Int.self),
                    lastInteractionAt: try row["last_interaction_at"].decode(PostgresTimestamp?.self)?.date)
            }
        }
    }

    /// Per-account survey inputs from the account aggregates; see ``AccountStorage/healthInputs(answersSince:recentSince:)``.
    ///
    /// The aggregates count responses and NPS/CES/CSAT answers per account and UTC day and move in the same
    /// transaction as every ingest; the windows count whole UTC days.
    public func healthInputs(answersSince: Date?, recentSince: Date) async throws -> [String: HealthInputs] {
        let logger = self.logger
        return try await read("compute account health inputs") { connection in
            let recentDay = ReportCalendar.day(of: recentSince)
            let windowDay = ReportCalendar.day(of: answersSince ?? Date(timeIntervalSince1970: 0))
            let responses = try await Self.rows(
                """
                SELECT account, SUM(CASE WHEN day >= \(windowDay) THEN responses ELSE 0 END)::bigint AS responses,
                    SUM(CASE WHEN day >= \(recentDay) THEN responses ELSE 0 END)::bigint AS recent, MAX(last_at) AS last
                FROM account_response_counts GROUP BY account
                """, on: connection, logger: logger)
            var sql = SQLBuilder()
            let window = answersSince.map { "WHERE day >= \(sql.bind(ReportCalendar.day(of: $0)))" } ?? ""
            let answers = try await Self.rows(
                sql.query("""
                    SELECT account, type, survey_id, survey_version, question, value, SUM(n)::bigint AS n,
                        (SELECT s.points FROM report_scales s
                         WHERE s.survey = survey_id AND s.version = survey_version AND s.question = account_answer_counts.question) AS points
                    FROM account_answer_counts \(window)
                    GROUP BY account, type, survey_id, survey_version, question, value
                    """), on: connection, logger: logger)
            return try Self.healthInputs(responses: responses, answers: answers)
        }
    }

    /// The same inputs as ``healthInputs(answersSince:recentSince:)``, recomputed from the raw responses and
    /// answers with GROUP BY account (slower; the tests check both agree).
    public func healthInputsFromRawRows(answersSince: Date?, recentSince: Date) async throws -> [String: HealthInputs] {
        let logger = self.logger
        return try await read("compute account health inputs from raw rows") { connection in
            let counted = "r.account IS NOT NULL AND r.status = 'complete' AND NOT r.suspect"
            let day = Self.utcDay("r.completed_at")
            var sql = SQLBuilder()
            let recentDay = sql.bind(ReportCalendar.day(of: recentSince))
            let windowDay = sql.bind(ReportCalendar.day(of: answersSince ?? Date(timeIntervalSince1970: 0)))
            let responses = try await Self.rows(
                sql.query("""
                    SELECT r.account, SUM(CASE WHEN \(day) >= \(windowDay) THEN 1 ELSE 0 END)::bigint AS responses,
                        SUM(CASE WHEN \(day) >= \(recentDay) THEN 1 ELSE 0 END)::bigint AS recent,
                        MAX(r.completed_at) AS last
                    FROM responses r WHERE \(counted) GROUP BY r.account
                    """), on: connection, logger: logger)
            var answerSQL = SQLBuilder()
            let window = answersSince.map { " AND \(day) >= \(answerSQL.bind(ReportCalendar.day(of: $0)))" } ?? ""
            let answers = try await Self.rows(
                answerSQL.query("""
                    SELECT r.account, a.type, r.survey_id, r.survey_version, a.question, a.number_value AS value, COUNT(*) AS n,
                        (SELECT s.points FROM report_scales s
                         WHERE s.survey = r.survey_id AND s.version = r.survey_version AND s.question = a.question) AS points
                    FROM responses r JOIN answers a ON a.response_id = r.id
                    WHERE \(counted)\(window) AND a.type IN ('nps', 'ces', 'csat') AND a.number_value IS NOT NULL
                    GROUP BY r.account, a.type, r.survey_id, r.survey_version, a.question, a.number_value
                    """), on: connection, logger: logger)
            return try Self.healthInputs(responses: responses, answers: answers)
        }
    }

    /// Adds the complete, non-suspect responses with an account among `ids` (nil: every stored response) to the
    /// account aggregates. Additive upserts in key order: concurrent ingests in other processes add up.
    static func addAccountAggregates(
        ids: [String]?, accountKey: String? = nil, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let day = utcDay("r.completed_at")
        var sql = SQLBuilder()
        var fresh = "r.account IS NOT NULL AND r.status = 'complete' AND NOT r.suspect"
        if let ids {
            fresh += " AND r.id = ANY(\(sql.bind(ids)))"
        }
        if let accountKey {
            // One account by its matching key (erasure recounts it), folded as Swift folds.
            fresh += " AND \(folded("r.account")) = \(sql.bind(accountKey))"
        }
        try await connection.query(
            sql.query("""
                INSERT INTO account_response_counts AS c (account, day, responses, last_at)
                SELECT r.account, \(day), COUNT(*), MAX(r.completed_at) FROM responses r
                WHERE \(fresh) GROUP BY r.account, \(day) ORDER BY 1, 2
                ON CONFLICT (account, day) DO UPDATE SET
                    responses = c.responses + excluded.responses, last_at = GREATEST(c.last_at, excluded.last_at)
                """), logger: logger)
        try await connection.query(
            sql.query("""
                INSERT INTO account_answer_counts AS c (account, day, type, survey_id, survey_version, question, value, n)
                SELECT r.account, \(day), a.type, r.survey_id, r.survey_version, a.question, a.number_value, COUNT(*)
                FROM responses r JOIN answers a ON a.response_id = r.id
                WHERE \(fresh) AND a.type IN ('nps', 'ces', 'csat') AND a.number_value IS NOT NULL
                GROUP BY r.account, \(day), a.type, r.survey_id, r.survey_version, a.question, a.number_value
                ORDER BY 1, 2, 3, 4, 5, 6, 7
                ON CONFLICT (account, day, type, survey_id, survey_version, question, value) DO UPDATE SET n = c.n + excluded.n
                """), logger: logger)
    }

    /// Inputs from rows of (account, responses, recent, last) and of
    /// (account, type, survey_id, survey_version, question, value, n): see ``HealthInputs/fold(responses:answers:)``.
    static func healthInputs(responses: [PostgresRandomAccessRow], answers: [PostgresRandomAccessRow]) throws -> [String: HealthInputs] {
        HealthInputs.fold(
            responses: try responses.map { row in
                AccountResponseCount(
                    account: try row["account"].decode(String.self), responses: try row["responses"].decode(Int.self),
                    recent: try row["recent"].decode(Int?.self) ?? 0, last: try row["last"].decode(PostgresTimestamp?.self)?.date)
            },
            answers: try answers.map { row in
                AccountAnswerBucket(
                    account: try row["account"].decode(String.self), type: try row["type"].decode(String.self),
                    survey: try row["survey_id"].decode(String.self), version: try row["survey_version"].decode(Int.self),
                    question: try row["question"].decode(String.self), value: try row["value"].decode(Int.self),
                    count: try row["n"].decode(Int.self), points: try row["points"].decode(Int?.self))
            })
    }

    /// Records one snapshot per account in one transaction (an upsert per account and time, so two processes
    /// recording the same computation agree).
    public func recordHealthSnapshots(_ snapshots: [HealthSnapshot]) async throws {
        guard !snapshots.isEmpty else { return }
        let logger = self.logger
        let ordered = snapshots.sorted { ($0.account, $0.at) < ($1.account, $1.at) }
        try await write("record account health") { connection in
            for snapshot in ordered {
                try await connection.query(
                    """
                    INSERT INTO account_health (account, computed_at, zone, score)
                    VALUES (\(snapshot.account), \(PostgresTimestamp(snapshot.at)), \(snapshot.zone.rawValue), \(snapshot.score))
                    ON CONFLICT (account, computed_at) DO UPDATE SET zone = excluded.zone, score = excluded.score
                    """, logger: logger)
            }
        }
    }

    /// The latest snapshot of each account.
    public func latestHealthSnapshots() async throws -> [String: HealthSnapshot] {
        let logger = self.logger
        return try await read("read account health") { connection in
            let rows = try await Self.rows(
                """
                SELECT DISTINCT ON (account) account, computed_at, zone, score FROM account_health
                ORDER BY account, computed_at DESC
                """, on: connection, logger: logger)
            var result: [String: HealthSnapshot] = [:]
            for row in rows {
                guard let zone = HealthZone(rawValue: try row["zone"].decode(String.self)) else { continue }
                let snapshot = HealthSnapshot(
                    account: try row["account"].decode(String.self), zone: zone, score: try row["score"].decode(Double.self),
                    at: try row["computed_at"].decode(PostgresTimestamp.self).date)
                result[snapshot.account] = snapshot
            }
            return result
        }
    }
}
