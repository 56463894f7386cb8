import Foundation
import Testing
@testable import TouchpointCore

/// account (text, optional, `account: true`) → recommend (nps) → comment (text, optional).
private let accountYAML = """
    id: handover
    version: 1
    title: {en: Handover, sv: Leverans}
    touchpoint: delivery
    stage: own
    languages: [en, sv]
    questions:
      - id: customer-number
        type: text
        optional: true
        account: true
        text: {en: Your customer number?, sv: Ditt kundnummer?}
      - id: recommend
        type: nps
        text: {en: Recommend?, sv: Rekommendera?}
      - id: comment
        type: text
        optional: true
        text: {en: Anything else?, sv: Något mer?}

    """

@Suite("A question that asks for the account reference")
struct AccountQuestionTests {
    @Test("The answer becomes the response's account, never one of its answers")
    func answerBecomesAccount() throws {
        let survey = try parsedSurvey(accountYAML)
        #expect(survey.question("customer-number")?.asksForAccount == true)
        #expect(survey.question("comment")?.asksForAccount == false)
        var session = makeSession(survey)
        let draft = try session.complete(["  ACME-42 ", "9", "Great handover"])
        #expect(draft.account == "ACME-42")
        #expect(draft.answers.map(\.question) == ["recommend", "comment"])
        #expect(!draft.answers.contains { $0.value == .text("ACME-42") })
    }

    @Test("Skipping it keeps the response anonymous")
    func skippedStaysAnonymous() throws {
        var session = makeSession(try parsedSurvey(accountYAML))
        let draft = try session.complete(["", "3", ""])
        #expect(draft.account == nil)
        #expect(draft.answers.map(\.question) == ["recommend"])
    }

    @Test("When staff entered the account the customer is not asked, and staff's reference is kept")
    func staffAccountHidesTheQuestion() throws {
        var session = makeSession(try parsedSurvey(accountYAML), account: "VOLVO-7")
        #expect(questionID(session.start()) == "recommend")
        let draft = try session.complete(["10", ""])
        #expect(draft.account == "VOLVO-7")
    }

    @Test("Progress counts the account question only when the customer may be asked it")
    func progressWithAccount() throws {
        let asked = try #require(questionPrompt(makeSession(try parsedSurvey(accountYAML)).start()))
        #expect((asked.question.id, asked.number, asked.total) == ("customer-number", 1, 3))
        let staff = try #require(questionPrompt(makeSession(try parsedSurvey(accountYAML), account: "VOLVO-7").start()))
        #expect((staff.question.id, staff.number, staff.total) == ("recommend", 1, 2))
    }

    @Test("A reference longer than the limit asks again")
    func tooLong() throws {
        var session = makeSession(try parsedSurvey(accountYAML))
        let long = String(repeating: "x", count: Question.maximumAccountLength + 1)
        let action = session.receive(long, at: t0.addingTimeInterval(1))
        #expect(repromptReason(action) == .tooLong(limit: Question.maximumAccountLength))
        #expect(questionID(session.receive(String(long.dropLast()), at: t0.addingTimeInterval(2))) == "recommend")
    }

    @Test("A reference is normalised by the kiosk's rule: trimmed, single spaces, uppercase")
    func normalised() throws {
        var session = makeSession(try parsedSurvey(accountYAML))
        let draft = try session.complete(["  acme \t 42 ", "9", ""])
        #expect(draft.account == "ACME 42")
    }

    @Test("A reference of the wrong form asks again, with the rule's example")
    func wrongForm() throws {
        let rule = try AccountRule(pattern: "^ACC-[0-9]{4}$", example: "ACC-1234")
        var session = makeSession(try parsedSurvey(accountYAML), accountRule: rule)
        for wrong in ["hello", "ACC-123", "ACC-12345", "x ACC-1234"] {
            let action = session.receive(wrong, at: t0.addingTimeInterval(1))
            #expect(repromptReason(action) == .accountFormat(example: "ACC-1234"), "\(wrong)")
            #expect(questionID(action) == "customer-number")
        }
        let long = session.receive("ACC-" + String(repeating: "1", count: 61), at: t0.addingTimeInterval(2))
        #expect(repromptReason(long) == .tooLong(limit: Question.maximumAccountLength))
        let draft = try session.complete([" acc-1234 ", "9", ""])
        #expect(draft.account == "ACC-1234")
    }

    @Test("Without an example the reprompt has none")
    func wrongFormWithoutExample() throws {
        let rule = try AccountRule(pattern: "[0-9]+")
        var session = makeSession(try parsedSurvey(accountYAML), accountRule: rule)
        #expect(repromptReason(session.receive("12a", at: t0)) == .accountFormat(example: nil))
        #expect(questionID(session.receive("120", at: t0)) == "recommend")
    }

    @Test("An empty answer still skips an optional account question, and is refused at a required one")
    func emptyWithRule() throws {
        let rule = try AccountRule(pattern: "^ACC-[0-9]{4}$", example: "ACC-1234")
        var optional = makeSession(try parsedSurvey(accountYAML), accountRule: rule)
        #expect(try optional.complete(["  ", "9", ""]).account == nil)
        let required = accountYAML.replacingOccurrences(of: "    optional: true\n    account: true", with: "    account: true")
        var session = makeSession(try parsedSurvey(required), accountRule: rule)
        #expect(repromptReason(session.receive("", at: t0)) == .required)
        #expect(repromptReason(session.receive("\u{1B}[A", at: t0)) == .required)
    }

    @Test("Staff's reference is taken as given, not checked against the rule")
    func staffReferenceAsGiven() throws {
        let rule = try AccountRule(pattern: "^ACC-[0-9]{4}$", example: "ACC-1234")
        var session = makeSession(try parsedSurvey(accountYAML), account: "volvo-7", accountRule: rule)
        #expect(try session.complete(["10", ""]).account == "volvo-7")
    }

    @Test("A survey without account questions keeps its encoding (and so its digest)")
    func encodingUnchangedWithoutTheFlag() throws {
        let plain = Question(id: "c", kind: .text, text: LocalizedText(["en": "C?"]))
        let flagged = Question(id: "c", kind: .text, text: LocalizedText(["en": "C?"]), asksForAccount: true)
        let plainJSON = String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)
        let flaggedJSON = String(decoding: try JSONEncoder().encode(flagged), as: UTF8.self)
        #expect(!plainJSON.contains("account"))
        #expect(flaggedJSON.contains("\"account\":true"))
        #expect(try JSONDecoder().decode(Question.self, from: Data(flaggedJSON.utf8)).asksForAccount)
    }

    @Test("Only one text question may ask for the account, reported at file:line:column")
    func validation() {
        let onScale = accountYAML.replacingOccurrences(
            of: "    type: nps\n", with: "    type: nps\n    account: true\n")
        #expect(problemLines(onScale) == [
            "s.yaml:15:14: question 'recommend': only a text question can ask for the account reference",
        ])
        let twice = accountYAML.replacingOccurrences(
            of: "    optional: true\n    text: {en: Anything else?",
            with: "    optional: true\n    account: true\n    text: {en: Anything else?")
        #expect(problemLines(twice) == [
            "s.yaml:19:14: question 'comment': question 'customer-number' already asks for the account reference",
        ])
        let notBool = accountYAML.replacingOccurrences(of: "account: true", with: "account: maybe")
        #expect(problemLines(notBool) == ["s.yaml:11:14: account must be true or false"])
    }
}
