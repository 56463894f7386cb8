import Foundation
import GRDB
import TouchpointCore
import TouchpointCollector

/// Pruning by the retention policy; see ``RetentionStorage``. The tables are made by "privacy v2: retention" (with the
/// erasure log's).
extension SQLiteCollectorStorage {
    /// Prunes what is past `horizons`; see ``RetentionStorage/prune(_:by:at:dryRun:)``.
    public func prune(_ horizons: RetentionHorizons, by actor: String, at date: Date, dryRun: Bool) async throws -> ErasureSummary {
        try await write("prune by the retention policy") { db in
            var summary = ErasureSummary(dryRun: dryRun)
            func count(_ sql: String, _ arguments: StatementArguments) throws -> Int {
                try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
            }
            if let before = horizons.responses {
                // Whole responses: the report and account aggregates keep their figures (no personal data in them).
                let old = "SELECT id FROM responses WHERE completed_at < ?"
                summary.responses = try count("SELECT COUNT(*) FROM responses WHERE completed_at < ?", [before])
                summary.cases = try count("SELECT COUNT(*) FROM cases WHERE id IN (\(old))", [before])
                summary.posts = try count("SELECT COUNT(*) FROM feed_outbox WHERE state = 'pending' AND response_id IN (\(old))", [before])
                if !dryRun, summary.responses > 0 {
                    // Their places in the kiosks' sequences are pruned, not missing.
                    try db.execute(
                        sql: """
                            INSERT INTO pruned_sequences (kiosk, through)
                            SELECT kiosk, MAX(sequence) FROM responses WHERE completed_at < ? GROUP BY kiosk
                            ON CONFLICT (kiosk) DO UPDATE SET through = max(through, excluded.through)
                            """,
                        arguments: [before])
                    try db.execute(
                        sql: """
                            UPDATE kiosks SET response_count = max(response_count
                                - (SELECT COUNT(*) FROM responses r WHERE r.kiosk = kiosks.id AND r.completed_at < ?), 0)
                            """,
                        arguments: [before])
                    try db.execute(sql: "DELETE FROM feed_outbox WHERE state = 'pending' AND response_id IN (\(old))", arguments: [before])
                    try db.execute(sql: "DELETE FROM case_events WHERE case_id IN (\(old))", arguments: [before])
                    try db.execute(sql: "DELETE FROM cases WHERE id IN (\(old))", arguments: [before])
                    try db.execute(sql: "DELETE FROM answers WHERE response_id IN (\(old))", arguments: [before])
                    try db.execute(sql: "DELETE FROM responses WHERE completed_at < ?", arguments: [before])
                }
            }
            if let before = horizons.comments {
                // Comments of the responses that stay; case notes and resolutions about them go too.
                let floor = horizons.responses ?? .distantPast
                let old = "SELECT id FROM responses WHERE completed_at < ? AND completed_at >= ?"
                let arguments: StatementArguments = [before, floor]
                summary.comments = try count("SELECT COUNT(*) FROM answers WHERE type = 'text' AND response_id IN (\(old))", arguments)
                let notes = "SELECT DISTINCT case_id FROM case_events WHERE action <> 'opened' AND detail IS NOT NULL AND case_id IN (\(old))"
                summary.cases += try count("SELECT COUNT(*) FROM (\(notes))", arguments)
                summary.posts += try count(
                    "SELECT COUNT(*) FROM feed_outbox WHERE state = 'pending' AND response_id IN (\(old))", arguments)
                if !dryRun {
                    try db.execute(sql: "DELETE FROM answers WHERE type = 'text' AND response_id IN (\(old))", arguments: arguments)
                    // The signed original holds the comments.
                    try db.execute(
                        sql: "UPDATE responses SET jws = '', personal_data = NULL WHERE (jws <> '' OR personal_data IS NOT NULL) AND id IN (\(old))",
                        arguments: arguments)
                    try db.execute(
                        sql: "UPDATE case_events SET detail = NULL WHERE action <> 'opened' AND case_id IN (\(old))", arguments: arguments)
                    try db.execute(sql: "UPDATE cases SET resolution = NULL WHERE id IN (\(old))", arguments: arguments)
                    try db.execute(sql: "DELETE FROM feed_outbox WHERE state = 'pending' AND response_id IN (\(old))", arguments: arguments)
                }
            }
            if let before = horizons.accounts {
                // Accounts whose last response (in the aggregates, which outlive pruned responses) is older.
                let keys = try String.fetchAll(
                    db,
                    sql: """
                        SELECT swiftLowercaseString(account) AS key FROM account_response_counts
                        GROUP BY key HAVING MAX(last_at) < ? ORDER BY key
                        """,
                    arguments: [before])
                for key in keys {
                    summary.add(try Self.eraseAccount(key, keptFrom: horizons.responses ?? .distantPast, dryRun: dryRun, db))
                    summary.accounts += 1
                }
            }
            guard !dryRun else { return summary }
            for (kind, before) in [("comments", horizons.comments), ("responses", horizons.responses), ("accounts", horizons.accounts)] {
                guard let before else { continue }
                try db.execute(
                    sql: """
                        INSERT INTO retention_horizons (kind, before, pruned_at) VALUES (?, ?, ?)
                        ON CONFLICT (kind) DO UPDATE SET before = max(before, excluded.before), pruned_at = excluded.pruned_at
                        """,
                    arguments: [kind, before, date])
            }
            if !summary.isEmpty {
                try Self.logErasure(summary, kind: "retention", target: horizons.description, by: actor, at: date, db)
            }
            return summary
        }
    }

    /// The furthest horizons pruned to; see ``RetentionStorage/retentionHorizons()``.
    public func retentionHorizons() async throws -> RetentionHorizons {
        try await read("read the retention horizons") { db in
            var horizons = RetentionHorizons()
            for row in try Row.fetchAll(db, sql: "SELECT kind, before FROM retention_horizons") {
                let before: Date = row["before"]
                switch row["kind"] as String {
                case "comments": horizons.comments = before
                case "responses": horizons.responses = before
                case "accounts": horizons.accounts = before
                default: break
                }
            }
            return horizons
        }
    }
}
