/// An account's health: the score, its zone and what drove it.
public struct HealthScore: Sendable, Hashable, Codable {
    /// The score from 0 to 100; nil when no weighted component has a value (engagement always has one).
    public var score: Double?
    /// The zone of ``score``; nil without a score.
    public var zone: HealthZone?
    /// Each component (nps, ces, csat, engagement) in that order.
    public var components: [HealthComponentScore]

    /// Creates a score.
    public init(score: Double?, zone: HealthZone?, components: [HealthComponentScore]) {
        self.score = score
        self.zone = zone
        self.components = components
    }

    /// The component `kind`.
    public func component(_ kind: HealthComponentKind) -> HealthComponentScore? {
        components.first { $0.kind == kind }
    }
}

/// The four parts of a health score.
public enum HealthComponentKind: String, Sendable, Hashable, Codable, CaseIterable {
    case nps, ces, csat, engagement
}

/// One component of a health score: its raw value, its 0–100 value and how much of the score it makes up.
public struct HealthComponentScore: Sendable, Hashable, Codable {
    /// Which component.
    public var kind: HealthComponentKind
    /// The raw figure: NPS (−100…100), the mean CES answer (on the questions' own scales), CSAT percent
    /// satisfied, or engagement (0–100, recency and frequency mixed); nil without data.
    public var raw: Double?
    /// How many answers (for engagement: responses in the window plus interactions).
    public var count: Int
    /// The value on 0–100 that went into the score; nil when missing and left out.
    public var value: Double?
    /// Whether ``value`` is the model's stand-in for missing data.
    public var substituted: Bool
    /// The weight as configured.
    public var weight: Double
    /// The share of the score this component has after normalising the weights present (0–1).
    public var share: Double
    /// Points of the score this component contributes (`value × share`); the contributions add up to the score.
    public var contribution: Double
    /// A short explanation for people, e.g. `NPS 40 (n=5)` or `last activity 3 d ago; 2 responses in 90 d + 2 interactions (target 6)`.
    public var detail: String

    /// Creates a component score.
    public init(
        kind: HealthComponentKind, raw: Double?, count: Int, value: Double?, substituted: Bool = false,
        weight: Double, share: Double, contribution: Double, detail: String
    ) {
        self.kind = kind
        self.raw = raw
        self.count = count
        self.value = value
        self.substituted = substituted
        self.weight = weight
        self.share = share
        self.contribution = contribution
        self.detail = detail
    }
}
