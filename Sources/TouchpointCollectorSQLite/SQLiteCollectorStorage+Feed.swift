import Foundation
import GRDB
import TouchpointCore
import TouchpointCollector

extension SQLiteCollectorStorage {
    /// The feed outbox's schema: the cursor over `responses` (by rowid) and one row per post.
    static func registerFeedMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("feed v1: cursor and outbox") { db in
            try db.execute(sql: """
                CREATE TABLE feed_cursor (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    last_rowid INTEGER NOT NULL,
                    started_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL
                );
                CREATE TABLE feed_outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    webhook TEXT NOT NULL,
                    response_id TEXT NOT NULL,
                    event TEXT NOT NULL,
                    body TEXT,
                    state TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at DATETIME NOT NULL,
                    last_error TEXT,
                    created_at DATETIME NOT NULL,
                    delivered_at DATETIME,
                    UNIQUE (webhook, response_id, event)
                );
                CREATE INDEX feed_outbox_by_state ON feed_outbox (webhook, state, id);
                """)
        }
    }

    // MARK: Comments

    /// Comments newest first; see ``FeedStorage/comments(_:)``.
    public func comments(_ query: CommentQuery) async throws -> [FeedComment] {
        if commentCipher != nil, query.text != nil {
            // Sealed text cannot be searched in SQL: page through the comments and look in the opened text.
            return try await query.searchingOpenedText { try await self.comments($0) }
        }
        let cipher = commentCipher
        return try await read("read comments") { db in
            var conditions = ["a.type = 'text'", "a.text_value IS NOT NULL", "a.text_value <> ''"]
            var arguments: [any DatabaseValueConvertible] = []
            switch query.before {
            case .response(let id):
                conditions.append("r.id < ?")
                arguments.append(id)
            case .time(let date):
                conditions.append("r.completed_at < ?")
                arguments.append(date)
            case nil:
                break
            }
            if let since = query.since {
                conditions.append("r.completed_at >= ?")
                arguments.append(since)
            }
            for (column, value) in [("r.site", query.site), ("r.touchpoint", query.touchpoint),
                                    ("r.stage", query.stage?.rawValue), ("r.survey_id", query.survey),
                                    ("r.language", query.language)] {
                if let value {
                    conditions.append("\(column) = ?")
                    arguments.append(value)
                }
            }
            // Search: GRDB's swiftLowercaseString lowercases as Swift does, so Å finds å.
            var search = ""
            if let text = query.foldedText {
                search = " AND instr(swiftLowercaseString(a.text_value), ?) > 0"
                conditions.append("instr(swiftLowercaseString(a.text_value), ?) > 0")
                arguments.append(text)
            }
            // Responses drive the scan (newest id first, down the primary key) so a page stops early.
            let select = """
                SELECT r.id, r.completed_at, r.site, r.kiosk, r.touchpoint, r.stage, r.survey_id, r.language,
                    r.account, r.account_sealed, a.question, a.position, a.text_value,
                    (SELECT n.number_value FROM answers n WHERE n.response_id = r.id AND n.type = 'nps'
                     ORDER BY n.position LIMIT 1) AS nps
                FROM responses r CROSS JOIN answers a ON a.response_id = r.id
                """
            let rows = try Row.fetchAll(
                db, sql: select + " WHERE " + conditions.joined(separator: " AND ")
                    + " ORDER BY r.id DESC, a.position LIMIT ?",
                arguments: StatementArguments(arguments + [query.limit]))
            var comments = try rows.map { try Self.comment($0, cipher) }
            // Keep the last response's comments together on this page.
            if rows.count == query.limit, let last = rows.last {
                let id: String = last["id"]
                let position: Int = last["position"]
                let rest = try Row.fetchAll(
                    db, sql: select + """
                         WHERE r.id = ? AND a.position > ? AND a.type = 'text' AND a.text_value IS NOT NULL
                            AND a.text_value <> ''\(search) ORDER BY a.position
                        """,
                    arguments: StatementArguments([id, position] as [any DatabaseValueConvertible] + (query.foldedText.map { [$0] } ?? [])))
                comments += try rest.map { try Self.comment($0, cipher) }
            }
            return comments
        }
    }

    private static func comment(_ row: Row, _ cipher: CommentCipher?) throws -> FeedComment {
        FeedComment(
            responseID: row["id"], completedAt: row["completed_at"], site: row["site"], kiosk: row["kiosk"],
            touchpoint: row["touchpoint"], stage: JourneyStage(rawValue: row["stage"]) ?? .shop,
            surveyID: row["survey_id"], questionID: row["question"], language: row["language"],
            text: try CommentCipher.open(row["text_value"], with: cipher) ?? "", npsScore: row["nps"],
            account: try CommentCipher.shownAccount(stored: row["account"], sealed: row["account_sealed"], with: cipher, strict: true))
    }

    // MARK: Outbox

    /// Queues posts for responses stored since the cursor; see ``FeedStorage/fanOut(to:at:limit:)``.
    public func fanOut(to webhooks: [Webhook], caseLinks: CaseLinks?, at date: Date, limit: Int) async throws -> FeedFanOut {
        let limit = max(limit, 1)
        // Most calls find nothing new: answer those from a read, without taking the write lock.
        let idle = try await read("read the comment feed cursor") { db -> Bool in
            guard let cursor = try Int64.fetchOne(db, sql: "SELECT last_rowid FROM feed_cursor WHERE id = 1") else {
                return false
            }
            return (try Int64.fetchOne(db, sql: "SELECT MAX(rowid) FROM responses") ?? 0) <= cursor
        }
        if idle { return FeedFanOut() }
        let cipher = commentCipher
        return try await write("queue comment feed posts") { db in
            guard let cursor = try Int64.fetchOne(db, sql: "SELECT last_rowid FROM feed_cursor WHERE id = 1") else {
                let end = try Int64.fetchOne(db, sql: "SELECT MAX(rowid) FROM responses") ?? 0
                try db.execute(
                    sql: "INSERT INTO feed_cursor (id, last_rowid, started_at, updated_at) VALUES (1, ?, ?, ?)",
                    arguments: [end, date, date])
                return FeedFanOut(started: true)
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT rowid, id, kiosk, survey_id, site, touchpoint, stage, language, completed_at, account, account_sealed,
                        EXISTS (SELECT 1 FROM cases WHERE cases.id = responses.id) AS has_case
                    FROM responses WHERE rowid > ? ORDER BY rowid LIMIT ?
                    """,
                arguments: [cursor, limit + 1])
            let more = rows.count > limit
            let batch = rows.prefix(limit)
            guard let last = batch.last else { return FeedFanOut() }
            let answers = try db.cachedStatement(sql: """
                SELECT question, type, number_value, text_value FROM answers WHERE response_id = ? ORDER BY position
                """)
            let insert = try db.cachedStatement(sql: """
                INSERT INTO feed_outbox (webhook, response_id, event, body, next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (webhook, response_id, event) DO NOTHING
                """)
            var queued = 0
            for row in batch {
                var response = FeedEvent(
                    kind: .comment, responseID: row["id"], completedAt: row["completed_at"], site: row["site"],
                    kiosk: row["kiosk"], touchpoint: row["touchpoint"],
                    stage: JourneyStage(rawValue: row["stage"]) ?? .shop, surveyID: row["survey_id"],
                    language: row["language"],
                    account: try CommentCipher.shownAccount(stored: row["account"], sealed: row["account_sealed"], with: cipher, strict: true))
                if let caseLinks, row["has_case"] as Bool {
                    response.caseLink = caseLinks.url(of: response.responseID)
                }
                guard webhooks.contains(where: {
                    $0.route.matches(site: response.site, touchpoint: response.touchpoint, stage: response.stage,
                                     survey: response.surveyID)
                }) else { continue }
                for answer in try Row.fetchAll(answers, arguments: [response.responseID]) {
                    FeedEvent.collect(
                        question: answer["question"], type: answer["type"], number: answer["number_value"],
                        text: try CommentCipher.open(answer["text_value"], with: cipher), scores: &response.scores,
                        comments: &response.comments)
                }
                for webhook in webhooks {
                    for event in FeedEvent.events(for: response, webhook: webhook) {
                        try insert.execute(arguments: [
                            webhook.name, event.responseID, event.key, try CommentCipher.seal(event.body, with: cipher), date, date,
                        ])
                        queued += db.changesCount
                    }
                }
            }
            let lastRowID: Int64 = last["rowid"]
            try db.execute(
                sql: "UPDATE feed_cursor SET last_rowid = ?, updated_at = ? WHERE id = 1", arguments: [lastRowID, date])
            return FeedFanOut(responses: batch.count, queued: queued, more: more)
        }
    }

    /// The oldest pending row of `webhook`; see ``FeedStorage/nextPending(webhook:)``.
    public func nextPending(webhook: String) async throws -> OutboxEntry? {
        let cipher = commentCipher
        return try await read("read the feed outbox") { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM feed_outbox WHERE webhook = ? AND state = 'pending' ORDER BY id LIMIT 1",
                arguments: [webhook]
            ).map { try Self.entry($0, cipher) }
        }
    }

    private static func entry(_ row: Row, _ cipher: CommentCipher?) throws -> OutboxEntry {
        OutboxEntry(
            id: row["id"], webhook: row["webhook"], responseID: row["response_id"], event: row["event"],
            body: try CommentCipher.open(row["body"], with: cipher), state: OutboxEntry.State(rawValue: row["state"]) ?? .pending, attempts: row["attempts"],
            nextAttemptAt: row["next_attempt_at"], lastError: row["last_error"], createdAt: row["created_at"])
    }

    /// Stores one attempt's outcome; see ``FeedStorage/record(_:for:at:)``.
    public func record(_ outcome: OutboxOutcome, for id: Int64, at date: Date) async throws {
        try await write("record a feed delivery") { db in
            switch outcome {
            case .delivered:
                // The body is not needed any more: a delivered row is never posted again.
                try db.execute(
                    sql: """
                        UPDATE feed_outbox SET state = 'delivered', delivered_at = ?, attempts = attempts + 1,
                            body = NULL, last_error = NULL
                        WHERE id = ? AND state = 'pending'
                        """,
                    arguments: [date, id])
            case .retry(let error, let next):
                try db.execute(
                    sql: """
                        UPDATE feed_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
                        WHERE id = ? AND state = 'pending'
                        """,
                    arguments: [error, next, id])
            case .failed(let error):
                try db.execute(
                    sql: """
                        UPDATE feed_outbox SET state = 'failed', attempts = attempts + 1, last_error = ?,
                            next_attempt_at = ?
                        WHERE id = ? AND state = 'pending'
                        """,
                    arguments: [error, date, id])
            }
        }
    }

    /// Counts per webhook; see ``FeedStorage/outboxStatus()``.
    public func outboxStatus() async throws -> OutboxStatus {
        try await read("read the feed status") { db in
            let started = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM feed_cursor)") ?? false
            var byName: [String: OutboxStatus.Webhook] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT webhook, state, COUNT(*) AS n, MIN(created_at) AS oldest, MAX(delivered_at) AS last_delivered
                FROM feed_outbox GROUP BY webhook, state
                """)
            for row in rows {
                let name: String = row["webhook"]
                var summary = byName[name] ?? OutboxStatus.Webhook(name: name)
                let count: Int = row["n"]
                switch OutboxEntry.State(rawValue: row["state"]) {
                case .pending:
                    summary.pending = count
                    summary.oldestPendingAt = row["oldest"]
                case .delivered:
                    summary.delivered = count
                    summary.lastDeliveredAt = row["last_delivered"]
                case .failed:
                    summary.failed = count
                case nil:
                    break
                }
                byName[name] = summary
            }
            for name in byName.keys {
                byName[name]?.lastError = try String.fetchOne(
                    db,
                    sql: """
                        SELECT last_error FROM feed_outbox WHERE webhook = ? AND state = 'pending' AND last_error IS NOT NULL
                        ORDER BY id LIMIT 1
                        """,
                    arguments: [name])
                    ?? String.fetchOne(
                        db,
                        sql: "SELECT last_error FROM feed_outbox WHERE webhook = ? AND state = 'failed' ORDER BY id DESC LIMIT 1",
                        arguments: [name])
            }
            return OutboxStatus(started: started, webhooks: byName.values.sorted { $0.name < $1.name })
        }
    }
}
