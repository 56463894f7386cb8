import Foundation
import Logging
import PostgresNIO
import TouchpointCollector
import TouchpointCore

/// The comment feed: comments for the API, and the outbox that posts them to webhooks.
///
/// The cursor is the highest `responses.seq` fanned out. Identity values are handed out when a row is
/// inserted, not when it commits, so the fan-out first takes the ingest lock exclusively for a moment: once
/// it holds it no ingest is in flight, and every `seq` up to the maximum it reads is committed.
extension PostgresCollectorStorage {
    // MARK: Comments

    /// Comments newest first; see ``FeedStorage/comments(_:)``.
    public func comments(_ query: CommentQuery) async throws -> [FeedComment] {
        if commentCipher != nil, query.text != nil {
            // Sealed text cannot be searched in SQL: page through the comments and look in the opened text.
            return try await query.searchingOpenedText { try await self.comments($0) }
        }
        let logger = self.logger
        let cipher = commentCipher
        return try await read("read comments") { connection in
            var sql = SQLBuilder()
            var conditions = ["a.type = 'text'", "a.text_value IS NOT NULL", "a.text_value <> ''"]
            switch query.before {
            case .response(let id):
                conditions.append("r.id < \(sql.bind(id))")
            case .time(let date):
                conditions.append("r.completed_at < \(sql.bind(date))")
            case nil:
                break
            }
            if let since = query.since {
                conditions.append("r.completed_at >= \(sql.bind(since))")
            }
            for (column, value) in [("r.site", query.site), ("r.touchpoint", query.touchpoint),
                                    ("r.stage", query.stage?.rawValue), ("r.survey_id", query.survey),
                                    ("r.language", query.language)] {
                if let value {
                    conditions.append("\(column) = \(sql.bind(value))")
                }
            }
            // Search: lower() under ICU's root collation folds any letter (Å as å), whatever the database's locale.
            let search = "strpos(\(Self.folded("a.text_value")), %@) > 0"
            if let text = query.foldedText {
                conditions.append(search.replacingOccurrences(of: "%@", with: sql.bind(text)))
            }
            let select = """
                SELECT r.id, r.completed_at, r.site, r.kiosk, r.touchpoint, r.stage, r.survey_id, r.language,
                    r.account, r.account_sealed, a.question, a.position, a.text_value,
                    (SELECT n.number_value FROM answers n WHERE n.response_id = r.id AND n.type = 'nps'
                     ORDER BY n.position LIMIT 1) AS nps
                FROM responses r JOIN answers a ON a.response_id = r.id
                """
            let limit = sql.bind(query.limit)
            let rows = try await Self.rows(
                sql.query(select + " WHERE " + conditions.joined(separator: " AND ") + " ORDER BY r.id DESC, a.position LIMIT \(limit)"),
                on: connection, logger: logger)
            var comments = try rows.map { try Self.comment($0, cipher) }
            // Keep the last response's comments together on this page.
            if rows.count == query.limit, let last = rows.last {
                let id = try last["id"].decode(String.self)
                let position = try last["position"].decode(Int.self)
                var rest = SQLBuilder()
                let restSQL = select + """
                     WHERE r.id = \(rest.bind(id)) AND a.position > \(rest.bind(position)) AND a.type = 'text'
                        AND a.text_value IS NOT NULL AND a.text_value <> ''\(query.foldedText.map { " AND " + search.replacingOccurrences(of: "%@", with: rest.bind($0)) } ?? "") ORDER BY a.position
                    """
                let restRows = try await Self.rows(rest.query(restSQL), on: connection, logger: logger)
                comments += try restRows.map { try Self.comment($0, cipher) }
            }
            return comments
        }
    }

    private static func comment(_ row: PostgresRandomAccessRow, _ cipher: CommentCipher?) throws -> FeedComment {
        FeedComment(
            responseID: try row["id"].decode(String.self), completedAt: try row["completed_at"].decode(PostgresTimestamp.self).date,
            site: try row["site"].decode(String.self), kiosk: try row["kiosk"].decode(String.self),
            touchpoint: try row["touchpoint"].decode(String.self),
            stage: JourneyStage(rawValue: try row["stage"].decode(String.self)) ?? .shop,
            surveyID: try row["survey_id"].decode(String.self), questionID: try row["question"].decode(String.self),
            language: try row["language"].decode(String.self),
            text: try CommentCipher.open(try row["text_value"].decode(String.self), with: cipher) ?? "",
            npsScore: try row["nps"].decode(Int?.self),
            account: try CommentCipher.shownAccount(
                stored: try row["account"].decode(String?.self), sealed: try row["account_sealed"].decode(String?.self), with: cipher,
                strict: true))
    }

    // MARK: Outbox

    /// Queues posts for responses stored since the cursor; see ``FeedStorage/fanOut(to:at:limit:)``.
    ///
    /// Safe with several processes: the cursor row is locked (`FOR UPDATE`) for the whole fan-out, so a second
    /// process waits and then continues from where the first left off; the outbox's unique key drops any repeat.
    public func fanOut(to webhooks: [Webhook], caseLinks: CaseLinks?, at date: Date, limit: Int) async throws -> FeedFanOut {
        let limit = max(limit, 1)
        let logger = self.logger
        let cipher = commentCipher
        // Most calls find nothing new: answer those from a read, without any lock.
        let idle = try await read("read the comment feed cursor") { connection -> Bool in
            let rows = try await Self.rows(
                "SELECT c.last_seq, (SELECT MAX(seq) FROM responses) AS top FROM feed_cursor c WHERE c.id = 1",
                on: connection, logger: logger)
            guard let row = rows.first else { return false }
            return try row["top"].decode(Int64?.self) ?? 0 <= row["last_seq"].decode(Int64.self)
        }
        if idle { return FeedFanOut() }
        // The committed horizon: wait for the ingests in flight, then read the highest seq.
        let horizon = try await write("find the committed responses") { connection -> Int64 in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.ingestLock))", logger: logger)
            return try await Self.rows("SELECT COALESCE(MAX(seq), 0) AS top FROM responses", on: connection, logger: logger)
                .first?["top"].decode(Int64.self) ?? 0
        }
        return try await write("queue comment feed posts") { connection in
            let cursorRows = try await Self.rows(
                "SELECT last_seq FROM feed_cursor WHERE id = 1 FOR UPDATE", on: connection, logger: logger)
            guard let cursorRow = cursorRows.first else {
                let inserted = try await Self.rows(
                    """
                    INSERT INTO feed_cursor (id, last_seq, started_at, updated_at)
                    VALUES (1, \(horizon), \(PostgresTimestamp(date)), \(PostgresTimestamp(date)))
                    ON CONFLICT (id) DO NOTHING RETURNING id
                    """, on: connection, logger: logger)
                // Another process started the feed at the same moment: it is that one's start, not ours.
                return FeedFanOut(started: !inserted.isEmpty)
            }
            let cursor = try cursorRow["last_seq"].decode(Int64.self)
            let rows = try await Self.rows(
                """
                SELECT seq, id, kiosk, survey_id, site, touchpoint, stage, language, completed_at, account, account_sealed,
                    EXISTS (SELECT 1 FROM cases WHERE cases.id = responses.id) AS has_case
                FROM responses WHERE seq > \(cursor) AND seq <= \(horizon) ORDER BY seq LIMIT \(limit + 1)
                """, on: connection, logger: logger)
            let more = rows.count > limit
            let batch = rows.prefix(limit)
            guard let last = batch.last else { return FeedFanOut() }
            var queued = 0
            for row in batch {
                var response = FeedEvent(
                    kind: .comment, responseID: try row["id"].decode(String.self),
                    completedAt: try row["completed_at"].decode(PostgresTimestamp.self).date,
                    site: try row["site"].decode(String.self), kiosk: try row["kiosk"].decode(String.self),
                    touchpoint: try row["touchpoint"].decode(String.self),
                    stage: JourneyStage(rawValue: try row["stage"].decode(String.self)) ?? .shop,
                    surveyID: try row["survey_id"].decode(String.self), language: try row["language"].decode(String.self),
                    account: try CommentCipher.shownAccount(
                        stored: try row["account"].decode(String?.self), sealed: try row["account_sealed"].decode(String?.self),
                        with: cipher, strict: true))
                if let caseLinks, try row["has_case"].decode(Bool.self) {
                    response.caseLink = caseLinks.url(of: response.responseID)
                }
                guard webhooks.contains(where: {
                    $0.route.matches(site: response.site, touchpoint: response.touchpoint, stage: response.stage,
                                     survey: response.surveyID)
                }) else { continue }
                let answers = try await Self.rows(
                    """
                    SELECT question, type, number_value, text_value FROM answers
                    WHERE response_id = \(response.responseID) ORDER BY position
                    """, on: connection, logger: logger)
                for answer in answers {
                    FeedEvent.collect(
                        question: try answer["question"].decode(String.self), type: try answer["type"].decode(String.self),
                        number: try answer["number_value"].decode(Int?.self),
                        text: try CommentCipher.open(try answer["text_value"].decode(String?.self), with: cipher),
                        scores: &response.scores, comments: &response.comments)
                }
                for webhook in webhooks {
                    for event in FeedEvent.events(for: response, webhook: webhook) {
                        let inserted = try await Self.rows(
                            """
                            INSERT INTO feed_outbox (webhook, response_id, event, body, next_attempt_at, created_at)
                            VALUES (\(webhook.name), \(event.responseID), \(event.key), \(try CommentCipher.seal(event.body, with: cipher)),
                                \(PostgresTimestamp(date)), \(PostgresTimestamp(date)))
                            ON CONFLICT (webhook, response_id, event) DO NOTHING RETURNING id
                            """, on: connection, logger: logger)
                        queued += inserted.count
                    }
                }
            }
            let lastSeq = try last["seq"].decode(Int64.self)
            try await connection.query(
                "UPDATE feed_cursor SET last_seq = \(lastSeq), updated_at = \(PostgresTimestamp(date)) WHERE id = 1",
                logger: logger)
            return FeedFanOut(responses: batch.count, queued: queued, more: more)
        }
    }

    /// The oldest pending row of `webhook` that no other process holds, claimed for this one; see
    /// ``FeedStorage/nextPending(webhook:)``.
    ///
    /// The claim is a lease of ``claimLease``: asking again returns the same row (and renews it) until
    /// ``record(_:for:at:)`` clears it; a row whose lease ran out (its process died) can be claimed by another.
    public func nextPending(webhook: String) async throws -> OutboxEntry? {
        let logger = self.logger
        let claimant = self.claimant
        let lease = Self.claimLease.components.seconds
        let cipher = commentCipher
        return try await write("claim a feed outbox row") { connection in
            try await Self.rows(
                """
                WITH next AS (
                    SELECT id FROM feed_outbox
                    WHERE webhook = \(webhook) AND state = 'pending'
                        AND (claimed_until IS NULL OR claimed_until < now() OR claimed_by = \(claimant))
                    ORDER BY id LIMIT 1
                    FOR UPDATE SKIP LOCKED)
                UPDATE feed_outbox o SET claimed_by = \(claimant), claimed_until = now() + make_interval(secs => \(Double(lease)))
                FROM next WHERE o.id = next.id
                RETURNING o.id, o.webhook, o.response_id, o.event, o.body, o.state, o.attempts, o.next_attempt_at,
                    o.last_error, o.created_at
                """, on: connection, logger: logger
            ).first.map { try Self.entry($0, cipher) }
        }
    }

    private static func entry(_ row: PostgresRandomAccessRow, _ cipher: CommentCipher?) throws -> OutboxEntry {
        OutboxEntry(
            id: try row["id"].decode(Int64.self), webhook: try row["webhook"].decode(String.self),
            responseID: try row["response_id"].decode(String.self), event: try row["event"].decode(String.self),
            body: try CommentCipher.open(try row["body"].decode(String?.self), with: cipher),
            state: OutboxEntry.State(rawValue: try row["state"].decode(String.self)) ?? .pending,
            attempts: try row["attempts"].decode(Int.self),
            nextAttemptAt: try row["next_attempt_at"].decode(PostgresTimestamp.self).date,
            lastError: try row["last_error"].decode(String?.self),
            createdAt: try row["created_at"].decode(PostgresTimestamp.self).date)
    }

    /// Stores one attempt's outcome and releases the row's claim; see ``FeedStorage/record(_:for:at:)``.
    public func record(_ outcome: OutboxOutcome, for id: Int64, at date: Date) async throws {
        let logger = self.logger
        try await write("record a feed delivery") { connection -> Void in
            switch outcome {
            case .delivered:
                // The body is not needed any more: a delivered row is never posted again.
                try await connection.query(
                    """
                    UPDATE feed_outbox SET state = 'delivered', delivered_at = \(PostgresTimestamp(date)),
                        attempts = attempts + 1, body = NULL, last_error = NULL, claimed_by = NULL, claimed_until = NULL
                    WHERE id = \(id) AND state = 'pending'
                    """, logger: logger)
            case .retry(let error, let next):
                try await connection.query(
                    """
                    UPDATE feed_outbox SET attempts = attempts + 1, last_error = \(error),
                        next_attempt_at = \(PostgresTimestamp(next)), claimed_by = NULL, claimed_until = NULL
                    WHERE id = \(id) AND state = 'pending'
                    """, logger: logger)
            case .failed(let error):
                try await connection.query(
                    """
                    UPDATE feed_outbox SET state = 'failed', attempts = attempts + 1, last_error = \(error),
                        next_attempt_at = \(PostgresTimestamp(date)), claimed_by = NULL, claimed_until = NULL
                    WHERE id = \(id) AND state = 'pending'
                    """, logger: logger)
            }
        }
    }

    /// Counts per webhook; see ``FeedStorage/outboxStatus()``.
    public func outboxStatus() async throws -> OutboxStatus {
        let logger = self.logger
        return try await read("read the feed status") { connection in
            let started = try await !Self.rows("SELECT 1 AS started FROM feed_cursor", on: connection, logger: logger).isEmpty
            var byName: [String: OutboxStatus.Webhook] = [:]
            let rows = try await Self.rows(
                """
                SELECT webhook, state, COUNT(*) AS n, MIN(created_at) AS oldest, MAX(delivered_at) AS last_delivered
                FROM feed_outbox GROUP BY webhook, state
                """, on: connection, logger: logger)
            for row in rows {
                let name = try row["webhook"].decode(String.self)
                var summary = byName[name] ?? OutboxStatus.Webhook(name: name)
                let count = try row["n"].decode(Int.self)
                switch OutboxEntry.State(rawValue: try row["state"].decode(String.self)) {
                case .pending:
                    summary.pending = count
                    summary.oldestPendingAt = try row["oldest"].decode(PostgresTimestamp?.self)?.date
                case .delivered:
                    summary.delivered = count
                    summary.lastDeliveredAt = try row["last_delivered"].decode(PostgresTimestamp?.self)?.date
                case .failed:
                    summary.failed = count
                case nil:
                    break
                }
                byName[name] = summary
            }
            for name in byName.keys {
                let pending = try await Self.rows(
                    """
                    SELECT last_error FROM feed_outbox WHERE webhook = \(name) AND state = 'pending' AND last_error IS NOT NULL
                    ORDER BY id LIMIT 1
                    """, on: connection, logger: logger)
                if let error = try pending.first?["last_error"].decode(String?.self) {
                    byName[name]?.lastError = error
                } else {
                    byName[name]?.lastError = try await Self.rows(
                        "SELECT last_error FROM feed_outbox WHERE webhook = \(name) AND state = 'failed' ORDER BY id DESC LIMIT 1",
                        on: connection, logger: logger
                    ).first?["last_error"].decode(String?.self)
                }
            }
            return OutboxStatus(started: started, webhooks: byName.values.sorted { $0.name < $1.name })
        }
    }
}
