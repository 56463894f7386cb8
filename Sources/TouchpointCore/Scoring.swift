/// Net Promoter Score of a set of 0–10 answers.
public struct NPSResult: Sendable, Hashable {
    /// Number of answers.
    public var count: Int
    /// Answers of 9 or 10.
    public var promoters: Int
    /// Answers of 7 or 8.
    public var passives: Int
    /// Answers of 0 to 6.
    public var detractors: Int

    /// Creates a result from its counts.
    public init(count: Int, promoters: Int, passives: Int, detractors: Int) {
        self.count = count
        self.promoters = promoters
        self.passives = passives
        self.detractors = detractors
    }

    /// NPS = % promoters − % detractors, from −100 to 100; nil without answers.
    public var score: Double? {
        guard count > 0 else { return nil }
        return (Double(promoters) - Double(detractors)) * 100 / Double(count)
    }

    /// The population variance of the answers coded +1 (promoter), 0 (passive), −1 (detractor); nil without answers.
    ///
    /// With p and d the promoter and detractor shares: (p + d) − (p − d)².
    public var variance: Double? {
        guard count > 0 else { return nil }
        let n = Double(count)
        let mean = (Double(promoters) - Double(detractors)) / n
        return (Double(promoters) + Double(detractors)) / n - mean * mean
    }

    /// The 95 % margin of error of ``score`` in NPS points: 1.96 · √(variance / n) · 100; nil without answers.
    public var marginOfError: Double? {
        guard let variance else { return nil }
        return Scoring.z95 * (max(0, variance) / Double(count)).squareRoot() * 100
    }
}

/// Customer Effort Score of a set of answers on a 1…points scale.
public struct CESResult: Sendable, Hashable {
    /// Number of answers.
    public var count: Int
    /// Sum of the answers.
    public var sum: Int
    /// Answers at the easy end of the scale (see ``Scoring/isEasy(_:points:)``).
    public var easy: Int

    /// Creates a result from its counts.
    public init(count: Int, sum: Int, easy: Int = 0) {
        self.count = count
        self.sum = sum
        self.easy = easy
    }
    /// Mean answer; nil without answers.
    public var mean: Double? { count > 0 ? Double(sum) / Double(count) : nil }
    /// The share of easy answers in percent (0–100); nil without answers.
    public var easyShare: Double? { count > 0 ? Double(easy) * 100 / Double(count) : nil }
}

/// Customer satisfaction of a set of 1–5 answers.
public struct CSATResult: Sendable, Hashable {
    /// Number of answers.
    public var count: Int
    /// Answers of 4 or 5.
    public var satisfied: Int

    /// Creates a result from its counts.
    public init(count: Int, satisfied: Int) {
        self.count = count
        self.satisfied = satisfied
    }
    /// CSAT = % of answers that are 4 or 5; nil without answers.
    public var score: Double? { count > 0 ? Double(satisfied) * 100 / Double(count) : nil }
}

/// The NPS, CES and CSAT formulas: the one definition every report uses.
public enum Scoring {
    /// The two-sided 95 % normal quantile used for margins of error.
    public static let z95 = 1.96

    /// The NPS band of one 0–10 answer.
    public enum NPSBand: Sendable, Hashable {
        case promoter, passive, detractor

        /// 9–10 promote, 7–8 are passive, 0–6 detract.
        public init(_ answer: Int) {
            switch answer {
            case 9...: self = .promoter
            case 7...8: self = .passive
            default: self = .detractor
            }
        }
    }

    /// NPS of 0–10 answers (promoters 9–10, passives 7–8, detractors 0–6).
    public static func nps<S: Sequence<Int>>(_ answers: S) -> NPSResult {
        var result = NPSResult(count: 0, promoters: 0, passives: 0, detractors: 0)
        for answer in answers {
            result.count += 1
            switch NPSBand(answer) {
            case .promoter: result.promoters += 1
            case .passive: result.passives += 1
            case .detractor: result.detractors += 1
            }
        }
        return result
    }

    /// Whether a CES answer on a 1…`points` scale is "easy": the top half of the scale without the middle
    /// (5–7 on a 1–7 scale, 4–5 on a 1–5 scale).
    public static func isEasy(_ answer: Int, points: Int) -> Bool {
        answer > points - points / 2
    }

    /// Whether a CES answer on a 1…`points` scale is "hard": the bottom half of the scale without the middle
    /// (1–3 on a 1–7 scale, 1–2 on a 1–5 scale), the mirror of ``isEasy(_:points:)``.
    public static func isHard(_ answer: Int, points: Int) -> Bool {
        answer <= points / 2
    }

    /// Whether a CSAT answer counts as satisfied (4 or 5).
    public static func isSatisfied(_ answer: Int) -> Bool {
        answer >= 4
    }

    /// CES: the mean of the answers and how many are easy on a 1…`points` scale (7 unless given).
    public static func ces<S: Sequence<Int>>(_ answers: S, points: Int = 7) -> CESResult {
        var result = CESResult(count: 0, sum: 0)
        for answer in answers {
            result.count += 1
            result.sum += answer
            if isEasy(answer, points: points) { result.easy += 1 }
        }
        return result
    }

    /// CSAT: the share of answers that are 4 or 5.
    public static func csat<S: Sequence<Int>>(_ answers: S) -> CSATResult {
        var result = CSATResult(count: 0, satisfied: 0)
        for answer in answers {
            result.count += 1
            if isSatisfied(answer) { result.satisfied += 1 }
        }
        return result
    }
}

/// NPS, CES and CSAT of the responses to one survey.
public struct SurveyStatistics: Sendable, Hashable {
    /// The survey id.
    public var surveyID: String
    /// Responses counted.
    public var responses: Int
    /// Responses left out because they are partial or suspect.
    public var excluded: Int
    /// NPS over every `nps` answer.
    public var nps: NPSResult
    /// CES over every `ces` answer.
    public var ces: CESResult
    /// CSAT over every `csat` answer.
    public var csat: CSATResult

    /// Statistics per survey id, sorted by id; partial and suspect responses are counted in `excluded` only.
    public static func bySurvey(_ responses: [SurveyResponse], includeFlagged: Bool = false) -> [SurveyStatistics] {
        let groups = Dictionary(grouping: responses, by: { $0.survey.id })
        return groups.keys.sorted().map { id in
            let all = groups[id] ?? []
            let counted = all.filter { includeFlagged || ($0.status == .complete && !$0.suspect) }
            func values(_ type: QuestionType) -> [Int] {
                counted.flatMap { $0.answers.filter { $0.type == type }.compactMap(\.value.number) }
            }
            return SurveyStatistics(
                surveyID: id, responses: counted.count, excluded: all.count - counted.count,
                nps: Scoring.nps(values(.nps)), ces: Scoring.ces(values(.ces)), csat: Scoring.csat(values(.csat)))
        }
    }
}
