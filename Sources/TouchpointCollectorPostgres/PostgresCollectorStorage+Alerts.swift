import Foundation
import Logging
import PostgresNIO
import TouchpointCollector
import TouchpointCore

/// Fleet alerts: one row per alert, open until its problem is gone, and their posts in the feed outbox.
///
/// Several collector processes may check the fleet at once: a reconcile takes an advisory lock for its
/// transaction, so the second one waits, then sees the first one's alerts and changes (and posts) nothing
/// more. The unique index on open alerts would refuse a second open alert of one problem even without it, and
/// `fleet_alert_checks` (the time of the last check applied) turns away a check from an older view of the fleet.
extension PostgresCollectorStorage {
    /// The advisory lock of fleet alert reconciles.
    static let alertsLock: Int64 = 0x7470_0010

    /// The fleet alerts' schema, after the other migrations.
    static var alertMigrations: [Migration] {
        [
            Migration(name: "alerts v1: fleet alerts", statements: [
                """
                CREATE TABLE fleet_alerts (
                    id TEXT COLLATE "C" PRIMARY KEY,
                    kiosk TEXT COLLATE "C" NOT NULL,
                    site TEXT COLLATE "C" NOT NULL,
                    kind TEXT COLLATE "C" NOT NULL,
                    subject TEXT COLLATE "C" NOT NULL,
                    detail TEXT NOT NULL,
                    raised_at TIMESTAMPTZ NOT NULL,
                    cleared_at TIMESTAMPTZ
                )
                """,
                "CREATE UNIQUE INDEX fleet_alerts_one_open ON fleet_alerts (kiosk, kind, subject) WHERE cleared_at IS NULL",
                // The time of the last check applied; bookkeeping, not carried by `collector migrate`.
                """
                CREATE TABLE fleet_alert_checks (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    checked_at TIMESTAMPTZ NOT NULL,
                    watching_since TIMESTAMPTZ NOT NULL
                )
                """,
            ]),
        ]
    }

    /// Opens and clears alerts to match `problems`; see ``FleetAlertStorage/reconcileAlerts(_:revoked:webhook:at:)``.
    public func reconcileAlerts(
        _ problems: [FleetProblem], revoked: Set<String>, webhook: String, at date: Date
    ) async throws -> FleetAlertChanges {
        let logger = self.logger
        return try await write("reconcile fleet alerts") { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.alertsLock))", logger: logger)
            let last = try await Self.rows(
                "SELECT checked_at FROM fleet_alert_checks WHERE id = 1", on: connection, logger: logger
            ).first?["checked_at"].decode(PostgresTimestamp.self).date
            if let last, last > date {
                return FleetAlertChanges(superseded: true)
            }
            try await connection.query(
                """
                INSERT INTO fleet_alert_checks (id, checked_at, watching_since)
                VALUES (1, \(PostgresTimestamp(date)), \(PostgresTimestamp(date)))
                ON CONFLICT (id) DO UPDATE SET checked_at = EXCLUDED.checked_at
                """, logger: logger)
            let open = try await Self.rows(
                "SELECT * FROM fleet_alerts WHERE cleared_at IS NULL ORDER BY raised_at, kiosk, kind, subject",
                on: connection, logger: logger
            ).compactMap(Self.alert)
            let plan = FleetAlertChanges.plan(open: open, problems: problems)
            let stamp = PostgresTimestamp(date)
            var changes = FleetAlertChanges()
            var generator = SystemRandomNumberGenerator()
            // Clears first: a kiosk that is back but has another problem reads ✅ then 🔴.
            for var alert in plan.clear {
                try await connection.query(
                    "UPDATE fleet_alerts SET cleared_at = \(stamp) WHERE id = \(alert.id)", logger: logger)
                let text = alert.clearedMessage(at: date, revoked: revoked.contains(alert.kiosk))
                try await Self.post(
                    alert, event: FleetAlert.clearedEvent, text: text, webhook: webhook, at: stamp, on: connection, logger: logger)
                alert.clearedAt = date
                changes.cleared.append(alert)
            }
            for problem in plan.open {
                let alert = FleetAlert(id: UUIDv7.make(at: date, using: &generator), problem: problem, raisedAt: date)
                try await connection.query(
                    """
                    INSERT INTO fleet_alerts (id, kiosk, site, kind, subject, detail, raised_at)
                    VALUES (\(alert.id), \(alert.kiosk), \(alert.site), \(alert.kind.rawValue), \(alert.subject),
                        \(alert.detail), \(stamp))
                    """, logger: logger)
                try await Self.post(
                    alert, event: FleetAlert.raisedEvent, text: alert.raisedMessage, webhook: webhook, at: stamp,
                    on: connection, logger: logger)
                changes.raised.append(alert)
            }
            return changes
        }
    }

    /// Queues the post of `text` about `alert` for `webhook` (once: the outbox's unique key drops a repeat).
    private static func post(
        _ alert: FleetAlert, event: String, text: String, webhook: String, at stamp: PostgresTimestamp,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        let body = FeedEvent.body(text: text)
        try await connection.query(
            """
            INSERT INTO feed_outbox (webhook, response_id, event, body, next_attempt_at, created_at)
            VALUES (\(webhook), \(alert.id), \(event), \(body), \(stamp), \(stamp))
            ON CONFLICT (webhook, response_id, event) DO NOTHING
            """, logger: logger)
    }

    /// Records a check; see ``FleetAlertStorage/watchFleet(at:resumeAfter:)``.
    public func watchFleet(at date: Date, resumeAfter: Duration) async throws -> Date {
        let logger = self.logger
        return try await write("record a fleet check") { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.alertsLock))", logger: logger)
            var checked = date
            var since = date
            if let row = try await Self.rows(
                "SELECT checked_at, watching_since FROM fleet_alert_checks WHERE id = 1", on: connection, logger: logger
            ).first {
                let last = try row["checked_at"].decode(PostgresTimestamp.self).date
                checked = max(last, date)
                if date.timeIntervalSince(last) <= resumeAfter.seconds {
                    since = min(try row["watching_since"].decode(PostgresTimestamp.self).date, date)
                }
            }
            try await connection.query(
                """
                INSERT INTO fleet_alert_checks (id, checked_at, watching_since)
                VALUES (1, \(PostgresTimestamp(checked)), \(PostgresTimestamp(since)))
                ON CONFLICT (id) DO UPDATE SET checked_at = EXCLUDED.checked_at, watching_since = EXCLUDED.watching_since
                """, logger: logger)
            return since
        }
    }

    /// Open alerts and those cleared since `clearedSince`; see ``FleetAlertStorage/fleetAlerts(clearedSince:)``.
    public func fleetAlerts(clearedSince: Date?) async throws -> [FleetAlert] {
        let logger = self.logger
        return try await read("read fleet alerts") { connection in
            let query: PostgresQuery = if let clearedSince {
                """
                SELECT * FROM fleet_alerts WHERE cleared_at IS NULL OR cleared_at >= \(PostgresTimestamp(clearedSince))
                ORDER BY raised_at, kiosk, kind, subject
                """
            } else {
                "SELECT * FROM fleet_alerts WHERE cleared_at IS NULL ORDER BY raised_at, kiosk, kind, subject"
            }
            return try await Self.rows(query, on: connection, logger: logger).compactMap(Self.alert)
        }
    }

    /// The alert of `row`; nil for a kind this version does not know (left as it is).
    private static func alert(_ row: PostgresRandomAccessRow) throws -> FleetAlert? {
        guard let kind = FleetProblemKind(rawValue: try row["kind"].decode(String.self)) else { return nil }
        return FleetAlert(
            id: try row["id"].decode(String.self), kiosk: try row["kiosk"].decode(String.self),
            site: try row["site"].decode(String.self), kind: kind,
            subject: try row["subject"].decode(String.self), detail: try row["detail"].decode(String.self),
            raisedAt: try row["raised_at"].decode(PostgresTimestamp.self).date,
            clearedAt: try row["cleared_at"].decode(PostgresTimestamp?.self)?.date)
    }
}
