import Foundation
import TouchpointCore

/// What an account's health score is computed from: its survey answers, its responses and its CRM interactions.
///
/// Only complete, non-suspect responses count. The storage computes these per account with
/// ``AccountStorage/healthInputs(answersSince:recentSince:)``; tests build them by hand.
public struct HealthInputs: Sendable, Hashable {
    /// NPS answers.
    public var nps: NPSResult
    /// CES answers, one group per survey question (the scale can differ between surveys).
    public var ces: [CESInput]
    /// CSAT answers.
    public var csat: CSATResult
    /// Complete, non-suspect responses that carry the account reference (all time).
    public var responses: Int
    /// Responses in the model's frequency window.
    public var recentResponses: Int
    /// When the last counted response was completed.
    public var lastResponseAt: Date?
    /// Meaningful interactions recorded in the CRM (from the accounts CSV).
    public var interactions: Int
    /// The CRM's last interaction, if known.
    public var lastInteractionAt: Date?

    /// Creates inputs; every part defaults to "nothing".
    public init(
        nps: NPSResult = Scoring.nps([]), ces: [CESInput] = [],
        csat: CSATResult = Scoring.csat([]), responses: Int = 0, recentResponses: Int = 0,
        lastResponseAt: Date? = nil, interactions: Int = 0, lastInteractionAt: Date? = nil
    ) {
        self.nps = nps
        self.ces = ces
        self.csat = csat
        self.responses = responses
        self.recentResponses = recentResponses
        self.lastResponseAt = lastResponseAt
        self.interactions = interactions
        self.lastInteractionAt = lastInteractionAt
    }

    /// These inputs and `other`'s added up (the same account under two spellings of its reference).
    public func adding(_ other: HealthInputs) -> HealthInputs {
        var sum = self
        sum.nps.count += other.nps.count
        sum.nps.promoters += other.nps.promoters
        sum.nps.passives += other.nps.passives
        sum.nps.detractors += other.nps.detractors
        sum.ces += other.ces
        sum.csat.count += other.csat.count
        sum.csat.satisfied += other.csat.satisfied
        sum.responses += other.responses
        sum.recentResponses += other.recentResponses
        sum.lastResponseAt = [lastResponseAt, other.lastResponseAt].compactMap { $0 }.max()
        sum.interactions += other.interactions
        sum.lastInteractionAt = [lastInteractionAt, other.lastInteractionAt].compactMap { $0 }.max()
        return sum
    }

    /// The latest of the last response and the last CRM interaction.
    public var lastActivityAt: Date? {
        switch (lastResponseAt, lastInteractionAt) {
        case let (response?, interaction?): max(response, interaction)
        case let (response, interaction): response ?? interaction
        }
    }
}

/// The CES answers to one question, with the points of its scale.
public struct CESInput: Sendable, Hashable {
    /// The survey id.
    public var survey: String
    /// The survey version.
    public var version: Int
    /// The question id.
    public var question: String
    /// The scale's points (5 or 7); nil when the survey version is unknown (the model's scale is used).
    public var points: Int?
    /// Count and sum of the answers.
    public var result: CESResult

    /// Creates a group.
    public init(survey: String = "", version: Int = 1, question: String = "", points: Int?, result: CESResult) {
        self.survey = survey
        self.version = version
        self.question = question
        self.points = points
        self.result = result
    }
}
