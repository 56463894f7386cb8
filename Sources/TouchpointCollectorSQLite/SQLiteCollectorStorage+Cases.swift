import Foundation
import GRDB
import TouchpointCore
import TouchpointCollector

/// Follow-up cases: one row per case (keyed by its response's id) and its history in `case_events`.
extension SQLiteCollectorStorage {
    /// The cases' schema.
    static func registerCaseMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("cases v1: follow-up cases and their history") { db in
            try db.execute(sql: """
                CREATE TABLE cases (
                    id TEXT PRIMARY KEY NOT NULL,
                    opened_at DATETIME NOT NULL,
                    completed_at DATETIME NOT NULL,
                    site TEXT NOT NULL,
                    kiosk TEXT NOT NULL,
                    touchpoint TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    survey_id TEXT NOT NULL,
                    language TEXT NOT NULL,
                    account TEXT,
                    cause TEXT NOT NULL,
                    owner TEXT,
                    due_at DATETIME NOT NULL,
                    status TEXT NOT NULL,
                    first_contact_at DATETIME,
                    closed_at DATETIME,
                    resolution TEXT,
                    overdue_notified_at DATETIME,
                    updated_at DATETIME NOT NULL
                );
                CREATE INDEX cases_opened ON cases (opened_at);
                CREATE INDEX cases_due_open ON cases (due_at) WHERE status IN ('open', 'contacted');
                CREATE TABLE case_events (
                    case_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    at DATETIME NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    detail TEXT,
                    PRIMARY KEY (case_id, position)
                );
                """)
        }
    }

    /// Opens the case of a response just stored (called by ingest, in its transaction).
    static func openCase(
        _ opening: CaseOpening, of response: SurveyResponse, at date: Date, cipher: CommentCipher?, _ db: Database
    ) throws {
        try db.cachedStatement(sql: """
            INSERT INTO cases (id, opened_at, completed_at, site, kiosk, touchpoint, stage, survey_id, language, account,
                cause, owner, due_at, status, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?) ON CONFLICT (id) DO NOTHING
            """).execute(arguments: [
                response.id, date, response.completedAt, response.site, response.kiosk, response.touchpoint,
                response.stage.rawValue, response.survey.id, response.language,
                try CommentCipher.seal(response.account, with: cipher), opening.trigger,
                opening.owner, opening.dueAt, date,
            ])
        guard db.changesCount > 0 else { return }
        try db.cachedStatement(sql: """
            INSERT INTO case_events (case_id, position, at, actor, action, detail) VALUES (?, 0, ?, 'collector', 'opened', ?)
            """).execute(arguments: [response.id, date, opening.owner.map { "\(opening.trigger); owner \($0)" } ?? opening.trigger])
    }

    /// The cases `query` selects; see ``CaseStorage/cases(_:)``.
    public func cases(_ query: CaseQuery) async throws -> [FollowUpCase] {
        let cipher = commentCipher
        return try await read("read follow-up cases") { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            if !query.statuses.isEmpty {
                conditions.append("status IN (\(query.statuses.map { _ in "?" }.joined(separator: ", ")))")
                for status in query.statuses.sorted(by: { $0.rawValue < $1.rawValue }) { _ = arguments.append(contentsOf: [status.rawValue]) }
            }
            if let overdueAt = query.overdueAt {
                conditions.append("status IN ('open', 'contacted') AND due_at <= ?")
                _ = arguments.append(contentsOf: [overdueAt])
            }
            for (column, value) in [("site", query.site), ("touchpoint", query.touchpoint), ("stage", query.stage?.rawValue),
                                    ("survey_id", query.survey), ("language", query.language)] {
                if let value {
                    conditions.append("\(column) = ?")
                    _ = arguments.append(contentsOf: [value])
                }
            }
            if let owner = query.owner {
                conditions.append(owner.isEmpty ? "owner IS NULL" : "owner = ?")
                if !owner.isEmpty { _ = arguments.append(contentsOf: [owner]) }
            }
            if let from = query.openedFrom {
                conditions.append("opened_at >= ?")
                _ = arguments.append(contentsOf: [from])
            }
            if let to = query.openedTo {
                conditions.append("opened_at < ?")
                _ = arguments.append(contentsOf: [to])
            }
            var sql = "SELECT * FROM cases"
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY opened_at DESC, id DESC"
            if let limit = query.limit {
                sql += " LIMIT ?"
                _ = arguments.append(contentsOf: [max(limit, 0)])
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { try Self.followUpCase($0, cipher) }
        }
    }

    /// One case with its scores, comments and history; see ``CaseStorage/followUpCase(_:)``.
    public func followUpCase(_ id: String) async throws -> FollowUpCase? {
        let cipher = commentCipher
        return try await read("read a follow-up case") { db in try Self.fullCase(id, cipher, db) }
    }

    /// Applies a change to a case; see ``CaseStorage/changeCase(_:_:by:at:)``.
    @discardableResult
    public func changeCase(_ id: String, _ change: CaseChange, by actor: String, at date: Date) async throws -> FollowUpCase {
        let cipher = commentCipher
        return try await write("change a follow-up case") { db in
            guard let current = try Self.fullCase(id, cipher, db) else {
                throw CollectorError(.notFound, "there is no case \(id)")
            }
            let (changed, event) = try current.applying(change, by: actor, at: date)
            try db.execute(
                sql: """
                    UPDATE cases SET owner = ?, status = ?, first_contact_at = ?, closed_at = ?, resolution = ?,
                        updated_at = ? WHERE id = ?
                    """,
                arguments: [
                    changed.owner, changed.status.rawValue, changed.firstContactAt, changed.closedAt, changed.resolution,
                    date, id,
                ])
            try db.execute(
                sql: """
                    INSERT INTO case_events (case_id, position, at, actor, action, detail)
                    VALUES (?, (SELECT COALESCE(MAX(position), -1) + 1 FROM case_events WHERE case_id = ?), ?, ?, ?, ?)
                    """,
                arguments: [id, id, event.at, event.actor, event.action.rawValue, event.detail])
            return changed
        }
    }

    /// Queues the overdue notices due; see ``CaseStorage/noticeOverdueCases(rules:links:at:)``.
    public func noticeOverdueCases(rules: CaseRules, links: CaseLinks?, at date: Date) async throws -> [FollowUpCase] {
        let cipher = commentCipher
        // Most checks find nothing: answer those from a read, without taking the write lock.
        let due = try await read("look for overdue cases") { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM cases WHERE status IN ('open', 'contacted') AND due_at <= ?
                    AND overdue_notified_at IS NULL)
                """, arguments: [date]) ?? false
        }
        guard due else { return [] }
        return try await write("queue overdue case notices") { db in
            let overdue = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM cases WHERE status IN ('open', 'contacted') AND due_at <= ? AND overdue_notified_at IS NULL
                    ORDER BY due_at, id
                    """,
                arguments: [date]
            ).map { try Self.followUpCase($0, cipher) }
            let post = try db.cachedStatement(sql: """
                INSERT INTO feed_outbox (webhook, response_id, event, body, next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (webhook, response_id, event) DO NOTHING
                """)
            var noticed: [FollowUpCase] = []
            for var followUp in overdue {
                try db.execute(sql: "UPDATE cases SET overdue_notified_at = ? WHERE id = ?", arguments: [date, followUp.id])
                if let webhook = rules.channel(for: followUp.owner) {
                    let text = CaseNotice.overdue(followUp, link: links?.url(of: followUp.id), at: date)
                    try post.execute(arguments: [webhook, followUp.id, CaseNotice.overdueEvent, FeedEvent.body(text: text), date, date])
                }
                followUp.overdueNotifiedAt = date
                noticed.append(followUp)
            }
            return noticed
        }
    }

    /// Case `id` with its answers and history, read in `db`.
    static func fullCase(_ id: String, _ cipher: CommentCipher?, _ db: Database) throws -> FollowUpCase? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM cases WHERE id = ?", arguments: [id]) else { return nil }
        var followUp = try followUpCase(row, cipher)
        for answer in try Row.fetchAll(
            db, sql: "SELECT question, type, number_value, text_value FROM answers WHERE response_id = ? ORDER BY position",
            arguments: [id]) {
            followUp.add(
                answer: answer["question"], type: answer["type"], number: answer["number_value"],
                text: try CommentCipher.openOrPlaceholder(answer["text_value"], with: cipher))
        }
        followUp.events = try Row.fetchAll(
            db, sql: "SELECT at, actor, action, detail FROM case_events WHERE case_id = ? ORDER BY position", arguments: [id]
        ).compactMap { row in
            CaseEvent.Action(rawValue: row["action"]).map {
                CaseEvent(at: row["at"], actor: row["actor"], action: $0, detail: row["detail"])
            }
        }
        return followUp
    }

    /// The case of a `cases` row (without answers and history).
    static func followUpCase(_ row: Row, _ cipher: CommentCipher?) throws -> FollowUpCase {
        FollowUpCase(
            id: row["id"], openedAt: row["opened_at"], completedAt: row["completed_at"], site: row["site"],
            kiosk: row["kiosk"], touchpoint: row["touchpoint"], stage: JourneyStage(rawValue: row["stage"]) ?? .shop,
            surveyID: row["survey_id"], language: row["language"],
            account: try CommentCipher.openOrPlaceholder(row["account"], with: cipher), trigger: row["cause"],
            owner: row["owner"], dueAt: row["due_at"], status: CaseStatus(rawValue: row["status"]) ?? .open,
            firstContactAt: row["first_contact_at"], closedAt: row["closed_at"], resolution: row["resolution"],
            overdueNotifiedAt: row["overdue_notified_at"])
    }
}
