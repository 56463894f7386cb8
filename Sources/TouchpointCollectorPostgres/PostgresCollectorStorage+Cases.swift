import Foundation
import Logging
import PostgresNIO
import TouchpointCollector
import TouchpointCore

/// Follow-up cases: one row per case (keyed by its response's id) and its history in `case_events`.
///
/// A change locks its case's row (`FOR UPDATE`) for its transaction, so two processes changing one case are
/// serialised and the second one sees the first one's result; overdue notices lock the rows they notice.
extension PostgresCollectorStorage {
    /// The cases' schema, after the other migrations.
    static var caseMigrations: [Migration] {
        [
            Migration(name: "cases v1: follow-up cases and their history", statements: [
                """
                CREATE TABLE cases (
                    id TEXT COLLATE "C" PRIMARY KEY,
                    opened_at TIMESTAMPTZ NOT NULL,
                    completed_at TIMESTAMPTZ NOT NULL,
                    site TEXT COLLATE "C" NOT NULL,
                    kiosk TEXT COLLATE "C" NOT NULL,
                    touchpoint TEXT COLLATE "C" NOT NULL,
                    stage TEXT COLLATE "C" NOT NULL,
                    survey_id TEXT COLLATE "C" NOT NULL,
                    language TEXT COLLATE "C" NOT NULL,
                    account TEXT,
                    cause TEXT NOT NULL,
                    owner TEXT COLLATE "C",
                    due_at TIMESTAMPTZ NOT NULL,
                    status TEXT COLLATE "C" NOT NULL,
                    first_contact_at TIMESTAMPTZ,
                    closed_at TIMESTAMPTZ,
                    resolution TEXT,
                    overdue_notified_at TIMESTAMPTZ,
                    updated_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE INDEX cases_opened ON cases (opened_at)",
                "CREATE INDEX cases_due_open ON cases (due_at) WHERE status IN ('open', 'contacted')",
                """
                CREATE TABLE case_events (
                    case_id TEXT COLLATE "C" NOT NULL,
                    position INTEGER NOT NULL,
                    at TIMESTAMPTZ NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT COLLATE "C" NOT NULL,
                    detail TEXT,
                    PRIMARY KEY (case_id, position)
                )
                """,
            ]),
        ]
    }

    /// Opens the cases of the responses just stored (called by ingest, in its transaction): one insert per table.
    static func openCases(
        _ items: [VerifiedItem], at date: Date, cipher: CommentCipher?, on connection: PostgresConnection, logger: Logger
    ) async throws {
        var id: [String] = [], completedAt: [PostgresTimestamp] = [], site: [String] = [], kiosk: [String] = []
        var touchpoint: [String] = [], stage: [String] = [], survey: [String] = [], language: [String] = []
        var account: [String] = [], hasAccount: [Bool] = [], cause: [String] = [], owner: [String] = []
        var hasOwner: [Bool] = [], dueAt: [PostgresTimestamp] = [], detail: [String] = []
        for item in items {
            guard let opening = item.followUp else { continue }
            let response = item.response
            id.append(response.id)
            completedAt.append(PostgresTimestamp(response.completedAt))
            site.append(response.site)
            kiosk.append(response.kiosk)
            touchpoint.append(response.touchpoint)
            stage.append(response.stage.rawValue)
            survey.append(response.survey.id)
            language.append(response.language)
            account.append(try CommentCipher.seal(response.account, with: cipher) ?? "")
            hasAccount.append(response.account != nil)
            cause.append(opening.trigger)
            owner.append(opening.owner ?? "")
            hasOwner.append(opening.owner != nil)
            dueAt.append(PostgresTimestamp(opening.dueAt))
            detail.append(opening.owner.map { "\(opening.trigger); owner \($0)" } ?? opening.trigger)
        }
        guard !id.isEmpty else { return }
        var sql = SQLBuilder()
        let opened = sql.bind(date)
        let statement = """
            WITH inserted AS (
                INSERT INTO cases (id, opened_at, completed_at, site, kiosk, touchpoint, stage, survey_id, language,
                    account, cause, owner, due_at, status, updated_at)
                SELECT id, \(opened), completed_at, site, kiosk, touchpoint, stage, survey, language,
                    CASE WHEN has_account THEN account END, cause, CASE WHEN has_owner THEN owner END, due_at, 'open',
                    \(opened)
                FROM unnest(\(sql.bind(id))::text[], \(sql.bind(completedAt))::timestamptz[], \(sql.bind(site))::text[],
                    \(sql.bind(kiosk))::text[], \(sql.bind(touchpoint))::text[], \(sql.bind(stage))::text[],
                    \(sql.bind(survey))::text[], \(sql.bind(language))::text[], \(sql.bind(account))::text[],
                    \(sql.bind(hasAccount))::bool[], \(sql.bind(cause))::text[], \(sql.bind(owner))::text[],
                    \(sql.bind(hasOwner))::bool[], \(sql.bind(dueAt))::timestamptz[])
                    AS opening(id, completed_at, site, kiosk, touchpoint, stage, survey, language, account, has_account,
                        cause, owner, has_owner, due_at)
                ON CONFLICT (id) DO NOTHING
                RETURNING id
            )
            INSERT INTO case_events (case_id, position, at, actor, action, detail)
            SELECT event.id, 0, \(opened), 'collector', 'opened', event.detail
            FROM unnest(\(sql.bind(id))::text[], \(sql.bind(detail))::text[]) AS event(id, detail)
            WHERE event.id IN (SELECT id FROM inserted)
            """
        try await connection.query(sql.query(statement), logger: logger)
    }

    /// The cases `query` selects; see ``CaseStorage/cases(_:)``.
    public func cases(_ query: CaseQuery) async throws -> [FollowUpCase] {
        let logger = self.logger
        let cipher = commentCipher
        return try await read("read follow-up cases") { connection in
            var sql = SQLBuilder()
            var conditions: [String] = []
            if !query.statuses.isEmpty {
                conditions.append("status = ANY(\(sql.bind(query.statuses.map(\.rawValue).sorted()))::text[])")
            }
            if let overdueAt = query.overdueAt {
                conditions.append("status IN ('open', 'contacted') AND due_at <= \(sql.bind(overdueAt))")
            }
            for (column, value) in [("site", query.site), ("touchpoint", query.touchpoint), ("stage", query.stage?.rawValue),
                                    ("survey_id", query.survey), ("language", query.language)] {
                if let value {
                    conditions.append("\(column) = \(sql.bind(value))")
                }
            }
            if let owner = query.owner {
                conditions.append(owner.isEmpty ? "owner IS NULL" : "owner = \(sql.bind(owner))")
            }
            if let from = query.openedFrom {
                conditions.append("opened_at >= \(sql.bind(from))")
            }
            if let to = query.openedTo {
                conditions.append("opened_at < \(sql.bind(to))")
            }
            var statement = "SELECT * FROM cases"
            if !conditions.isEmpty { statement += " WHERE " + conditions.joined(separator: " AND ") }
            statement += " ORDER BY opened_at DESC, id DESC"
            if let limit = query.limit {
                statement += " LIMIT \(sql.bind(max(limit, 0)))"
            }
            return try await Self.rows(sql.query(statement), on: connection, logger: logger).map { try Self.followUpCase($0, cipher) }
        }
    }

    /// One case with its scores, comments and history; see ``CaseStorage/followUpCase(_:)``.
    public func followUpCase(_ id: String) async throws -> FollowUpCase? {
        let logger = self.logger
        let cipher = commentCipher
        return try await read("read a follow-up case") { connection in
            try await Self.fullCase(id, lock: false, cipher: cipher, on: connection, logger: logger)
        }
    }

    /// Applies a change to a case; see ``CaseStorage/changeCase(_:_:by:at:)``.
    @discardableResult
    public func changeCase(_ id: String, _ change: CaseChange, by actor: String, at date: Date) async throws -> FollowUpCase {
        let logger = self.logger
        let cipher = commentCipher
        return try await write("change a follow-up case") { connection in
            guard let current = try await Self.fullCase(id, lock: true, cipher: cipher, on: connection, logger: logger) else {
                throw CollectorError(.notFound, "there is no case \(id)")
            }
            let (changed, event) = try current.applying(change, by: actor, at: date)
            try await connection.query(
                """
                UPDATE cases SET owner = \(changed.owner), status = \(changed.status.rawValue),
                    first_contact_at = \(changed.firstContactAt.map(PostgresTimestamp.init)),
                    closed_at = \(changed.closedAt.map(PostgresTimestamp.init)), resolution = \(changed.resolution),
                    updated_at = \(PostgresTimestamp(date))
                WHERE id = \(id)
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO case_events (case_id, position, at, actor, action, detail)
                VALUES (\(id), \(current.events.count), \(PostgresTimestamp(event.at)), \(event.actor),
                    \(event.action.rawValue), \(event.detail))
                """, logger: logger)
            return changed
        }
    }

    /// Queues the overdue notices due; see ``CaseStorage/noticeOverdueCases(rules:links:at:)``.
    public func noticeOverdueCases(rules: CaseRules, links: CaseLinks?, at date: Date) async throws -> [FollowUpCase] {
        let logger = self.logger
        let cipher = commentCipher
        let stamp = PostgresTimestamp(date)
        return try await write("queue overdue case notices") { connection in
            // SKIP LOCKED: a case another process is noticing (or changing) now is left to it.
            let overdue = try await Self.rows(
                """
                SELECT * FROM cases WHERE status IN ('open', 'contacted') AND due_at <= \(stamp)
                    AND overdue_notified_at IS NULL
                ORDER BY due_at, id FOR UPDATE SKIP LOCKED
                """, on: connection, logger: logger
            ).map { try Self.followUpCase($0, cipher) }
            var noticed: [FollowUpCase] = []
            for var followUp in overdue {
                try await connection.query(
                    "UPDATE cases SET overdue_notified_at = \(stamp) WHERE id = \(followUp.id)", logger: logger)
                if let webhook = rules.channel(for: followUp.owner) {
                    let body = FeedEvent.body(text: CaseNotice.overdue(followUp, link: links?.url(of: followUp.id), at: date))
                    try await connection.query(
                        """
                        INSERT INTO feed_outbox (webhook, response_id, event, body, next_attempt_at, created_at)
                        VALUES (\(webhook), \(followUp.id), \(CaseNotice.overdueEvent), \(body), \(stamp), \(stamp))
                        ON CONFLICT (webhook, response_id, event) DO NOTHING
                        """, logger: logger)
                }
                followUp.overdueNotifiedAt = date
                noticed.append(followUp)
            }
            return noticed
        }
    }

    /// Case `id` with its answers and history (its row locked for the transaction with `lock`).
    static func fullCase(
        _ id: String, lock: Bool, cipher: CommentCipher?, on connection: PostgresConnection, logger: Logger
    ) async throws -> FollowUpCase? {
        let query: PostgresQuery = lock
            ? "SELECT * FROM cases WHERE id = \(id) FOR UPDATE" : "SELECT * FROM cases WHERE id = \(id)"
        guard let row = try await rows(query, on: connection, logger: logger).first else { return nil }
        var followUp = try followUpCase(row, cipher)
        for answer in try await rows(
            "SELECT question, type, number_value, text_value FROM answers WHERE response_id = \(id) ORDER BY position",
            on: connection, logger: logger) {
            followUp.add(
                answer: try answer["question"].decode(String.self), type: try answer["type"].decode(String.self),
                number: try answer["number_value"].decode(Int?.self),
                text: try CommentCipher.openOrPlaceholder(try answer["text_value"].decode(String?.self), with: cipher))
        }
        followUp.events = try await rows(
            "SELECT at, actor, action, detail FROM case_events WHERE case_id = \(id) ORDER BY position",
            on: connection, logger: logger
        ).compactMap { row in
            guard let action = CaseEvent.Action(rawValue: try row["action"].decode(String.self)) else { return nil }
            return CaseEvent(
                at: try row["at"].decode(PostgresTimestamp.self).date, actor: try row["actor"].decode(String.self),
                action: action, detail: try row["detail"].decode(String?.self))
        }
        return followUp
    }

    /// The case of a `cases` row (without answers and history).
    static func followUpCase(_ row: PostgresRandomAccessRow, _ cipher: CommentCipher?) throws -> FollowUpCase {
        FollowUpCase(
            id: try row["id"].decode(String.self), openedAt: try row["opened_at"].decode(PostgresTimestamp.self).date,
            completedAt: try row["completed_at"].decode(PostgresTimestamp.self).date,
            site: try row["site"].decode(String.self), kiosk: try row["kiosk"].decode(String.self),
            touchpoint: try row["touchpoint"].decode(String.self),
            stage: JourneyStage(rawValue: try row["stage"].decode(String.self)) ?? .shop,
            surveyID: try row["survey_id"].decode(String.self), language: try row["language"].decode(String.self),
            account: try CommentCipher.openOrPlaceholder(try row["account"].decode(String?.self), with: cipher),
            trigger: try row["cause"].decode(String.self),
            owner: try row["owner"].decode(String?.self), dueAt: try row["due_at"].decode(PostgresTimestamp.self).date,
            status: CaseStatus(rawValue: try row["status"].decode(String.self)) ?? .open,
            firstContactAt: try row["first_contact_at"].decode(PostgresTimestamp?.self)?.date,
            closedAt: try row["closed_at"].decode(PostgresTimestamp?.self)?.date,
            resolution: try row["resolution"].decode(String?.self),
            overdueNotifiedAt: try row["overdue_notified_at"].decode(PostgresTimestamp?.self)?.date)
    }
}
