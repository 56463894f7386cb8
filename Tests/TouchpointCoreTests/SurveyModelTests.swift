import Testing
@testable import TouchpointCore

@Suite("Survey model")
struct SurveyModelTests {
    @Test("Range conditions with open bounds")
    func rangeConditions() {
        let atMost6 = Condition(question: "q", test: .range(min: nil, max: 6))
        #expect(atMost6.matches(.number(0)))
        #expect(atMost6.matches(.number(6)))
        #expect(!atMost6.matches(.number(7)))
        let between = Condition(question: "q", test: .range(min: 3, max: 5))
        #expect(!between.matches(.number(2)))
        #expect(between.matches(.number(3)))
        #expect(between.matches(.number(5)))
        #expect(!between.matches(.number(6)))
        #expect(!between.matches(.text("4")))
    }

    @Test("Unanswered questions never match")
    func unanswered() {
        #expect(!Condition(question: "q", test: .range(min: nil, max: nil)).matches(nil))
        #expect(!Condition(question: "q", test: .oneOf([.bool(false)])).matches(nil))
    }

    @Test("oneOf matches listed values only")
    func oneOf() {
        let condition = Condition(question: "q", test: .oneOf([.option("a"), .option("b")]))
        #expect(condition.matches(.option("b")))
        #expect(!condition.matches(.option("c")))
        #expect(!condition.matches(.text("a")))
    }

    @Test("LocalizedText falls back to English, then to any translation")
    func localizedFallback() {
        let both = LocalizedText(["sv": "Hej", "en": "Hello"])
        #expect(both.text(in: "sv") == "Hej")
        #expect(both.text(in: "de") == "Hello")
        #expect(LocalizedText(["sv": "Hej"]).text(in: "en") == "Hej")
        #expect(LocalizedText([:]).text(in: "en") == "")
        #expect(LocalizedText(["sv": "Hej", "en": ""]).missing(from: ["sv", "en", "fi"]) == ["en", "fi"])
    }

    @Test("Scales of the question kinds")
    func scales() {
        let labels = ScaleLabels.standard(for: .nps)
        #expect(QuestionKind.nps(labels: labels).scale == 0...10)
        #expect(QuestionKind.ces(points: 7, labels: labels).scale == 1...7)
        #expect(QuestionKind.csat(labels: labels).scale == 1...5)
        #expect(QuestionKind.text.scale == nil)
        #expect(QuestionKind.yesno.labels == nil)
        #expect(QuestionType.allCases.filter(\.isScale) == [.nps, .ces, .csat])
    }

    @Test("AnswerValue descriptions")
    func answerDescriptions() {
        #expect(AnswerValue.number(7).description == "7")
        #expect(AnswerValue.option("browse").description == "browse")
        #expect(AnswerValue.bool(true).description == "yes")
        #expect(AnswerValue.number(3).number == 3)
        #expect(AnswerValue.text("3").number == nil)
    }
}
