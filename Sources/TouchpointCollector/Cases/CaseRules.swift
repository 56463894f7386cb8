import Foundation
import TouchpointCore

/// Which responses open a follow-up case, who owns it and by when it must be closed (`cases.yaml`).
///
/// Every NPS detractor (0–6) opens a case; ``csatAtMost`` and ``hardCES`` add low CSAT and hard CES answers.
/// The owner and due time come from the first of ``rules`` that matches the response; read with
/// ``parse(yaml:file:)``, see `examples/cases.yaml`.
public struct CaseRules: Sendable, Hashable {
    /// A CSAT answer at or below this (1–5) opens a case; nil: CSAT opens none.
    public var csatAtMost: Int?
    /// Whether a hard CES answer (``TouchpointCore/Scoring/isHard(_:points:)``: 1–3 of 7, 1–2 of 5) opens a case.
    public var hardCES: Bool
    /// The time to close a case when its rule gives none (default 48 hours).
    public var sla: Duration
    /// Owner rules, first match wins; a response no rule matches gets no owner.
    public var rules: [CaseRule]
    /// The webhook (a name in feed.yaml) each owner's overdue cases are posted to; `*` for every other owner.
    public var channels: [String: String]
    /// How often the collector looks for cases that went overdue (default one minute).
    public var checkInterval: Duration = .seconds(60)

    /// The rules without a file: detractors only, nobody assigned, 48 hours, no overdue posts.
    public static let standard = CaseRules()

    /// Creates rules.
    public init(
        csatAtMost: Int? = nil, hardCES: Bool = false, sla: Duration = .seconds(48 * 3600), rules: [CaseRule] = [],
        channels: [String: String] = [:]
    ) {
        self.csatAtMost = csatAtMost
        self.hardCES = hardCES
        self.sla = sla
        self.rules = rules
        self.channels = channels
    }

    /// The webhook an overdue case of `owner` is posted to, if any.
    public func channel(for owner: String?) -> String? {
        owner.flatMap { channels[$0] } ?? channels["*"]
    }

    /// What opened a case for `response`, or nil if nothing in it does: `NPS 3`, `CSAT 1`, `CES 2 of 5`.
    ///
    /// A suspect response (answered implausibly fast) opens none. `cesPoints` gives each CES question's scale.
    public func trigger(for response: SurveyResponse, cesPoints: [String: Int]) -> String? {
        guard !response.suspect else { return nil }
        var parts: [String] = []
        for answer in response.answers {
            guard case .number(let value) = answer.value else { continue }
            switch answer.type {
            case .nps where Scoring.nps([value]).detractors == 1:
                parts.append("NPS \(value)")
            case .csat where csatAtMost.map { value <= $0 } ?? false:
                parts.append("CSAT \(value)")
            case .ces where hardCES:
                let points = cesPoints[answer.question] ?? 7
                if Scoring.isHard(value, points: points) { parts.append("CES \(value) of \(points)") }
            default:
                break
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }

    /// The case `response` opens when stored at `date`, or nil; `accountOwner` gives the owner of an account
    /// reference from the imported accounts (nil when unknown).
    public func opening(
        for response: SurveyResponse, cesPoints: [String: Int], at date: Date, accountOwner: (String) -> String?
    ) -> CaseOpening? {
        guard let trigger = trigger(for: response, cesPoints: cesPoints) else { return nil }
        for rule in rules where rule.route.matches(
            site: response.site, touchpoint: response.touchpoint, stage: response.stage, survey: response.survey.id) {
            let owner: String
            switch rule.owner {
            case .named(let name):
                owner = name
            case .accountOwner:
                // Only a response whose account has a known owner: otherwise the next rule decides.
                guard let account = response.account, let known = accountOwner(account), !known.isEmpty else { continue }
                owner = known
            }
            return CaseOpening(trigger: trigger, owner: owner, dueAt: date.addingTimeInterval((rule.sla ?? sla).seconds))
        }
        return CaseOpening(trigger: trigger, owner: nil, dueAt: date.addingTimeInterval(sla.seconds))
    }

    /// Whether some rule takes the owner from the response's account (so the accounts must be read).
    public var needsAccountOwners: Bool {
        rules.contains { $0.owner == .accountOwner }
    }
}

/// One owner rule of ``CaseRules``: which responses (every list given must hold the response's value), whose
/// they are and, optionally, their own SLA.
public struct CaseRule: Sendable, Hashable {
    /// Who owns a matching response's case.
    public enum Owner: Sendable, Hashable {
        /// A person or team by name.
        case named(String)
        /// The owner of the response's account in the imported accounts CSV (`owner: account`).
        case accountOwner
    }

    /// Sites, touchpoints, stages and surveys the rule applies to (empty lists: all).
    public var route: FeedRoute
    /// The owner.
    public var owner: Owner
    /// This rule's time to close; nil: the file's default.
    public var sla: Duration?

    /// Creates a rule.
    public init(route: FeedRoute = FeedRoute(), owner: Owner, sla: Duration? = nil) {
        self.route = route
        self.owner = owner
        self.sla = sla
    }
}

/// What a stored response opens: what triggered it, the owner and the due time.
public struct CaseOpening: Sendable, Hashable {
    /// `NPS 3`, `CSAT 1 · CES 2 of 5`…
    public var trigger: String
    /// The owner, if a rule gave one.
    public var owner: String?
    /// When the case is due.
    public var dueAt: Date

    /// Creates an opening.
    public init(trigger: String, owner: String?, dueAt: Date) {
        self.trigger = trigger
        self.owner = owner
        self.dueAt = dueAt
    }
}
