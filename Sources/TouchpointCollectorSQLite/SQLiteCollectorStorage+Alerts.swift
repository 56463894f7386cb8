import Foundation
import GRDB
import TouchpointCore
import TouchpointCollector

/// Fleet alerts: one row per alert, open until its problem is gone, and their posts in the feed outbox.
///
/// One process writes a SQLite database at a time (GRDB's writer), so a reconcile is one write transaction.
/// `fleet_alert_checks` holds the time of the last check applied (bookkeeping, not carried by `collector migrate`).
extension SQLiteCollectorStorage {
    /// The fleet alerts' schema. At most one open alert per (kiosk, kind, subject).
    static func registerAlertMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("alerts v1: fleet alerts") { db in
            try db.execute(sql: """
                CREATE TABLE fleet_alerts (
                    id TEXT PRIMARY KEY NOT NULL,
                    kiosk TEXT NOT NULL,
                    site TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    raised_at DATETIME NOT NULL,
                    cleared_at DATETIME
                );
                CREATE UNIQUE INDEX fleet_alerts_one_open ON fleet_alerts (kiosk, kind, subject) WHERE cleared_at IS NULL;
                CREATE TABLE fleet_alert_checks (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    checked_at DATETIME NOT NULL,
                    watching_since DATETIME NOT NULL
                );
                """)
        }
    }

    /// Opens and clears alerts to match `problems`; see ``FleetAlertStorage/reconcileAlerts(_:revoked:webhook:at:)``.
    public func reconcileAlerts(
        _ problems: [FleetProblem], revoked: Set<String>, webhook: String, at date: Date
    ) async throws -> FleetAlertChanges {
        try await write("reconcile fleet alerts") { db in
            if let last = try Date.fetchOne(db, sql: "SELECT checked_at FROM fleet_alert_checks WHERE id = 1"), last > date {
                return FleetAlertChanges(superseded: true)
            }
            try db.execute(
                sql: """
                    INSERT INTO fleet_alert_checks (id, checked_at, watching_since) VALUES (1, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at
                    """,
                arguments: [date, date])
            let open = try Row.fetchAll(
                db, sql: "SELECT * FROM fleet_alerts WHERE cleared_at IS NULL ORDER BY raised_at, kiosk, kind, subject"
            ).compactMap(Self.alert)
            let plan = FleetAlertChanges.plan(open: open, problems: problems)
            let post = try db.cachedStatement(sql: """
                INSERT INTO feed_outbox (webhook, response_id, event, body, next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (webhook, response_id, event) DO NOTHING
                """)
            var changes = FleetAlertChanges()
            var generator = SystemRandomNumberGenerator()
            // Clears first: a kiosk that is back but has another problem reads ✅ then 🔴.
            for var alert in plan.clear {
                try db.execute(sql: "UPDATE fleet_alerts SET cleared_at = ? WHERE id = ?", arguments: [date, alert.id])
                let text = alert.clearedMessage(at: date, revoked: revoked.contains(alert.kiosk))
                try post.execute(arguments: [webhook, alert.id, FleetAlert.clearedEvent, FeedEvent.body(text: text), date, date])
                alert.clearedAt = date
                changes.cleared.append(alert)
            }
            for problem in plan.open {
                let alert = FleetAlert(id: UUIDv7.make(at: date, using: &generator), problem: problem, raisedAt: date)
                try db.execute(
                    sql: """
                        INSERT INTO fleet_alerts (id, kiosk, site, kind, subject, detail, raised_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [alert.id, alert.kiosk, alert.site, alert.kind.rawValue, alert.subject, alert.detail, date])
                try post.execute(arguments: [
                    webhook, alert.id, FleetAlert.raisedEvent, FeedEvent.body(text: alert.raisedMessage), date, date,
                ])
                changes.raised.append(alert)
            }
            return changes
        }
    }

    /// Records a check; see ``FleetAlertStorage/watchFleet(at:resumeAfter:)``.
    public func watchFleet(at date: Date, resumeAfter: Duration) async throws -> Date {
        try await write("record a fleet check") { db in
            var checked = date
            var since = date
            if let row = try Row.fetchOne(db, sql: "SELECT checked_at, watching_since FROM fleet_alert_checks WHERE id = 1") {
                let last: Date = row["checked_at"]
                checked = max(last, date)
                if date.timeIntervalSince(last) <= resumeAfter.seconds {
                    since = min(row["watching_since"] as Date, date)
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO fleet_alert_checks (id, checked_at, watching_since) VALUES (1, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at, watching_since = excluded.watching_since
                    """,
                arguments: [checked, since])
            return since
        }
    }

    /// Open alerts and those cleared since `clearedSince`; see ``FleetAlertStorage/fleetAlerts(clearedSince:)``.
    public func fleetAlerts(clearedSince: Date?) async throws -> [FleetAlert] {
        try await read("read fleet alerts") { db in
            let order = " ORDER BY raised_at, kiosk, kind, subject"
            guard let clearedSince else {
                return try Row.fetchAll(db, sql: "SELECT * FROM fleet_alerts WHERE cleared_at IS NULL" + order)
                    .compactMap(Self.alert)
            }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM fleet_alerts WHERE cleared_at IS NULL OR cleared_at >= ?" + order,
                arguments: [clearedSince]
            ).compactMap(Self.alert)
        }
    }

    /// The alert of `row`; nil for a kind this version does not know (left as it is).
    private static func alert(_ row: Row) -> FleetAlert? {
        guard let kind = FleetProblemKind(rawValue: row["kind"]) else { return nil }
        return FleetAlert(
            id: row["id"], kiosk: row["kiosk"], site: row["site"], kind: kind, subject: row["subject"], detail: row["detail"],
            raisedAt: row["raised_at"], clearedAt: row["cleared_at"])
    }
}
