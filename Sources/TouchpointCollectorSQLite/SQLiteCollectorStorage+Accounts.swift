import Foundation
import GRDB
import TouchpointCore
import TouchpointCollector

extension SQLiteCollectorStorage {
    /// The accounts' schema: imported accounts, recorded health zones, responses by account, and per-account
    /// daily aggregates of responses and answers.
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
        migrator.registerMigration("health v2: account aggregates") { db in
            // Filled by "health v3" below, then kept up to date at ingest (see `refreshAccountAggregates`).
            try db.execute(sql: """
                CREATE TABLE account_response_counts (
                    account TEXT NOT NULL,
                    day TEXT NOT NULL,
                    responses INTEGER NOT NULL,
                    last_at DATETIME NOT NULL,
                    PRIMARY KEY (account, day)
                ) WITHOUT ROWID;
                CREATE TABLE account_answer_counts (
                    account TEXT NOT NULL,
                    day TEXT NOT NULL,
                    type TEXT NOT NULL,
                    survey_id TEXT NOT NULL,
                    survey_version INTEGER NOT NULL,
                    question TEXT NOT NULL,
                    value INTEGER NOT NULL,
                    n INTEGER NOT NULL,
                    PRIMARY KEY (account, day, type, survey_id, survey_version, question, value)
                ) WITHOUT ROWID;
                CREATE TABLE account_aggregate_mark (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    last_rowid INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("health v3: account aggregates kept at ingest") { db in
            // From now on every ingest transaction moves them; catch up with what is already stored.
            try refreshAccountAggregates(db)
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

    /// Per-account survey inputs from the account aggregates; see ``AccountStorage/healthInputs(answersSince:recentSince:)``.
    ///
    /// The aggregates count responses and NPS/CES/CSAT answers per account and UTC day, and move in the same
    /// transaction as every ingest (so reading them never writes, e.g. on a dashboard page load); the windows
    /// count whole UTC days: a response counts from `answersSince` when it was completed on that day or later.
    public func healthInputs(answersSince: Date?, recentSince: Date) async throws -> [String: HealthInputs] {
        try await read("compute account health inputs") { db in
            let responses = try Row.fetchAll(
                db,
                sql: """
                    SELECT account, SUM(CASE WHEN day >= date(?) THEN responses ELSE 0 END) AS responses,
                        SUM(CASE WHEN day >= date(?) THEN responses ELSE 0 END) AS recent, MAX(last_at) AS last
                    FROM account_response_counts GROUP BY account
                    """,
                arguments: [answersSince ?? Date(timeIntervalSince1970: 0), recentSince])
            let answers = try Row.fetchAll(
                db,
                sql: """
                    SELECT account, type, survey_id, survey_version, question, value, SUM(n) AS n,
                        (SELECT s.points FROM report_scales s
                         WHERE s.survey = survey_id AND s.version = survey_version AND s.question = account_answer_counts.question) AS points
                    FROM account_answer_counts \(answersSince == nil ? "" : "WHERE day >= date(?)")
                    GROUP BY account, type, survey_id, survey_version, question, value
                    """,
                arguments: answersSince.map { [$0] } ?? [])
            return Self.healthInputs(responses: responses, answers: answers)
        }
    }

    /// The same inputs as ``healthInputs(answersSince:recentSince:)``, recomputed from the raw responses and
    /// answers with GROUP BY account (slower; the tests check both agree).
    public func healthInputsFromRawRows(answersSince: Date?, recentSince: Date) async throws -> [String: HealthInputs] {
        try await read("compute account health inputs from raw rows") { db in
            let counted = "r.account IS NOT NULL AND r.status = 'complete' AND r.suspect = 0"
            let responses = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.account, SUM(date(r.completed_at) >= date(?)) AS responses, SUM(date(r.completed_at) >= date(?)) AS recent,
                        MAX(r.completed_at) AS last
                    FROM responses r WHERE \(counted) GROUP BY r.account
                    """,
                arguments: [answersSince ?? Date(timeIntervalSince1970: 0), recentSince])
            let answers = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.account, a.type, r.survey_id, r.survey_version, a.question, a.number_value AS value, COUNT(*) AS n,
                        (SELECT s.points FROM report_scales s
                         WHERE s.survey = r.survey_id AND s.version = r.survey_version AND s.question = a.question) AS points
                    FROM responses r JOIN answers a ON a.response_id = r.id
                    WHERE \(counted)\(answersSince == nil ? "" : " AND date(r.completed_at) >= date(?)")
                        AND a.type IN ('nps', 'ces', 'csat') AND a.number_value IS NOT NULL
                    GROUP BY r.account, a.type, r.survey_id, r.survey_version, a.question, a.number_value
                    """,
                arguments: answersSince.map { [$0] } ?? [])
            return Self.healthInputs(responses: responses, answers: answers)
        }
    }

    /// Adds the complete, non-suspect responses with an account stored since the last refresh to the account
    /// aggregates, and moves the mark (the highest response rowid counted: responses are only ever inserted).
    /// Runs inside every ingest transaction that stored something, and once in the migration.
    static func refreshAccountAggregates(_ db: Database) throws {
        let counted = try Int64.fetchOne(db, sql: "SELECT last_rowid FROM account_aggregate_mark WHERE id = 1") ?? 0
        guard let top = try Int64.fetchOne(db, sql: "SELECT MAX(rowid) FROM responses"), top > counted else { return }
        try addAccountAggregates(db, where: "r.rowid > ? AND r.rowid <= ?", arguments: [counted, top])
        try db.execute(
            sql: "INSERT INTO account_aggregate_mark (id, last_rowid) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET last_rowid = excluded.last_rowid",
            arguments: [top])
    }

    /// Adds the complete, non-suspect responses with an account that `condition` (over `responses r`) selects to the
    /// account aggregates: the one way both ingest and erasure count them.
    static func addAccountAggregates(_ db: Database, where condition: String, arguments: StatementArguments) throws {
        let fresh = "\(condition) AND r.account IS NOT NULL AND r.status = 'complete' AND r.suspect = 0"
        try db.execute(
            sql: """
                INSERT INTO account_response_counts (account, day, responses, last_at)
                SELECT r.account, date(r.completed_at), COUNT(*), MAX(r.completed_at) FROM responses r
                WHERE \(fresh) GROUP BY r.account, date(r.completed_at)
                ON CONFLICT (account, day) DO UPDATE SET
                    responses = responses + excluded.responses, last_at = max(last_at, excluded.last_at)
                """,
            arguments: arguments)
        try db.execute(
            sql: """
                INSERT INTO account_answer_counts (account, day, type, survey_id, survey_version, question, value, n)
                SELECT r.account, date(r.completed_at), a.type, r.survey_id, r.survey_version, a.question, a.number_value, COUNT(*)
                FROM responses r JOIN answers a ON a.response_id = r.id
                WHERE \(fresh) AND a.type IN ('nps', 'ces', 'csat') AND a.number_value IS NOT NULL
                GROUP BY r.account, date(r.completed_at), a.type, r.survey_id, r.survey_version, a.question, a.number_value
                ON CONFLICT (account, day, type, survey_id, survey_version, question, value) DO UPDATE SET n = n + excluded.n
                """,
            arguments: arguments)
    }

    /// Inputs from rows of (account, responses, recent, last) and of
    /// (account, type, survey_id, survey_version, question, value, n): see ``HealthInputs/fold(responses:answers:)``.
    static func healthInputs(responses: [Row], answers: [Row]) -> [String: HealthInputs] {
        HealthInputs.fold(
            responses: responses.map { row in
                AccountResponseCount(account: row["account"], responses: row["responses"], recent: row["recent"] ?? 0,
                                     last: row["last"])
            },
            answers: answers.map { row in
                AccountAnswerBucket(account: row["account"], type: row["type"], survey: row["survey_id"],
                                    version: row["survey_version"], question: row["question"], value: row["value"],
                                    count: row["n"], points: row["points"])
            })
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
