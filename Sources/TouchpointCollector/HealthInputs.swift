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
    /// Complete, non-suspect responses that carry the account reference, in the answer window (all time without one):
    /// the `resp` of `touchpoint health`, counted over the same days as the NPS, CES and CSAT components.
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

    /// Whether there is anything to score: an answer, a response or a CRM interaction.
    public var hasData: Bool {
        nps.count > 0 || ces.contains { $0.result.count > 0 } || csat.count > 0 || responses > 0 || interactions > 0
            || lastActivityAt != nil
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

/// One account's response counts, as a storage sums them.
public struct AccountResponseCount: Sendable, Hashable {
    /// The account reference.
    public var account: String
    /// Counted responses (complete, not suspect), all time.
    public var responses: Int
    /// Those in the frequency window.
    public var recent: Int
    /// When the last one was completed.
    public var last: Date?

    /// Creates a count.
    public init(account: String, responses: Int, recent: Int, last: Date?) {
        self.account = account
        self.responses = responses
        self.recent = recent
        self.last = last
    }
}

/// How many times one account gave one value to one scored question, as a storage counts them.
public struct AccountAnswerBucket: Sendable, Hashable {
    /// The account reference.
    public var account: String
    /// `nps`, `ces` or `csat`.
    public var type: String
    /// The survey id, version and question (CES groups by question: scales can differ).
    public var survey: String
    /// The survey version.
    public var version: Int
    /// The question id.
    public var question: String
    /// The answer value.
    public var value: Int
    /// How many answers had it.
    public var count: Int
    /// A CES question's scale points as recorded at ingest (`report_scales`); nil for other types or an unknown one.
    public var points: Int?

    /// Creates a bucket.
    public init(
        account: String, type: String, survey: String, version: Int, question: String, value: Int, count: Int, points: Int? = nil
    ) {
        self.points = points
        self.account = account
        self.type = type
        self.survey = survey
        self.version = version
        self.question = question
        self.value = value
        self.count = count
    }
}

extension HealthInputs {
    /// Every account's inputs from its response counts and answer buckets, feeding the histograms to
    /// ``Scoring`` (the one formula): what every storage returns from `healthInputs`.
    public static func fold(responses: [AccountResponseCount], answers: [AccountAnswerBucket]) -> [String: HealthInputs] {
        var inputs: [String: HealthInputs] = [:]
        for row in responses {
            inputs[row.account] = HealthInputs(responses: row.responses, recentResponses: row.recent, lastResponseAt: row.last)
        }
        struct CESKey: Hashable {
            var survey: String
            var version: Int
            var question: String
        }
        var nps: [String: [(Int, Int)]] = [:]
        var csat: [String: [(Int, Int)]] = [:]
        var ces: [String: [CESKey: [(Int, Int)]]] = [:]
        var cesPoints: [String: [CESKey: Int]] = [:]
        for row in answers {
            let bucket = (row.value, row.count)
            switch row.type {
            case "nps": nps[row.account, default: []].append(bucket)
            case "csat": csat[row.account, default: []].append(bucket)
            default:
                let key = CESKey(survey: row.survey, version: row.version, question: row.question)
                ces[row.account, default: [:]][key, default: []].append(bucket)
                if let points = row.points { cesPoints[row.account, default: [:]][key] = points }
            }
        }
        // Each (value, count) bucket as `count` answers, lazily: `Scoring` stays the one formula, nothing is copied.
        func values(_ buckets: [(Int, Int)]) -> some Sequence<Int> {
            buckets.lazy.flatMap { repeatElement($0.0, count: $0.1) }
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
                    CESInput(survey: key.survey, version: key.version, question: key.question, points: cesPoints[account]?[key],
                             result: Scoring.ces(values(buckets)))
                }
        }
        return inputs
    }
}
