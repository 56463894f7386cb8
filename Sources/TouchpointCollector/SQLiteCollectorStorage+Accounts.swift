import Foundation
import GRDB
import TouchpointCore

extension SQLiteCollectorStorage {
    /// The accounts' schema: imported accounts, recorded health zones, and responses by account.
    static func registerHealthMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("health v1: accounts, zone snapshots, responses by account") { db in
            try db.execute(sql: """
                CREATE TABLE accounts (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    mrr REAL,
                    arr REAL,
                    owner TEXT,
                    interactions INTEGER NOT NULL DEFAULT 0,
                    last_interaction_at DATETIME,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL
                );
                CREATE TABLE account_health (
                    account TEXT NOT NULL,
                    computed_at DATETIME NOT NULL,
                    zone TEXT NOT NULL,
                    score REAL NOT NULL,
                    PRIMARY KEY (account, computed_at)
                ) WITHOUT ROWID;
                CREATE INDEX responses_by_account ON responses (account, completed_at) WHERE account IS NOT NULL;
                """)
        }
    }

    /// Upserts accounts in one transaction, matching ids ignoring case and spaces (the stored spelling is kept);
    /// see ``AccountStorage/importAccounts(_:at:)``.
    public func importAccounts(_ accounts: AccountImport, at date: Date) async throws -> AccountImportSummary {
        let summary = try await write("import accounts") { db -> AccountImportSummary in
            let fields = accounts.fields
            // Existing accounts by matching key, so `acme` updates the account imported as `ACME`.
            var existing: [String: String] = [:]
            for id in try String.fetchAll(db, sql: "SELECT id FROM accounts ORDER BY id") where existing[Account.matchingKey(id)] == nil {
                existing[Account.matchingKey(id)] = id
            }
            let insert = try db.cachedStatement(sql: """
                INSERT INTO accounts (id, name, mrr, arr, owner, interactions, last_interaction_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var assignments: [String] = []
            if fields.contains(.name) { assignments.append("name = :name") }
            if fields.contains(.revenue) { assignments += ["mrr = :mrr", "arr = :arr"] }
            if fields.contains(.owner) { assignments.append("owner = :owner") }
            if fields.contains(.interactions) { assignments.append("interactions = :interactions") }
            if fields.contains(.lastInteraction) { assignments.append("last_interaction_at = :last") }
            assignments.append("updated_at = :at")
            let update = try db.makeStatement(sql: "UPDATE accounts SET \(assignments.joined(separator: ", ")) WHERE id = :id")
            var summary = AccountImportSummary(inserted: 0, updated: 0)
            for account in accounts.accounts {
                if let id = existing[Account.matchingKey(account.id)] {
                    // `updateValue`, not subscript assignment: a nil value (an emptied cell) must stay as NULL.
                    var arguments: [String: (any DatabaseValueConvertible)?] = ["id": id, "at": date]
                    if fields.contains(.name) { arguments.updateValue(account.name, forKey: "name") }
                    if fields.contains(.revenue) {
                        arguments.updateValue(account.mrr, forKey: "mrr")
                        arguments.updateValue(account.arr, forKey: "arr")
                    }
                    if fields.contains(.owner) { arguments.updateValue(account.owner, forKey: "owner") }
                    if fields.contains(.interactions) { arguments.updateValue(account.interactions, forKey: "interactions") }
                    if fields.contains(.lastInteraction) { arguments.updateValue(account.lastInteractionAt, forKey: "last") }
                    try update.execute(arguments: StatementArguments(arguments))
                    summary.updated += 1
                } else {
                    try insert.execute(arguments: [
                        account.id, account.name, account.mrr, account.arr, account.owner, account.interactions,
                        account.lastInteractionAt, date, date,
                    ])
                    existing[Account.matchingKey(account.id)] = account.id
                    summary.inserted += 1
                }
            }
            return summary
        }
        logger.info("accounts imported", metadata: ["accounts.new": "\(summary.inserted)", "accounts.updated": "\(summary.updated)"])
        return summary
    }

    /// Every imported account, sorted by id.
    public func accounts() async throws -> [Account] {
        try await read("list accounts") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM accounts ORDER BY id").map { row in
                Account(
                    id: row["id"], name: row["name"], mrr: row["mrr"], arr: row["arr"], owner: row["owner"],
                    interactions: row["interactions"], lastInteractionAt: row["last_interaction_at"])
            }
        }
    }

    /// Per-account survey inputs by two GROUP BY account queries; see ``AccountStorage/healthInputs(answersSince:recentSince:)``.
    public func healthInputs(answersSince: Date?, recentSince: Date) async throws -> [String: HealthInputs] {
        try await read("compute account health inputs") { db in
            var inputs: [String: HealthInputs] = [:]
            let counted = "r.account IS NOT NULL AND r.status = 'complete' AND r.suspect = 0"
            let responseRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.account, COUNT(*) AS responses, SUM(r.completed_at >= ?) AS recent, MAX(r.completed_at) AS last
                    FROM responses r WHERE \(counted) GROUP BY r.account
                    """,
                arguments: [recentSince])
            for row in responseRows {
                let account: String = row["account"]
                inputs[account] = HealthInputs(
                    responses: row["responses"], recentResponses: row["recent"] ?? 0, lastResponseAt: row["last"])
            }
            var window = ""
            var arguments: StatementArguments = []
            if let answersSince {
                window = " AND r.completed_at >= ?"
                arguments = [answersSince]
            }
            let answerRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.account, a.type, r.survey_id, r.survey_version, a.question, a.number_value AS value, COUNT(*) AS n
                    FROM responses r JOIN answers a ON a.response_id = r.id
                    WHERE \(counted)\(window) AND a.type IN ('nps', 'ces', 'csat') AND a.number_value IS NOT NULL
                    GROUP BY r.account, a.type, r.survey_id, r.survey_version, a.question, a.number_value
                    """,
                arguments: arguments)
            // Histograms per account (and per CES question), fed to the one set of formulas in `Scoring`.
            struct CESKey: Hashable {
                var survey: String
                var version: Int
                var question: String
            }
            var nps: [String: [(Int, Int)]] = [:]
            var csat: [String: [(Int, Int)]] = [:]
            var ces: [String: [CESKey: [(Int, Int)]]] = [:]
            for row in answerRows {
                let account: String = row["account"]
                let type: String = row["type"]
                let bucket = (row["value"] as Int, row["n"] as Int)
                switch type {
                case "nps": nps[account, default: []].append(bucket)
                case "csat": csat[account, default: []].append(bucket)
                default:
                    let key = CESKey(survey: row["survey_id"], version: row["survey_version"], question: row["question"])
                    ces[account, default: [:]][key, default: []].append(bucket)
                }
            }
            func values(_ buckets: [(Int, Int)]) -> [Int] {
                buckets.flatMap { repeatElement($0.0, count: $0.1) }
            }
            for (account, buckets) in nps {
                inputs[account, default: HealthInputs()].nps = Scoring.nps(values(buckets))
            }
            for (account, buckets) in csat {
                inputs[account, default: HealthInputs()].csat = Scoring.csat(values(buckets))
            }
            for (account, groups) in ces {
                inputs[account, default: HealthInputs()].ces = groups
                    .sorted { ($0.key.survey, $0.key.version, $0.key.question) < ($1.key.survey, $1.key.version, $1.key.question) }
                    .map { key, buckets in
                        CESInput(survey: key.survey, version: key.version, question: key.question, points: nil,
                                 result: Scoring.ces(values(buckets)))
                    }
            }
            return inputs
        }
    }

    /// Appends one snapshot per account in one transaction.
    public func recordHealthSnapshots(_ snapshots: [HealthSnapshot]) async throws {
        guard !snapshots.isEmpty else { return }
        try await write("record account health") { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO account_health (account, computed_at, zone, score) VALUES (?, ?, ?, ?)
                ON CONFLICT (account, computed_at) DO UPDATE SET zone = excluded.zone, score = excluded.score
                """)
            for snapshot in snapshots {
                try insert.execute(arguments: [snapshot.account, snapshot.at, snapshot.zone.rawValue, snapshot.score])
            }
        }
    }

    /// The latest snapshot of each account.
    public func latestHealthSnapshots() async throws -> [String: HealthSnapshot] {
        try await read("read account health") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT h.account, h.computed_at, h.zone, h.score FROM account_health h
                WHERE h.computed_at = (SELECT MAX(computed_at) FROM account_health WHERE account = h.account)
                """)
            var result: [String: HealthSnapshot] = [:]
            for row in rows {
                guard let zone = HealthZone(rawValue: row["zone"]) else { continue }
                let snapshot = HealthSnapshot(account: row["account"], zone: zone, score: row["score"], at: row["computed_at"])
                result[snapshot.account] = snapshot
            }
            return result
        }
    }
}
