import Foundation
import Logging
import PostgresNIO
import TouchpointCollector
import TouchpointCore

/// Erasure of personal data and its log; see ``ErasureStorage``. Matching folds case with ICU's root collation
/// (as Swift's `lowercased()` does), whatever the database's locale.
extension PostgresCollectorStorage {
    /// The erasure log and the erased responses' places in their kiosks' sequences.
    static var erasureMigrations: [Migration] {
        [
            Migration(name: "privacy v1: erasure log and erased responses", statements: [
                """
                CREATE TABLE erasures (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    at TIMESTAMPTZ NOT NULL,
                    actor TEXT NOT NULL,
                    kind TEXT COLLATE "C" NOT NULL,
                    target_digest TEXT COLLATE "C" NOT NULL,
                    responses BIGINT NOT NULL,
                    comments BIGINT NOT NULL,
                    account_references BIGINT NOT NULL,
                    cases BIGINT NOT NULL,
                    posts BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE erased_responses (
                    kiosk TEXT COLLATE "C" NOT NULL,
                    sequence BIGINT NOT NULL,
                    erased_at TIMESTAMPTZ NOT NULL,
                    PRIMARY KEY (kiosk, sequence)
                )
                """,
            ]),
            Migration(name: "privacy v2: retention", statements: [
                "ALTER TABLE erasures ADD COLUMN accounts BIGINT NOT NULL DEFAULT 0",
                """
                CREATE TABLE retention_horizons (
                    kind TEXT COLLATE "C" PRIMARY KEY,
                    before TIMESTAMPTZ NOT NULL,
                    pruned_at TIMESTAMPTZ NOT NULL
                )
                """,
                """
                CREATE TABLE pruned_sequences (
                    kiosk TEXT COLLATE "C" PRIMARY KEY,
                    through BIGINT NOT NULL
                )
                """,
            ]),
            Migration(name: "privacy v3: account references sealed at rest", statements: [
                // With --comment-key, `account` holds the reference's token and this its sealed spelling.
                "ALTER TABLE responses ADD COLUMN account_sealed TEXT",
            ]),
            Migration(name: "privacy v4: personal data counted per response", statements: [
                // Counted at ingest (``PersonalDataCounts``); responses stored before count none.
                "ALTER TABLE responses ADD COLUMN personal_data TEXT",
                "CREATE INDEX responses_with_personal_data ON responses (completed_at) WHERE personal_data IS NOT NULL",
            ]),
        ]
    }

    /// `column` lowercased as Swift lowercases (ICU's root collation folds any letter, whatever the database's locale):
    /// the one way account references and comment searches are matched.
    static func folded(_ column: String) -> String {
        "lower(\(column) COLLATE \"und-x-icu\")"
    }

    /// Erases what `request` names; see ``ErasureStorage/erase(_:by:at:dryRun:)``.
    public func erase(_ request: ErasureRequest, by actor: String, at date: Date, dryRun: Bool) async throws -> ErasureSummary {
        let logger = self.logger
        let cipher = commentCipher
        return try await write("erase personal data") { connection in
            var summary = ErasureSummary(dryRun: dryRun)
            func count(_ query: PostgresQuery) async throws -> Int {
                try await Self.count(query, on: connection, logger: logger)
            }
            func pendingPosts(_ ids: [String]) async throws -> Int {
                try await Self.pendingPostCount(ids, on: connection, logger: logger)
            }
            func removePendingPosts(_ ids: [String]) async throws {
                try await Self.removePendingPosts(ids, on: connection, logger: logger)
            }
            switch request {
            case .response(let given):
                let id = given.lowercased()
                guard let row = try await Self.rows(
                    "SELECT * FROM responses WHERE id = \(id) FOR UPDATE", on: connection, logger: logger).first
                else { break }
                summary.responses = 1
                summary.cases = try await count("SELECT COUNT(*) AS n FROM cases WHERE id = \(id)")
                summary.posts = try await pendingPosts([id])
                guard !dryRun else { break }
                // The aggregates lose exactly what ingest added for it.
                let response = try await Self.storedResponse(row, cipher: nil, strict: false, on: connection, logger: logger)
                var points: [String: Int] = [:]
                for scale in try await Self.rows(
                    """
                    SELECT question, points FROM report_scales
                    WHERE survey = \(response.survey.id) AND version = \(response.survey.version)
                    """, on: connection, logger: logger) {
                    points[try scale["question"].decode(String.self)] = try scale["points"].decode(Int.self)
                }
                var aggregates = ReportAggregateBatch()
                aggregates.remove(response, cesPoints: points)
                try await aggregates.write(connection, logger: logger)
                try await connection.query("DELETE FROM report_tallies WHERE n = 0", logger: logger)
                try await connection.query("DELETE FROM answers WHERE response_id = \(id)", logger: logger)
                try await connection.query("DELETE FROM responses WHERE id = \(id)", logger: logger)
                try await connection.query("DELETE FROM case_events WHERE case_id = \(id)", logger: logger)
                try await connection.query("DELETE FROM cases WHERE id = \(id)", logger: logger)
                try await removePendingPosts([id])
                try await connection.query(
                    """
                    INSERT INTO erased_responses (kiosk, sequence, erased_at)
                    VALUES (\(response.kiosk), \(Int64(clamping: response.sequence)), \(PostgresTimestamp(date)))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
                try await connection.query(
                    "UPDATE kiosks SET response_count = GREATEST(response_count - 1, 0) WHERE id = \(response.kiosk)", logger: logger)
                if let account = try row["account"].decode(String?.self) {
                    // The stored reference (a token when sealed) is its own matching key's form.
                    try await Self.recountAccount(Account.matchingKey(account), on: connection, logger: logger)
                }
            case .account(let account):
                if cipher == nil { try await Self.refuseTokensWithoutKey(on: connection, logger: logger) }
                summary.add(try await Self.eraseAccount(
                    CommentCipher.accountKey(account, with: cipher), dryRun: dryRun, on: connection, logger: logger))
            case .comments(let text, let site):
                // Matched in Swift (as Swift lowercases), so comments sealed at rest are matched on their opened text.
                let folded = text.lowercased()
                let rows = try await Self.rows(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT a.response_id, a.position, a.text_value FROM answers a JOIN responses r ON r.id = a.response_id
                            WHERE r.site = $1 AND a.type = 'text' AND a.text_value IS NOT NULL
                            """,
                        binds: Self.binds(site)),
                    on: connection, logger: logger
                ).filter { row in
                    (try CommentCipher.open(try row["text_value"].decode(String?.self), with: cipher))?.lowercased().contains(folded) ?? false
                }
                summary.comments = rows.count
                var matching: Set<String> = []
                for row in rows { matching.insert(try row["response_id"].decode(String.self)) }
                let ids = matching.sorted()
                summary.posts = try await pendingPosts(ids)
                guard !dryRun else { break }
                for row in rows {
                    let id = try row["response_id"].decode(String.self)
                    let position = try row["position"].decode(Int.self)
                    try await connection.query(
                        "DELETE FROM answers WHERE response_id = \(id) AND position = \(position)", logger: logger)
                }
                if !ids.isEmpty {
                    try await connection.query(
                        "UPDATE responses SET jws = '', personal_data = NULL WHERE id = ANY(\(ids))", logger: logger)
                    try await removePendingPosts(ids)
                }
            }
            if !dryRun, !summary.isEmpty {
                try await Self.logErasure(
                    summary, kind: request.kind, target: request.targetDigest, by: actor, at: date, on: connection, logger: logger)
            }
            return summary
        }
    }

    /// The erasure log; see ``ErasureStorage/erasures()``.
    public func erasures() async throws -> [ErasureRecord] {
        let logger = self.logger
        return try await read("read the erasure log") { connection in
            try await Self.rows("SELECT * FROM erasures ORDER BY id", on: connection, logger: logger).map { row in
                ErasureRecord(
                    at: try row["at"].decode(PostgresTimestamp.self).date, actor: try row["actor"].decode(String.self),
                    kind: try row["kind"].decode(String.self), targetDigest: try row["target_digest"].decode(String.self),
                    summary: ErasureSummary(
                        responses: try row["responses"].decode(Int.self), comments: try row["comments"].decode(Int.self),
                        accountReferences: try row["account_references"].decode(Int.self), cases: try row["cases"].decode(Int.self),
                        posts: try row["posts"].decode(Int.self), accounts: try row["accounts"].decode(Int.self)))
            }
        }
    }

    /// How the aggregates key `reference`; see ``AccountStorage/accountKey(_:)``.
    public func accountKey(_ reference: String) -> String {
        CommentCipher.accountKey(reference, with: commentCipher)
    }

    /// Everything about one account; see ``ErasureStorage/accountRecords(_:)``.
    public func accountRecords(_ account: String) async throws -> AccountRecords {
        let logger = self.logger
        let cipher = commentCipher
        let key = CommentCipher.accountKey(account, with: cipher)
        return try await read("read an account's records") { connection in
            if cipher == nil { try await Self.refuseTokensWithoutKey(on: connection, logger: logger) }
            var records = AccountRecords()
            for row in try await Self.rows(
                PostgresQuery(
                    unsafeSQL: "SELECT * FROM responses WHERE \(Self.folded("account")) = $1 ORDER BY completed_at, id", binds: Self.binds(key)),
                on: connection, logger: logger) {
                records.responses.append(try await Self.storedResponse(row, cipher: cipher, strict: true, on: connection, logger: logger))
            }
            for row in try await Self.rows(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT account, computed_at, zone, score FROM account_health WHERE \(Self.folded("account")) = $1
                        ORDER BY computed_at
                        """,
                    binds: Self.binds(key)),
                on: connection, logger: logger) {
                guard let zone = HealthZone(rawValue: try row["zone"].decode(String.self)) else { continue }
                records.health.append(HealthSnapshot(
                    account: try row["account"].decode(String.self), zone: zone, score: try row["score"].decode(Double.self),
                    at: try row["computed_at"].decode(PostgresTimestamp.self).date))
            }
            return records
        }
    }

    /// Binds `values` in order ($1, $2, …).
    static func binds(_ values: String...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }

    /// The stored response of a `responses` row, with its answers, as ingest stored it.
    /// Comments come opened with `cipher`; a sealed one without it throws when `strict`, else reads as
    /// ``CommentCipher/sealedPlaceholder`` (only scores matter to an erasure's aggregates).
    static func storedResponse(
        _ row: PostgresRandomAccessRow, cipher: CommentCipher?, strict: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> SurveyResponse {
        let id = try row["id"].decode(String.self)
        var answers: [Answer] = []
        for answer in try await rows(
            "SELECT question, type, number_value, text_value FROM answers WHERE response_id = \(id) ORDER BY position",
            on: connection, logger: logger) {
            guard let type = QuestionType(rawValue: try answer["type"].decode(String.self)),
                let value = AnswerValue.stored(
                    type: type, number: try answer["number_value"].decode(Int?.self),
                    text: strict
                        ? try CommentCipher.open(try answer["text_value"].decode(String?.self), with: cipher)
                        : try CommentCipher.openOrPlaceholder(try answer["text_value"].decode(String?.self), with: cipher))
            else { continue }
            answers.append(Answer(question: try answer["question"].decode(String.self), type: type, value: value))
        }
        let draft = ResponseDraft(
            survey: SurveyReference(
                id: try row["survey_id"].decode(String.self), version: try row["survey_version"].decode(Int.self),
                digest: try row["survey_digest"].decode(String.self)),
            site: try row["site"].decode(String.self), kiosk: try row["kiosk"].decode(String.self),
            touchpoint: try row["touchpoint"].decode(String.self),
            stage: JourneyStage(rawValue: try row["stage"].decode(String.self)) ?? .shop, language: try row["language"].decode(String.self),
            startedAt: try row["started_at"].decode(PostgresTimestamp.self).date,
            completedAt: try row["completed_at"].decode(PostgresTimestamp.self).date, answers: answers,
            status: ResponseStatus(rawValue: try row["status"].decode(String.self)) ?? .complete,
            suspect: try row["suspect"].decode(Bool.self), mode: KioskMode(rawValue: try row["mode"].decode(String.self)) ?? .attended,
            account: try CommentCipher.shownAccount(
                stored: try row["account"].decode(String?.self), sealed: try row["account_sealed"].decode(String?.self), with: cipher,
                strict: strict),
            appVersion: try row["app_version"].decode(String.self))
        return SurveyResponse(draft: draft, id: id, sequence: UInt64(max(0, try row["sequence"].decode(Int64.self))))
    }

    /// Recomputes the health aggregates of one account (by its matching key) from its remaining responses; the days
    /// before the retention horizon, whose responses are pruned, keep their aggregates.
    static func recountAccount(_ key: String, on connection: PostgresConnection, logger: Logger) async throws {
        let kept = try await prunedDay(on: connection, logger: logger) ?? ""
        for table in ["account_response_counts", "account_answer_counts"] {
            try await connection.query(PostgresQuery(
                unsafeSQL: "DELETE FROM \(table) WHERE \(folded("account")) = $1 AND day >= $2", binds: binds(key, kept)),
                logger: logger)
        }
        try await addAccountAggregates(ids: nil, accountKey: key, on: connection, logger: logger)
    }

    /// Erases the personal fields of one account (by its matching key); see ``ErasureRequest/account(_:)``. Only
    /// responses and cases completed from `keptFrom` on count (a dry run of pruning leaves older ones in place).
    static func eraseAccount(
        _ key: String, keptFrom: Date = Date(timeIntervalSince1970: 0), dryRun: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> ErasureSummary {
        var summary = ErasureSummary()
        func ids(_ sql: String) async throws -> [String] {
            var binds = PostgresBindings()
            binds.append(key)
            binds.append(PostgresTimestamp(keptFrom))
            return try await rows(PostgresQuery(unsafeSQL: sql, binds: binds), on: connection, logger: logger)
                .map { try $0["id"].decode(String.self) }
        }
        let matching = try await ids("SELECT id FROM responses WHERE \(folded("account")) = $1 AND completed_at >= $2")
        summary.accountReferences = matching.count
        if !matching.isEmpty {
            summary.comments = try await count(
                "SELECT COUNT(*) AS n FROM answers WHERE type = 'text' AND response_id = ANY(\(matching))", on: connection, logger: logger)
        }
        // A case's account is sealed when the response's is a token: match those through their response.
        let cases = try await ids(
            """
            SELECT id FROM cases WHERE completed_at >= $2 AND (\(folded("account")) = $1
                OR id IN (SELECT id FROM responses WHERE \(folded("account")) = $1))
            """)
        summary.cases = cases.count
        summary.posts = try await pendingPostCount(matching, on: connection, logger: logger)
        guard !dryRun else { return summary }
        if !matching.isEmpty {
            try await connection.query("DELETE FROM answers WHERE type = 'text' AND response_id = ANY(\(matching))", logger: logger)
            // The signed original holds the account and the comments: only the checked columns stay.
            try await connection.query(
                "UPDATE responses SET account = NULL, account_sealed = NULL, jws = '', personal_data = NULL WHERE id = ANY(\(matching))",
                logger: logger)
            try await removePendingPosts(matching, on: connection, logger: logger)
        }
        if !cases.isEmpty {
            try await connection.query("UPDATE cases SET account = NULL, resolution = NULL WHERE id = ANY(\(cases))", logger: logger)
            try await connection.query(
                "UPDATE case_events SET detail = NULL WHERE action <> 'opened' AND case_id = ANY(\(cases))", logger: logger)
        }
        for table in ["account_response_counts", "account_answer_counts", "account_health"] {
            try await connection.query(PostgresQuery(
                unsafeSQL: "DELETE FROM \(table) WHERE \(folded("account")) = $1", binds: binds(key)), logger: logger)
        }
        try await connection.query(PostgresQuery(
            unsafeSQL: "DELETE FROM accounts WHERE \(folded("id")) = $1", binds: binds(key)), logger: logger)
        return summary
    }

    /// Throws ``CommentCipher/tokensNeedTheKey`` when account references are stored as tokens (a lookup by reference
    /// without the key would find nothing and say so wrongly).
    static func refuseTokensWithoutKey(on connection: PostgresConnection, logger: Logger) async throws {
        if try await count("SELECT COUNT(*) AS n FROM (SELECT 1 FROM responses WHERE account LIKE 'acct:%' LIMIT 1) t", on: connection, logger: logger) > 0 {
            throw CommentCipher.tokensNeedTheKey
        }
    }

    /// The `n` column of the first row of `query` (a `COUNT(*) AS n`).
    static func count(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        try await rows(query, on: connection, logger: logger).first?["n"].decode(Int.self) ?? 0
    }

    /// How many feed posts about `ids` wait to be sent.
    static func pendingPostCount(_ ids: [String], on connection: PostgresConnection, logger: Logger) async throws -> Int {
        ids.isEmpty ? 0 : try await count(
            "SELECT COUNT(*) AS n FROM feed_outbox WHERE state = 'pending' AND response_id = ANY(\(ids))", on: connection, logger: logger)
    }

    /// Removes the feed posts about `ids` that wait to be sent.
    static func removePendingPosts(_ ids: [String], on connection: PostgresConnection, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        try await connection.query("DELETE FROM feed_outbox WHERE state = 'pending' AND response_id = ANY(\(ids))", logger: logger)
    }

    /// One line of the erasure log.
    static func logErasure(
        _ summary: ErasureSummary, kind: String, target: String, by actor: String, at date: Date, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO erasures (at, actor, kind, target_digest, responses, comments, account_references, cases, posts, accounts)
            VALUES (\(PostgresTimestamp(date)), \(actor), \(kind), \(target), \(summary.responses), \(summary.comments),
                \(summary.accountReferences), \(summary.cases), \(summary.posts), \(summary.accounts))
            """, logger: logger)
    }

    /// The UTC day (`YYYY-MM-DD`) before which responses are pruned, if any are.
    static func prunedDay(on connection: PostgresConnection, logger: Logger) async throws -> String? {
        try await rows("SELECT before FROM retention_horizons WHERE kind = 'responses'", on: connection, logger: logger)
            .first.map { ReportCalendar.day(of: try $0["before"].decode(PostgresTimestamp.self).date) }
    }
}
