import Foundation
import Testing
import TouchpointCollector
import TouchpointCore

/// How the collector checks the account reference against a survey that asks for it (`delivery-handover`).
@Suite("Account references in uploaded responses")
struct ResponseValidatorAccountTests {
    static let answers = [
        Answer(question: "recommend", type: .nps, value: .number(8)),
        Answer(question: "handover-satisfaction", type: .csat, value: .number(4)),
        Answer(question: "handover-effort", type: .ces, value: .number(6)),
    ]

    func handover() throws -> Survey {
        try #require(try Fixtures.catalog().survey("delivery-handover"))
    }

    func response(answers: [Answer] = answers, account: String?) -> SurveyResponse {
        var response = Fixtures.response(sequence: 1, answers: answers)
        response.survey = SurveyReference(id: "delivery-handover", version: 1, digest: response.survey.digest)
        response.touchpoint = "delivery"
        response.stage = .own
        response.account = account
        return response
    }

    @Test("An account in its own field, or none, is accepted")
    func accepted() throws {
        let survey = try handover()
        #expect(ResponseValidator.problem(in: response(account: "ACME-42"), against: survey) == nil)
        #expect(ResponseValidator.problem(in: response(account: nil), against: survey) == nil)
    }

    @Test("The account question's answer among the answers is refused (it would read as a comment)")
    func accountAmongAnswers() throws {
        let answers = [Answer(question: "customer-number", type: .text, value: .text("ACME-42"))] + Self.answers
        let problem = ResponseValidator.problem(in: response(answers: answers, account: nil), against: try handover())
        #expect(problem == "answers[0] (question \"customer-number\"): the answer to an account question belongs in field account, not among the answers")
    }

    @Test("An account that is empty, too long or holds control characters is refused, naming the field")
    func badAccount() throws {
        let survey = try handover()
        for bad in ["", String(repeating: "a", count: Question.maximumAccountLength + 1), "ACME\u{1B}[2J"] {
            let problem = ResponseValidator.problem(in: response(account: bad), against: survey)
            #expect(problem?.hasPrefix("field account: ") == true, "\(bad.debugDescription): \(problem ?? "nil")")
        }
    }
}
