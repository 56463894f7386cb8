import Foundation
import Testing
@testable import TouchpointCore

@Suite("Scoring")
struct ScoringTests {
    @Test("NPS of a balanced set is 0")
    func npsBalanced() throws {
        // promoters: 10, 9, 9, 10 · passives: 8, 7 · detractors: 6, 0, 3, 5
        let result = Scoring.nps([10, 9, 9, 8, 7, 6, 0, 3, 10, 5])
        #expect(result.count == 10)
        #expect(result.promoters == 4)
        #expect(result.passives == 2)
        #expect(result.detractors == 4)
        let score = try #require(result.score)
        #expect(score == 0)
    }

    @Test("NPS with more promoters than detractors")
    func npsPositive() throws {
        // promoters: 10, 10, 9 · passives: 8 · detractors: 3 → (3 − 1) / 5 = 40 %
        let result = Scoring.nps([10, 10, 9, 8, 3])
        #expect(result == NPSResult(count: 5, promoters: 3, passives: 1, detractors: 1))
        #expect(result.score == 40)
    }

    @Test("NPS with more detractors than promoters")
    func npsNegative() throws {
        // promoters: none · passives: 7 · detractors: 0, 6 → (0 − 2) / 3 = −66.67 %
        let result = Scoring.nps([0, 6, 7])
        #expect(result == NPSResult(count: 3, promoters: 0, passives: 1, detractors: 2))
        let score = try #require(result.score)
        #expect(abs(score - (-200.0 / 3.0)) < 1e-9)
    }

    @Test("NPS band boundaries: 6 detracts, 7 and 8 are passive, 9 promotes", arguments: [
        (0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter"), (10, "promoter"),
    ])
    func npsBands(answer: Int, band: String) {
        let result = Scoring.nps([answer])
        #expect(result.promoters == (band == "promoter" ? 1 : 0))
        #expect(result.passives == (band == "passive" ? 1 : 0))
        #expect(result.detractors == (band == "detractor" ? 1 : 0))
    }

    @Test("All promoters give 100, all detractors −100")
    func npsExtremes() {
        #expect(Scoring.nps([9, 10, 10]).score == 100)
        #expect(Scoring.nps([0, 1, 6]).score == -100)
    }

    @Test("No answers give no score")
    func empty() {
        let none: [Int] = []
        #expect(Scoring.nps(none).score == nil)
        #expect(Scoring.nps(none).count == 0)
        #expect(Scoring.ces(none).mean == nil)
        #expect(Scoring.csat(none).score == nil)
    }

    @Test("CES is the mean answer")
    func cesMean() {
        // (7 + 5 + 6 + 2) / 4 = 5
        let result = Scoring.ces([7, 5, 6, 2])
        // easy on the default 1–7 scale: 7, 5, 6
        #expect(result == CESResult(count: 4, sum: 20, easy: 3))
        #expect(result.mean == 5)
        // (1 + 2) / 2 = 1.5
        #expect(Scoring.ces([1, 2]).mean == 1.5)
    }

    @Test("CES easy answers are 5–7 on a 1–7 scale and 4–5 on a 1–5 scale")
    func cesEasy() throws {
        #expect((1...7).filter { Scoring.isEasy($0, points: 7) } == [5, 6, 7])
        #expect((1...5).filter { Scoring.isEasy($0, points: 5) } == [4, 5])
        // 1–5 scale: 4, 5, 4 of 5 are easy → 60 %
        let five = Scoring.ces([4, 5, 3, 1, 4], points: 5)
        #expect(five == CESResult(count: 5, sum: 17, easy: 3))
        #expect(five.easyShare == 60)
        #expect(five.mean == 3.4)
        // 1–7 scale: 4 is not easy, 5 is → 1 of 2 = 50 %
        #expect(Scoring.ces([4, 5]).easyShare == 50)
        #expect(Scoring.ces([Int]()).easyShare == nil)
    }

    @Test("NPS margin of error against hand-computed values")
    func npsMarginOfError() throws {
        // 4 promoters, 2 passives, 4 detractors of 10: mean 0, variance (4 + 4) / 10 − 0² = 0.8,
        // margin 1.96 · √(0.8 / 10) · 100 = 1.96 · 0.2828427 · 100 = 55.4372
        let balanced = Scoring.nps([10, 9, 9, 8, 7, 6, 0, 3, 10, 5])
        #expect(abs(try #require(balanced.variance) - 0.8) < 1e-12)
        #expect(abs(try #require(balanced.marginOfError) - 55.43717) < 1e-4)

        // 50 promoters, 30 passives, 20 detractors of 100: mean 0.3, variance 0.7 − 0.09 = 0.61,
        // margin 1.96 · √(0.0061) · 100 = 1.96 · 0.0781025 · 100 = 15.30809
        let hundred = NPSResult(count: 100, promoters: 50, passives: 30, detractors: 20)
        #expect(hundred.score == 30)
        #expect(abs(try #require(hundred.variance) - 0.61) < 1e-12)
        #expect(abs(try #require(hundred.marginOfError) - 15.30809) < 1e-4)

        // 3 promoters, 1 passive, 1 detractor of 5: mean 0.4, variance 0.8 − 0.16 = 0.64,
        // margin 1.96 · √(0.128) · 100 = 1.96 · 0.3577709 · 100 = 70.12310
        let five = Scoring.nps([10, 10, 9, 8, 3])
        #expect(abs(try #require(five.marginOfError) - 70.12310) < 1e-4)

        // All promoters: no spread, no margin; no answers: no margin.
        #expect(Scoring.nps([9, 10, 10]).marginOfError == 0)
        #expect(Scoring.nps([Int]()).marginOfError == nil)
    }

    @Test("CSAT is the share of 4s and 5s")
    func csatShare() {
        // satisfied: 5, 4, 4 of 6 → 50 %
        let result = Scoring.csat([5, 4, 3, 2, 1, 4])
        #expect(result == CSATResult(count: 6, satisfied: 3))
        #expect(result.score == 50)
        #expect(Scoring.csat([5, 4, 4]).score == 100)
        #expect(Scoring.csat([3]).score == 0)
        // 1 of 4 → 25 %
        #expect(Scoring.csat([4, 3, 2, 1]).score == 25)
    }
}

@Suite("SurveyStatistics")
struct SurveyStatisticsTests {
    func response(
        _ survey: String, _ answers: [(String, QuestionType, AnswerValue)], status: ResponseStatus = .complete,
        suspect: Bool = false, sequence: UInt64
    ) -> SurveyResponse {
        let draft = ResponseDraft(
            survey: SurveyReference(id: survey, version: 1, digest: "sha256:00"), site: "s", kiosk: "k",
            touchpoint: "retail", stage: .shop, language: "en", startedAt: t0, completedAt: t0.addingTimeInterval(30),
            answers: answers.map { Answer(question: $0.0, type: $0.1, value: $0.2) }, status: status,
            suspect: suspect, mode: .unattended, appVersion: "1")
        return SurveyResponse(draft: draft, id: "id-\(sequence)", sequence: sequence)
    }

    var responses: [SurveyResponse] {
        [
            response("b-survey", [("recommend", .nps, .number(9))], sequence: 1),
            response("a-survey", [("recommend", .nps, .number(10)), ("effort", .ces, .number(5)),
                                  ("sat", .csat, .number(5)), ("comment", .text, .text("10"))], sequence: 2),
            response("a-survey", [("recommend", .nps, .number(6)), ("effort", .ces, .number(3)),
                                  ("sat", .csat, .number(4))], sequence: 3),
            response("a-survey", [("recommend", .nps, .number(0)), ("sat", .csat, .number(1))],
                     status: .partial, sequence: 4),
            response("a-survey", [("recommend", .nps, .number(0)), ("effort", .ces, .number(1)),
                                  ("sat", .csat, .number(2))], suspect: true, sequence: 5),
        ]
    }

    @Test("Partial and suspect responses are excluded by default")
    func excludesFlagged() throws {
        let statistics = SurveyStatistics.bySurvey(responses)
        #expect(statistics.map(\.surveyID) == ["a-survey", "b-survey"])
        let a = try #require(statistics.first)
        #expect(a.responses == 2)
        #expect(a.excluded == 2)
        // nps 10 and 6: one promoter, one detractor
        #expect(a.nps == NPSResult(count: 2, promoters: 1, passives: 0, detractors: 1))
        #expect(a.nps.score == 0)
        // ces (5 + 3) / 2 = 4
        // easy on the default 1–7 scale: 5
        #expect(a.ces == CESResult(count: 2, sum: 8, easy: 1))
        #expect(a.ces.mean == 4)
        // csat 5 and 4: both satisfied
        #expect(a.csat == CSATResult(count: 2, satisfied: 2))
        #expect(a.csat.score == 100)

        let b = try #require(statistics.last)
        #expect(b.responses == 1)
        #expect(b.excluded == 0)
        #expect(b.nps.score == 100)
        #expect(b.ces.mean == nil)
    }

    @Test("Flagged responses count when asked for")
    func includesFlagged() throws {
        let a = try #require(SurveyStatistics.bySurvey(responses, includeFlagged: true).first)
        #expect(a.surveyID == "a-survey")
        #expect(a.responses == 4)
        #expect(a.excluded == 0)
        // nps 10, 6, 0, 0 → (1 − 3) / 4 = −50
        #expect(a.nps == NPSResult(count: 4, promoters: 1, passives: 0, detractors: 3))
        #expect(a.nps.score == -50)
        // ces 5, 3, 1 → 3
        #expect(a.ces.mean == 3)
        // csat 5, 4, 1, 2 → 50 %
        #expect(a.csat.score == 50)
    }

    @Test("No responses, no statistics")
    func noResponses() {
        #expect(SurveyStatistics.bySurvey([]).isEmpty)
    }
}
