import Foundation
import TouchpointCore

/// Accounts (the CRM side) and the inputs of their health scores.
public protocol AccountStorage: Sendable {
    /// Inserts new accounts and updates existing ones (by id, ignoring case and spaces) in one transaction; never deletes.
    ///
    /// An existing account's fields that `accounts.fields` does not list are kept. Returns how many were new.
    func importAccounts(_ accounts: AccountImport, at date: Date) async throws -> AccountImportSummary

    /// Every imported account, sorted by id.
    func accounts() async throws -> [Account]

    /// The survey side of each account's health inputs, by account reference, from complete, non-suspect
    /// responses that carry one (whether or not the account was imported).
    ///
    /// Answers (NPS, CES, CSAT) count from `answersSince` on (nil: all); ``HealthInputs/recentResponses``
    /// counts responses from `recentSince` on. CES groups carry the scale points recorded at ingest (`report_scales`);
    /// interactions are 0 (they come from ``accounts()``).
    func healthInputs(answersSince: Date?, recentSince: Date) async throws -> [String: HealthInputs]

    /// Records each account's zone and score at a computation, for the next one to compare against.
    func recordHealthSnapshots(_ snapshots: [HealthSnapshot]) async throws

    /// Each account's latest recorded snapshot, by account id.
    func latestHealthSnapshots() async throws -> [String: HealthSnapshot]

    /// The form this storage keys an account reference by in its aggregates (``healthInputs(answersSince:recentSince:)``):
    /// its token when account references are sealed at rest (``CommentCipher/accountKey(_:with:)``), else its
    /// matching key.
    func accountKey(_ reference: String) -> String
}

extension AccountStorage {
    /// Every account's health now: imported accounts and any account reference responses carry.
    ///
    /// Response references match imported ids ignoring case and spacing. The zone move is against the
    /// latest recorded snapshot; nothing is recorded (the dashboard calls this). Each CES question's scale is the
    /// one the storage recorded at ingest (never a surveys folder); for a version it never saw, the model's scale.
    /// Sorted red first, then yellow, green and unscored, each by score (lowest first), then by id.
    public func accountHealth(model: HealthModel, at now: Date) async throws -> [AccountHealth] {
        let answersSince = model.answerWindowDays.map { HealthModel.windowStart(days: $0, now: now) }
        let recentSince = HealthModel.windowStart(days: model.engagement.windowDays, now: now)
        let inputs = try await healthInputs(answersSince: answersSince, recentSince: recentSince)
        let accounts = try await self.accounts()
        var previous: [String: HealthSnapshot] = [:]
        for (account, snapshot) in try await latestHealthSnapshots() {
            previous[accountKey(account)] = snapshot
        }
        // References match accounts ignoring case and spacing (``Account/matchingKey(_:)``); a reference no
        // import names becomes an account of its own, under its first spelling in sort order.
        var byKey: [String: Account] = [:]
        for account in accounts where byKey[accountKey(account.id)] == nil {
            byKey[accountKey(account.id)] = account
        }
        let known = Set(byKey.values.map(\.id))
        var inputsByKey: [String: HealthInputs] = [:]
        for reference in inputs.keys.sorted() {
            guard let input = inputs[reference] else { continue }
            let key = accountKey(reference)
            if byKey[key] == nil { byKey[key] = Account(id: reference) }
            inputsByKey[key] = inputsByKey[key].map { $0.adding(input) } ?? input
        }
        var result: [AccountHealth] = []
        for (key, account) in byKey {
            var input = inputsByKey[key] ?? HealthInputs()
            input.interactions = account.interactions
            input.lastInteractionAt = account.lastInteractionAt
            let health = model.score(input, now: now)
            result.append(AccountHealth(
                account: account, imported: known.contains(account.id), responses: input.responses, health: health,
                previous: previous[key], playbook: model.playbook))
        }
        func rank(_ account: AccountHealth) -> (Int, Double) {
            (account.zone.flatMap { HealthZone.allCases.firstIndex(of: $0) } ?? HealthZone.allCases.count, account.score ?? 0)
        }
        return result.sorted { lhs, rhs in
            let (left, right) = (rank(lhs), rank(rhs))
            return left != right ? left < right : lhs.id < rhs.id
        }
    }

    /// Computes every account's health like ``accountHealth(model:at:)`` and records the zones, so
    /// the next computation sees moves against this one (`touchpoint health` without `--dry-run`).
    @discardableResult
    public func recordAccountHealth(model: HealthModel, at now: Date) async throws -> [AccountHealth] {
        let health = try await accountHealth(model: model, at: now)
        try await recordHealthSnapshots(health.compactMap { account in
            guard let zone = account.zone, let score = account.score else { return nil }
            return HealthSnapshot(account: account.id, zone: zone, score: score, at: now)
        })
        return health
    }
}
