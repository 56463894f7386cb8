import Foundation
import GRDB
import TouchpointCore
import TouchpointCollector

/// Erasure of personal data and its log; see ``ErasureStorage``.
extension SQLiteCollectorStorage {
    /// The erasure log and the erased responses' places in their kiosks' sequences.
    static func registerErasureMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("privacy v1: erasure log and erased responses") { db in
            try db.execute(sql: """
                CREATE TABLE erasures (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at DATETIME NOT NULL,
                    actor TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    target_digest TEXT NOT NULL,
                    responses INTEGER NOT NULL,
                    comments INTEGER NOT NULL,
                    account_references INTEGER NOT NULL,
                    cases INTEGER NOT NULL,
                    posts INTEGER NOT NULL
                );
                CREATE TABLE erased_responses (
                    kiosk TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    erased_at DATETIME NOT NULL,
                    PRIMARY KEY (kiosk, sequence)
                );
                """)
        }
        migrator.registerMigration("privacy v2: retention") { db in
            try db.execute(sql: """
                ALTER TABLE erasures ADD COLUMN accounts INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE retention_horizons (
                    kind TEXT PRIMARY KEY NOT NULL,
                    before DATETIME NOT NULL,
                    pruned_at DATETIME NOT NULL
                );
                CREATE TABLE pruned_sequences (
                    kiosk TEXT PRIMARY KEY NOT NULL,
                    through INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("privacy v3: account references sealed at rest") { db in
            // With --comment-key, `account` holds the reference's token and this its sealed spelling.
            try db.execute(sql: "ALTER TABLE responses ADD COLUMN account_sealed TEXT")
        }
        migrator.registerMigration("privacy v4: personal data counted per response") { db in
            // Counted at ingest (``PersonalDataCounts``); responses stored before count none.
            try db.execute(sql: """
                ALTER TABLE responses ADD COLUMN personal_data TEXT;
                CREATE INDEX responses_with_personal_data ON responses (completed_at) WHERE personal_data IS NOT NULL;
                """)
        }
    }

    /// Erases what `request` names; see ``ErasureStorage/erase(_:by:at:dryRun:)``.
    public func erase(_ request: ErasureRequest, by actor: String, at date: Date, dryRun: Bool) async throws -> ErasureSummary {
        let cipher = commentCipher
        return try await write("erase personal data") { db in
            var summary = ErasureSummary(dryRun: dryRun)
            func list(_ ids: [String]) -> String { Self.placeholders(ids) }
            func pendingPosts(_ ids: [String]) throws -> Int { try Self.pendingPostCount(ids, db) }
            func removePendingPosts(_ ids: [String]) throws { try Self.removePendingPosts(ids, db) }
            switch request {
            case .response(let given):
                let id = given.lowercased()
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM responses WHERE id = ?", arguments: [id]) else { break }
                summary.responses = 1
                summary.cases = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cases WHERE id = ?", arguments: [id]) ?? 0
                summary.posts = try pendingPosts([id])
                guard !dryRun else { break }
                // The aggregates lose exactly what ingest added for it.
                let response = try Self.storedResponse(row, nil, strict: false, db)
                let points = try Row.fetchAll(
                    db, sql: "SELECT question, points FROM report_scales WHERE survey = ? AND version = ?",
                    arguments: [response.survey.id, response.survey.version])
                var aggregates = ReportAggregateBatch()
                aggregates.remove(response, cesPoints: Dictionary(points.map { ($0["question"], $0["points"]) }, uniquingKeysWith: { $1 }))
                try aggregates.write(db)
                try db.execute(sql: "DELETE FROM report_tallies WHERE n = 0")
                try db.execute(sql: "DELETE FROM answers WHERE response_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM responses WHERE id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM case_events WHERE case_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM cases WHERE id = ?", arguments: [id])
                try removePendingPosts([id])
                try db.execute(
                    sql: "INSERT OR IGNORE INTO erased_responses (kiosk, sequence, erased_at) VALUES (?, ?, ?)",
                    arguments: [response.kiosk, Int64(clamping: response.sequence), date])
                try db.execute(
                    sql: "UPDATE kiosks SET response_count = max(response_count - 1, 0) WHERE id = ?", arguments: [response.kiosk])
                if let account = row["account"] as String? {
                    // The stored reference (a token when sealed) is its own matching key's form.
                    try Self.recountAccount(Account.matchingKey(account), db)
                }
            case .account(let account):
                if cipher == nil { try Self.refuseTokensWithoutKey(db) }
                summary.add(try Self.eraseAccount(CommentCipher.accountKey(account, with: cipher), dryRun: dryRun, db))
            case .comments(let text, let site):
                // Matched in Swift (as Swift lowercases), so comments sealed at rest are matched on their opened text.
                let folded = text.lowercased()
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT a.response_id, a.position, a.text_value FROM answers a JOIN responses r ON r.id = a.response_id
                        WHERE r.site = ? AND a.type = 'text' AND a.text_value IS NOT NULL
                        """,
                    arguments: [site]
                ).filter { row in
                    (try CommentCipher.open(row["text_value"], with: cipher))?.lowercased().contains(folded) ?? false
                }
                summary.comments = rows.count
                let matching = Array(Set(rows.map { $0["response_id"] as String })).sorted()
                summary.posts = try pendingPosts(matching)
                guard !dryRun else { break }
                for row in rows {
                    try db.execute(
                        sql: "DELETE FROM answers WHERE response_id = ? AND position = ?",
                        arguments: [row["response_id"] as String, row["position"] as Int])
                }
                if !matching.isEmpty {
                    try db.execute(
                        sql: "UPDATE responses SET jws = '', personal_data = NULL WHERE id IN (\(list(matching)))",
                        arguments: StatementArguments(matching))
                    try removePendingPosts(matching)
                }
            }
            if !dryRun, !summary.isEmpty {
                try Self.logErasure(summary, kind: request.kind, target: request.targetDigest, by: actor, at: date, db)
            }
            return summary
        }
    }

    /// The erasure log; see ``ErasureStorage/erasures()``.
    public func erasures() async throws -> [ErasureRecord] {
        try await read("read the erasure log") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM erasures ORDER BY id").map { row in
                ErasureRecord(
                    at: row["at"], actor: row["actor"], kind: row["kind"], targetDigest: row["target_digest"],
                    summary: ErasureSummary(
                        responses: row["responses"], comments: row["comments"], accountReferences: row["account_references"],
                        cases: row["cases"], posts: row["posts"], accounts: row["accounts"]))
            }
        }
    }

    /// How the aggregates key `reference`; see ``AccountStorage/accountKey(_:)``.
    public func accountKey(_ reference: String) -> String {
        CommentCipher.accountKey(reference, with: commentCipher)
    }

    /// Everything about one account; see ``ErasureStorage/accountRecords(_:)``.
    public func accountRecords(_ account: String) async throws -> AccountRecords {
        let cipher = commentCipher
        let key = CommentCipher.accountKey(account, with: cipher)
        return try await read("read an account's records") { db in
            if cipher == nil { try Self.refuseTokensWithoutKey(db) }
            let responses = try Row.fetchAll(
                db, sql: "SELECT * FROM responses WHERE swiftLowercaseString(account) = ? ORDER BY completed_at, id", arguments: [key]
            ).map { try Self.storedResponse($0, cipher, strict: true, db) }
            let health = try Row.fetchAll(
                db, sql: "SELECT account, computed_at, zone, score FROM account_health WHERE swiftLowercaseString(account) = ? ORDER BY computed_at",
                arguments: [key]
            ).compactMap { row in
                HealthZone(rawValue: row["zone"]).map { HealthSnapshot(account: row["account"], zone: $0, score: row["score"], at: row["computed_at"]) }
            }
            return AccountRecords(responses: responses, health: health)
        }
    }

    /// The stored response of a `responses` row, with its answers, as ingest stored it.
    /// Comments come opened with `cipher`; a sealed one without it throws when `strict`, else reads as
    /// ``CommentCipher/sealedPlaceholder`` (only scores matter to an erasure's aggregates).
    static func storedResponse(_ row: Row, _ cipher: CommentCipher?, strict: Bool, _ db: Database) throws -> SurveyResponse {
        let id: String = row["id"]
        let answers = try Row.fetchAll(
            db, sql: "SELECT question, type, number_value, text_value FROM answers WHERE response_id = ? ORDER BY position",
            arguments: [id]
        ).compactMap { answer -> Answer? in
            guard let type = QuestionType(rawValue: answer["type"]),
                let value = AnswerValue.stored(
                    type: type, number: answer["number_value"], text: strict
                        ? try CommentCipher.open(answer["text_value"], with: cipher)
                        : try CommentCipher.openOrPlaceholder(answer["text_value"], with: cipher))
            else { return nil }
            return Answer(question: answer["question"], type: type, value: value)
        }
        let draft = ResponseDraft(
            survey: SurveyReference(id: row["survey_id"], version: row["survey_version"], digest: row["survey_digest"]),
            site: row["site"], kiosk: row["kiosk"], touchpoint: row["touchpoint"],
            stage: JourneyStage(rawValue: row["stage"]) ?? .shop, language: row["language"],
            startedAt: row["started_at"], completedAt: row["completed_at"],
            answers: answers, status: ResponseStatus(rawValue: row["status"]) ?? .complete, suspect: row["suspect"],
            mode: KioskMode(rawValue: row["mode"]) ?? .attended,
            account: try CommentCipher.shownAccount(stored: row["account"], sealed: row["account_sealed"], with: cipher, strict: strict),
            appVersion: row["app_version"])
        return SurveyResponse(draft: draft, id: id, sequence: UInt64(max(0, row["sequence"] as Int64)))
    }

    /// Recomputes the health aggregates of one account (by its matching key) from its remaining responses; the days
    /// before the retention horizon, whose responses are pruned, keep their aggregates.
    static func recountAccount(_ key: String, _ db: Database) throws {
        let kept = try prunedDay(db) ?? ""
        try db.execute(sql: "DELETE FROM account_response_counts WHERE swiftLowercaseString(account) = ? AND day >= ?", arguments: [key, kept])
        try db.execute(sql: "DELETE FROM account_answer_counts WHERE swiftLowercaseString(account) = ? AND day >= ?", arguments: [key, kept])
        try addAccountAggregates(db, where: "swiftLowercaseString(r.account) = ?", arguments: [key])
    }

    /// Erases the personal fields of one account (by its matching key); see ``ErasureRequest/account(_:)``. Only
    /// responses and cases completed from `keptFrom` on count (a dry run of pruning leaves older ones in place).
    static func eraseAccount(_ key: String, keptFrom: Date = .distantPast, dryRun: Bool, _ db: Database) throws -> ErasureSummary {
        var summary = ErasureSummary()
        let matching = try String.fetchAll(
            db, sql: "SELECT id FROM responses WHERE swiftLowercaseString(account) = ? AND completed_at >= ?", arguments: [key, keptFrom])
        let list = placeholders(matching)
        summary.accountReferences = matching.count
        if !matching.isEmpty {
            summary.comments = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM answers WHERE type = 'text' AND response_id IN (\(list))",
                arguments: StatementArguments(matching)) ?? 0
        }
        // A case's account is sealed when the response's is a token: match those through their response.
        let cases = try String.fetchAll(
            db,
            sql: """
                SELECT id FROM cases WHERE completed_at >= ? AND (swiftLowercaseString(account) = ?
                    OR id IN (SELECT id FROM responses WHERE swiftLowercaseString(account) = ?))
                """,
            arguments: [keptFrom, key, key])
        summary.cases = cases.count
        summary.posts = try pendingPostCount(matching, db)
        guard !dryRun else { return summary }
        if !matching.isEmpty {
            try db.execute(
                sql: "DELETE FROM answers WHERE type = 'text' AND response_id IN (\(list))", arguments: StatementArguments(matching))
            // The signed original holds the account and the comments: only the checked columns stay.
            try db.execute(
                sql: "UPDATE responses SET account = NULL, account_sealed = NULL, jws = '', personal_data = NULL WHERE id IN (\(list))",
                arguments: StatementArguments(matching))
            try removePendingPosts(matching, db)
        }
        if !cases.isEmpty {
            try db.execute(
                sql: "UPDATE cases SET account = NULL, resolution = NULL WHERE id IN (\(placeholders(cases)))",
                arguments: StatementArguments(cases))
            try db.execute(
                sql: "UPDATE case_events SET detail = NULL WHERE action <> 'opened' AND case_id IN (\(placeholders(cases)))",
                arguments: StatementArguments(cases))
        }
        for table in ["account_response_counts", "account_answer_counts", "account_health"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE swiftLowercaseString(account) = ?", arguments: [key])
        }
        try db.execute(sql: "DELETE FROM accounts WHERE swiftLowercaseString(id) = ?", arguments: [key])
        return summary
    }

    /// Throws ``CommentCipher/tokensNeedTheKey`` when account references are stored as tokens (a lookup by reference
    /// without the key would find nothing and say so wrongly).
    static func refuseTokensWithoutKey(_ db: Database) throws {
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM responses WHERE account LIKE 'acct:%')") ?? false {
            throw CommentCipher.tokensNeedTheKey
        }
    }

    /// `?, ?, ?` for `ids`.
    static func placeholders(_ ids: [String]) -> String { ids.map { _ in "?" }.joined(separator: ", ") }

    /// How many feed posts about `ids` wait to be sent.
    static func pendingPostCount(_ ids: [String], _ db: Database) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM feed_outbox WHERE state = 'pending' AND response_id IN (\(placeholders(ids)))",
            arguments: StatementArguments(ids)) ?? 0
    }

    /// Removes the feed posts about `ids` that wait to be sent.
    static func removePendingPosts(_ ids: [String], _ db: Database) throws {
        guard !ids.isEmpty else { return }
        try db.execute(
            sql: "DELETE FROM feed_outbox WHERE state = 'pending' AND response_id IN (\(placeholders(ids)))",
            arguments: StatementArguments(ids))
    }

    /// One line of the erasure log.
    static func logErasure(_ summary: ErasureSummary, kind: String, target: String, by actor: String, at date: Date, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO erasures (at, actor, kind, target_digest, responses, comments, account_references, cases, posts, accounts)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                date, actor, kind, target, summary.responses, summary.comments, summary.accountReferences, summary.cases,
                summary.posts, summary.accounts,
            ])
    }

    /// The UTC day (`YYYY-MM-DD`) before which responses are pruned, if any are.
    static func prunedDay(_ db: Database) throws -> String? {
        try Date.fetchOne(db, sql: "SELECT before FROM retention_horizons WHERE kind = 'responses'").map(ReportCalendar.day(of:))
    }
}
