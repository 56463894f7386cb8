import Foundation

/// One account's health as `touchpoint health` and the dashboard show it: who, how much revenue, the score,
/// what drove it, the zone move since the last recorded run, and the playbook actions due.
public struct AccountHealth: Sendable, Hashable, Codable {
    /// The account id (the reference responses carry).
    public var id: String
    /// The account's name (the id for accounts that were never imported).
    public var name: String
    /// Monthly recurring revenue, if known.
    public var mrr: Double?
    /// Annual recurring revenue, if known.
    public var arr: Double?
    /// The account's owner, if known.
    public var owner: String?
    /// Whether the account was imported from the CRM (false: only responses name it).
    public var imported: Bool
    /// Complete, non-suspect responses that carry the account's reference.
    public var responses: Int
    /// The score (0–100); nil only when no weighted component has a value. Engagement always has one (no
    /// activity at all is 0), so with a weighted engagement every account is scored.
    public var score: Double?
    /// The zone of ``score``.
    public var zone: HealthZone?
    /// Each component's raw value, 0–100 value, share and contribution.
    public var components: [HealthComponentScore]
    /// The zone recorded by the last `touchpoint health` run, if any.
    public var previousZone: HealthZone?
    /// The score recorded then.
    public var previousScore: Double?
    /// When that was recorded.
    public var previousAt: Date?
    /// The move from ``previousZone`` to ``zone``, if they differ.
    public var move: ZoneMove?
    /// The playbook actions due: the move's actions first, then the zone's.
    public var actions: [DueAction]

    /// Combines an account, its computed health and its last snapshot, resolving the playbook's owners.
    public init(
        account: Account, imported: Bool, responses: Int, health: HealthScore, previous: HealthSnapshot?, playbook: Playbook
    ) {
        id = account.id
        name = account.name
        mrr = account.mrr
        arr = account.arr
        owner = account.owner
        self.imported = imported
        self.responses = responses
        score = health.score
        zone = health.zone
        components = health.components
        previousZone = previous?.zone
        previousScore = previous?.score
        previousAt = previous?.at
        if let from = previous?.zone, let to = health.zone, from != to {
            move = ZoneMove(from: from, to: to)
        } else {
            move = nil
        }
        var actions: [DueAction] = []
        let owner = account.owner
        if let move {
            actions += (playbook.moves[move] ?? []).map { DueAction($0, accountOwner: owner, reason: "move \(move)") }
        }
        if let zone = health.zone {
            actions += (playbook.zones[zone] ?? []).map { DueAction($0, accountOwner: owner, reason: "zone \(zone)") }
        }
        self.actions = actions
    }
}

/// A playbook action due for one account, with its owner resolved.
public struct DueAction: Sendable, Hashable, Codable {
    /// What to do.
    public var action: String
    /// Who: the account's owner's name for `owner: account` (or "account owner (not set)"), else the role.
    public var owner: String
    /// The owner as the playbook says it: "account owner" or the role.
    public var role: String
    /// Why it is due: `move green -> yellow` or `zone red`.
    public var reason: String

    /// Resolves `action`'s owner against the account's owner.
    public init(_ action: PlaybookAction, accountOwner: String?, reason: String) {
        self.action = action.action
        switch action.owner {
        case .account: owner = accountOwner ?? "account owner (not set)"
        case .role(let role): owner = role
        }
        role = action.owner.description
        self.reason = reason
    }
}
