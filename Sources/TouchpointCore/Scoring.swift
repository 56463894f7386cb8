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

    /// NPS = % promoters − % detractors, from −100 to 100; nil without answers.
    public var score: Double? {
        guard count > 0 else { return nil }
        return (Double(promoters) - Double(detractors)) * 100 / Double(count)
    }
}

/// Customer Effort Score of a set of answers on a 1…points scale.
public struct CESResult: Sendable, Hashable {
    /// Number of answers.
    public var count: Int
    /// Sum of the answers.
    public var sum: Int
    /// Mean answer; nil without answers.
    public var mean: Double? { count > 0 ? Double(sum) / Double(count) : nil }
}

/// Customer satisfaction of a set of 1–5 answers.
public struct CSATResult: Sendable, Hashable {
    /// Number of answers.
    public var count: Int
    /// Answers of 4 or 5.
    public var satisfied: Int
    /// CSAT = % of answers that are 4 or 5; nil without answers.
    public var score: Double? { count > 0 ? Double(satisfied) * 100 / Double(count) : nil }
}

/// The NPS, CES and CSAT formulas: the one definition every report uses.
public enum Scoring {
    /// NPS of 0–10 answers (promoters 9–10, passives 7–8, detractors 0–6).
    public static func nps<S: Sequence<Int>>(_ answers: S) -> NPSResult {
        var result = NPSResult(count: 0, promoters: 0, passives: 0, detractors: 0)
        for answer in answers {
            result.count += 1
            switch answer {
            case 9...: result.promoters += 1
            case 7...8: result.passives += 1
            default: result.detractors += 1
            }
        }
        return result
    }

    /// CES: the mean of the answers.
    public static func ces<S: Sequence<Int>>(_ answers: S) -> CESResult {
        var result = CESResult(count: 0, sum: 0)
        for answer in answers {
            result.count += 1
            result.sum += answer
        }
        return result
    }

    /// CSAT: the share of answers that are 4 or 5.
    public static func csat<S: Sequence<Int>>(_ answers: S) -> CSATResult {
        var result = CSATResult(count: 0, satisfied: 0)
        for answer in answers {
            result.count += 1
            if answer >= 4 { result.satisfied += 1 }
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
