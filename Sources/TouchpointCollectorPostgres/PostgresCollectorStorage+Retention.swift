import Foundation
import Logging
import PostgresNIO
import TouchpointCollector
import TouchpointCore

/// Pruning by the retention policy; see ``RetentionStorage``. The tables are made by "privacy v2: retention" (with the
/// erasure log's).
extension PostgresCollectorStorage {
    /// Prunes what is past `horizons`; see ``RetentionStorage/prune(_:by:at:dryRun:)``.
    public func prune(_ horizons: RetentionHorizons, by actor: String, at date: Date, dryRun: Bool) async throws -> ErasureSummary {
        let logger = self.logger
        return try await write("prune by the retention policy") { connection in
            var summary = ErasureSummary(dryRun: dryRun)
            func count(_ query: PostgresQuery) async throws -> Int {
                try await Self.count(query, on: connection, logger: logger)
            }
            func run(_ query: PostgresQuery) async throws {
                try await connection.query(query, logger: logger)
            }
            if let horizon = horizons.responses {
                // Whole responses: the report and account aggregates keep their figures (no personal data in them).
                let before = PostgresTimestamp(horizon)
                // Lock what goes, so an erasure or a case change running meanwhile waits.
                summary.responses = try await count(
                    "SELECT COUNT(*) AS n FROM (SELECT id FROM responses WHERE completed_at < \(before) FOR UPDATE) r")
                summary.cases = try await count(
                    "SELECT COUNT(*) AS n FROM cases WHERE id IN (SELECT id FROM responses WHERE completed_at < \(before))")
                summary.posts = try await count(
                    """
                    SELECT COUNT(*) AS n FROM feed_outbox
                    WHERE state = 'pending' AND response_id IN (SELECT id FROM responses WHERE completed_at < \(before))
                    """)
                if !dryRun, summary.responses > 0 {
                    // Their places in the kiosks' sequences are pruned, not missing.
                    try await run(
                        """
                        INSERT INTO pruned_sequences (kiosk, through)
                        SELECT kiosk, MAX(sequence) FROM responses WHERE completed_at < \(before) GROUP BY kiosk
                        ON CONFLICT (kiosk) DO UPDATE SET through = GREATEST(pruned_sequences.through, excluded.through)
                        """)
                    try await run(
                        """
                        UPDATE kiosks k SET response_count = GREATEST(k.response_count - o.n, 0)
                        FROM (SELECT kiosk, COUNT(*) AS n FROM responses WHERE completed_at < \(before) GROUP BY kiosk) o
                        WHERE o.kiosk = k.id
                        """)
                    try await run(
                        """
                        DELETE FROM feed_outbox
                        WHERE state = 'pending' AND response_id IN (SELECT id FROM responses WHERE completed_at < \(before))
                        """)
                    try await run(
                        "DELETE FROM case_events WHERE case_id IN (SELECT id FROM responses WHERE completed_at < \(before))")
                    try await run("DELETE FROM cases WHERE id IN (SELECT id FROM responses WHERE completed_at < \(before))")
                    try await run(
                        "DELETE FROM answers WHERE response_id IN (SELECT id FROM responses WHERE completed_at < \(before))")
                    try await run("DELETE FROM responses WHERE completed_at < \(before)")
                }
            }
            if let horizon = horizons.comments {
                // Comments of the responses that stay; case notes and resolutions about them go too.
                let before = PostgresTimestamp(horizon)
                let floor = PostgresTimestamp(horizons.responses ?? Date(timeIntervalSince1970: 0))
                summary.comments = try await count(
                    """
                    SELECT COUNT(*) AS n FROM answers a JOIN responses r ON r.id = a.response_id
                    WHERE a.type = 'text' AND r.completed_at < \(before) AND r.completed_at >= \(floor)
                    """)
                summary.cases += try await count(
                    """
                    SELECT COUNT(DISTINCT e.case_id) AS n FROM case_events e JOIN responses r ON r.id = e.case_id
                    WHERE e.action <> 'opened' AND e.detail IS NOT NULL AND r.completed_at < \(before) AND r.completed_at >= \(floor)
                    """)
                summary.posts += try await count(
                    """
                    SELECT COUNT(*) AS n FROM feed_outbox o JOIN responses r ON r.id = o.response_id
                    WHERE o.state = 'pending' AND r.completed_at < \(before) AND r.completed_at >= \(floor)
                    """)
                if !dryRun {
                    try await run(
                        """
                        DELETE FROM answers a USING responses r
                        WHERE r.id = a.response_id AND a.type = 'text' AND r.completed_at < \(before) AND r.completed_at >= \(floor)
                        """)
                    // The signed original holds the comments.
                    try await run(
                        """
                        UPDATE responses SET jws = '', personal_data = NULL
                        WHERE (jws <> '' OR personal_data IS NOT NULL) AND completed_at < \(before) AND completed_at >= \(floor)
                        """)
                    try await run(
                        """
                        UPDATE case_events e SET detail = NULL FROM responses r
                        WHERE r.id = e.case_id AND e.action <> 'opened' AND r.completed_at < \(before) AND r.completed_at >= \(floor)
                        """)
                    try await run(
                        """
                        UPDATE cases c SET resolution = NULL FROM responses r
                        WHERE r.id = c.id AND r.completed_at < \(before) AND r.completed_at >= \(floor)
                        """)
                    try await run(
                        """
                        DELETE FROM feed_outbox o USING responses r
                        WHERE r.id = o.response_id AND o.state = 'pending' AND r.completed_at < \(before) AND r.completed_at >= \(floor)
                        """)
                }
            }
            if let horizon = horizons.accounts {
                // Accounts whose last response (in the aggregates, which outlive pruned responses) is older.
                let keys = try await Self.rows(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT \(Self.folded("account")) AS key FROM account_response_counts
                            GROUP BY 1 HAVING MAX(last_at) < $1 ORDER BY 1
                            """,
                        binds: { var binds = PostgresBindings(); binds.append(PostgresTimestamp(horizon)); return binds }()),
                    on: connection, logger: logger
                ).map { try $0["key"].decode(String.self) }
                for key in keys {
                    summary.add(try await Self.eraseAccount(
                        key, keptFrom: horizons.responses ?? Date(timeIntervalSince1970: 0), dryRun: dryRun, on: connection, logger: logger))
                    summary.accounts += 1
                }
            }
            guard !dryRun else { return summary }
            for (kind, before) in [("comments", horizons.comments), ("responses", horizons.responses), ("accounts", horizons.accounts)] {
                guard let before else { continue }
                try await run(
                    """
                    INSERT INTO retention_horizons (kind, before, pruned_at) VALUES (\(kind), \(PostgresTimestamp(before)), \(PostgresTimestamp(date)))
                    ON CONFLICT (kind) DO UPDATE
                    SET before = GREATEST(retention_horizons.before, excluded.before), pruned_at = excluded.pruned_at
                    """)
            }
            if !summary.isEmpty {
                try await Self.logErasure(
                    summary, kind: "retention", target: horizons.description, by: actor, at: date, on: connection, logger: logger)
            }
            return summary
        }
    }

    /// The furthest horizons pruned to; see ``RetentionStorage/retentionHorizons()``.
    public func retentionHorizons() async throws -> RetentionHorizons {
        let logger = self.logger
        return try await read("read the retention horizons") { connection in
            var horizons = RetentionHorizons()
            for row in try await Self.rows("SELECT kind, before FROM retention_horizons", on: connection, logger: logger) {
                let before = try row["before"].decode(PostgresTimestamp.self).date
                switch try row["kind"].decode(String.self) {
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
