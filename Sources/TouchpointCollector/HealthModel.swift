import Foundation

/// How an account's health score is computed from survey answers and engagement, its zones, and its playbook.
///
/// Read one from YAML with ``parse(yaml:file:)``, or use ``builtIn`` (the same as `examples/health.yaml`).
/// Score an account with ``score(_:now:)``.
public struct HealthModel: Sendable, Hashable {
    /// The NPS component: its weight and the NPS range mapped onto 0–100.
    public var nps: RangeComponent
    /// The CES component: its weight and the scale assumed when a question's survey is unknown.
    public var ces: CESComponent
    /// The CSAT component: its weight and the CSAT range (percent satisfied) mapped onto 0–100.
    public var csat: RangeComponent
    /// The engagement component: recency and frequency of responses and CRM interactions.
    public var engagement: EngagementComponent
    /// Answers older than this many days are left out (nil: every answer counts).
    public var answerWindowDays: Int?
    /// A survey component with fewer answers than this is treated as missing.
    public var minimumAnswers: Int
    /// What a missing component does to the score.
    public var missing: MissingPolicy
    /// The zone thresholds.
    public var zones: ZoneThresholds
    /// The actions for each zone and each move between zones.
    public var playbook: Playbook

    /// Creates a model.
    public init(
        nps: RangeComponent, ces: CESComponent, csat: RangeComponent, engagement: EngagementComponent,
        answerWindowDays: Int?, minimumAnswers: Int, missing: MissingPolicy, zones: ZoneThresholds, playbook: Playbook
    ) {
        self.nps = nps
        self.ces = ces
        self.csat = csat
        self.engagement = engagement
        self.answerWindowDays = answerWindowDays
        self.minimumAnswers = minimumAnswers
        self.missing = missing
        self.zones = zones
        self.playbook = playbook
    }

    /// A component normalised linearly: `low` and below → 0, `high` and above → 100.
    public struct RangeComponent: Sendable, Hashable {
        /// The relative weight (0 or more; weights need not sum to 1).
        public var weight: Double
        /// The raw value that maps to 0.
        public var low: Double
        /// The raw value that maps to 100.
        public var high: Double

        /// Creates a component.
        public init(weight: Double, low: Double, high: Double) {
            self.weight = weight
            self.low = low
            self.high = high
        }

        /// `raw` mapped linearly onto 0–100, clamped.
        public func normalise(_ raw: Double) -> Double {
            min(100, max(0, (raw - low) * 100 / (high - low)))
        }
    }

    /// The CES component: each answer's mean on its own 1…points scale, mapped onto 0–100 (1 → 0, points → 100).
    public struct CESComponent: Sendable, Hashable {
        /// The relative weight.
        public var weight: Double
        /// The scale (5 or 7 points) assumed for answers whose survey version the collector does not know.
        public var scale: Int

        /// Creates a component.
        public init(weight: Double, scale: Int) {
            self.weight = weight
            self.scale = scale
        }
    }

    /// Engagement: a recency part (halving every `halfLifeDays` since the last activity) and a frequency
    /// part (responses in the last `windowDays` plus CRM interactions, saturating at `target`).
    public struct EngagementComponent: Sendable, Hashable {
        /// The relative weight of engagement in the score.
        public var weight: Double
        /// The weight of recency within engagement.
        public var recencyWeight: Double
        /// Days after which the recency part has halved (100 on the day of the last activity).
        public var halfLifeDays: Double
        /// The weight of frequency within engagement.
        public var frequencyWeight: Double
        /// The window, in days, in which responses count towards frequency.
        public var windowDays: Int
        /// Responses plus interactions that give a frequency of 100.
        public var target: Int

        /// Creates a component.
        public init(weight: Double, recencyWeight: Double, halfLifeDays: Double, frequencyWeight: Double, windowDays: Int, target: Int) {
            self.weight = weight
            self.recencyWeight = recencyWeight
            self.halfLifeDays = halfLifeDays
            self.frequencyWeight = frequencyWeight
            self.windowDays = windowDays
            self.target = target
        }
    }

    /// What a component without data does to the score.
    public enum MissingPolicy: Sendable, Hashable {
        /// Leave it out and spread its weight over the components that are present.
        case renormalise
        /// Use this value (0–100) in its place.
        case value(Double)
    }

    /// The lowest score of the green and yellow zones; anything below `yellow` is red.
    public struct ZoneThresholds: Sendable, Hashable {
        /// Scores at or above this are green.
        public var green: Double
        /// Scores at or above this (and below ``green``) are yellow.
        public var yellow: Double

        /// Creates thresholds; `green` must be above `yellow`.
        public init(green: Double, yellow: Double) {
            self.green = green
            self.yellow = yellow
        }

        /// The zone of `score`.
        public func zone(of score: Double) -> HealthZone {
            score >= green ? .green : score >= yellow ? .yellow : .red
        }
    }
}

/// What to do for accounts in each zone, and when an account moves between zones.
public struct Playbook: Sendable, Hashable {
    /// Standing actions for every account in a zone.
    public var zones: [HealthZone: [PlaybookAction]]
    /// Actions due when an account moves from one zone to another.
    public var moves: [ZoneMove: [PlaybookAction]]

    /// Creates a playbook.
    public init(zones: [HealthZone: [PlaybookAction]] = [:], moves: [ZoneMove: [PlaybookAction]] = [:]) {
        self.zones = zones
        self.moves = moves
    }
}

/// One playbook action and who does it.
public struct PlaybookAction: Sendable, Hashable, Codable {
    /// What to do, for a person.
    public var action: String
    /// Who does it.
    public var owner: Owner

    /// Creates an action.
    public init(action: String, owner: Owner) {
        self.action = action
        self.owner = owner
    }

    /// Who does an action: the account's own owner (from the accounts CSV), or a named role.
    public enum Owner: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The owner of the account, as imported (`owner: account` in YAML).
        case account
        /// A role such as "CX lead".
        case role(String)

        /// `account owner` or the role.
        public var description: String {
            switch self {
            case .account: "account owner"
            case .role(let role): role
            }
        }
    }
}
