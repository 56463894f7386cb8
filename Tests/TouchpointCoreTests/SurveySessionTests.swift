import Foundation
import Testing
@testable import TouchpointCore

/// recommend (nps) → improve (text, optional, when ≤ 6) → loved (text, optional, when ≥ 9) → effort (ces 5)
/// → purpose (choice) → follow-up (yesno, when purpose in [offer, other]) → comment (text, optional).
private let visitYAML = """
    id: visit
    version: 3
    title: {en: Visit, sv: Besök}
    touchpoint: retail
    stage: shop
    languages: [sv, en]
    abandoned: partial
    questions:
      - id: recommend
        type: nps
        text: {en: Recommend?, sv: Rekommendera?}
      - id: improve
        type: text
        optional: true
        when: {question: recommend, max: 6}
        text: {en: Improve?, sv: Förbättra?}
      - id: loved
        type: text
        optional: true
        when: {question: recommend, min: 9}
        text: {en: Loved?, sv: Uppskattade?}
      - id: effort
        type: ces
        scale: 5
        text: {en: Easy?, sv: Enkelt?}
      - id: purpose
        type: choice
        text: {en: Why?, sv: Varför?}
        options:
          - id: browse
            label: {en: Just looking, sv: Bara titta}
          - id: offer
            label: {en: An offer, sv: En offert}
          - id: other
            label: {en: Something else, sv: Något annat}
      - id: follow-up
        type: yesno
        when: {question: purpose, in: [offer, other]}
        text: {en: Call you?, sv: Ringa dig?}
      - id: comment
        type: text
        optional: true
        text: {en: Anything else?, sv: Något mer?}

    """

/// Two English-only questions: a 10 on `score` shows `ten`, a "no" on `happy` shows `why-not`.
private let equalsYAML = """
    id: equals
    version: 1
    title: {en: Equals}
    touchpoint: service
    stage: own
    languages: [en]
    minimumSeconds: 6
    questions:
      - id: score
        type: nps
        text: {en: Score?}
      - id: ten
        type: text
        optional: true
        when: {question: score, equals: 10}
        text: {en: Why ten?}
      - id: happy
        type: yesno
        text: {en: Happy?}
      - id: why-not
        type: text
        when: {question: happy, equals: false}
        text: {en: Why not?}

    """

private func visit() throws -> Survey { try parsedSurvey(visitYAML) }
private func equalsSurvey() throws -> Survey { try parsedSurvey(equalsYAML) }

@Suite("SurveySession")
struct SurveySessionTests {
    // MARK: Language

    @Test("A survey in several languages asks for one first when none is given", arguments: [nil, "de"] as [String?])
    func asksLanguage(given: String?) throws {
        let session = makeSession(try visit(), language: given)
        #expect(session.start() == .ask(.language(["sv", "en"])))
        #expect(session.language == nil)
    }

    @Test("A language is picked by number, code or name", arguments: [
        ("1", "sv"), ("2", "en"), ("sv", "sv"), ("EN", "en"), ("Svenska", "sv"), ("english", "en"), (" 2 ", "en"),
    ])
    func pickLanguage(input: String, expected: String) throws {
        var session = makeSession(try visit(), language: nil)
        let action = session.receive(input, at: t0)
        #expect(session.language == expected)
        let prompt = try #require(questionPrompt(action))
        #expect(prompt.language == expected)
        #expect(prompt.question.id == "recommend")
        #expect(prompt.number == 1)
    }

    @Test("An unknown language asks again", arguments: ["3", "0", "de", "Deutsch", "", "<"])
    func unknownLanguage(input: String) throws {
        var session = makeSession(try visit(), language: nil)
        #expect(session.receive(input, at: t0) == .reprompt(.language(["sv", "en"]), .unknownLanguage))
        #expect(session.language == nil)
    }

    @Test("A single-language survey starts with its first question")
    func singleLanguage() throws {
        let session = makeSession(try equalsSurvey(), language: nil)
        let prompt = try #require(questionPrompt(session.start()))
        #expect(prompt.language == "en")
        #expect(prompt.question.id == "score")
        #expect(!prompt.canGoBack)
    }

    @Test("A given language the survey offers is used without asking")
    func givenLanguage() throws {
        let session = makeSession(try visit(), language: "sv")
        #expect(questionPrompt(session.start())?.language == "sv")
    }

    @Test("A given language code is read in any case", arguments: [("EN", "en"), ("Sv", "sv"), ("sV", "sv")])
    func givenLanguageAnyCase(given: String, expected: String) throws {
        let session = makeSession(try visit(), language: given)
        #expect(session.language == expected)
        #expect(questionPrompt(session.start())?.language == expected)
    }

    // MARK: Going back

    @Test("Back at the first question, language given: reprompt")
    func backAtFirstQuestion() throws {
        var session = makeSession(try visit(), language: "en")
        let first = session.start()
        #expect(questionPrompt(first)?.canGoBack == false)
        let action = session.receive("<", at: t0)
        #expect(repromptReason(action) == .atFirstQuestion)
        #expect(questionID(action) == "recommend")
        #expect(session.language == "en")
    }

    @Test("Back at the first question, language chosen in the session: back to the language choice")
    func backToLanguageChoice() throws {
        var session = makeSession(try visit(), language: nil)
        let first = session.receive("1", at: t0)
        #expect(questionPrompt(first)?.canGoBack == true)
        #expect(session.receive("<", at: t0) == .ask(.language(["sv", "en"])))
        #expect(session.language == nil)
        #expect(questionPrompt(session.receive("2", at: t0))?.language == "en")
    }

    @Test("Back shows the previous question with the answer given before")
    func backRestoresPrevious() throws {
        var session = makeSession(try visit())
        #expect(questionID(session.receive("8", at: t0)) == "effort")
        let back = try #require(questionPrompt(session.receive("<", at: t0)))
        #expect(back.question.id == "recommend")
        #expect(back.previous == .number(8))
        #expect(back.number == 1)
        #expect(!back.canGoBack)
        // A question not yet answered has no previous answer.
        let forward = try #require(questionPrompt(session.receive("8", at: t0)))
        #expect(forward.question.id == "effort")
        #expect(forward.previous == nil)
    }

    // MARK: Skipping and required answers

    @Test("An empty line skips an optional question that has no answer yet")
    func skipOptional() throws {
        var session = makeSession(try visit())
        let improve = try #require(questionPrompt(session.receive("3", at: t0)))
        #expect(improve.question.id == "improve")
        #expect(improve.canSkip)
        #expect(improve.previous == nil)
        #expect(questionID(session.receive("", at: t0)) == "effort")
        let done = try session.complete(["4", "1", ""])
        #expect(done.answers.map(\.question) == ["recommend", "effort", "purpose"])
    }

    @Test("Back at an answered question the line is the answer: empty skips an optional one, a required one asks again")
    func emptyAfterGoingBack() throws {
        var session = makeSession(try visit())
        session.receive(["3", "Parking", "<"])
        let recommend = try #require(questionPrompt(session.receive("<", at: t0)))
        #expect(recommend.question.id == "recommend")
        #expect(recommend.previous == .number(3))
        #expect(repromptReason(session.receive("", at: t0)) == .required)
        // What the kiosk pre-fills for the earlier answer keeps it.
        let typed = AnswerReader.typed(.number(3), for: recommend.question, language: recommend.language)
        let improve = try #require(questionPrompt(session.receive(typed, at: t0)))
        #expect(improve.question.id == "improve")
        #expect(improve.previous == .text("Parking"))
        #expect(improve.canSkip)
        // Clearing the line takes the comment back.
        #expect(questionID(session.receive("", at: t0)) == "effort")
        let done = try session.complete(["4", "1", ""])
        #expect(done.answers.map(\.value) == [.number(3), .number(4), .option("browse")])
    }

    @Test("An empty line at a required question asks again", arguments: ["", "   ", "\u{1B}[A"])
    func requiredQuestion(input: String) throws {
        var session = makeSession(try visit())
        let action = session.receive(input, at: t0)
        #expect(repromptReason(action) == .required)
        #expect(questionID(action) == "recommend")
        #expect(questionPrompt(action)?.canSkip == false)
    }

    // MARK: Reading answers

    @Test("Scale answers that are not numbers or off the scale ask again")
    func scaleAnswers() throws {
        var session = makeSession(try visit())
        #expect(repromptReason(session.receive("abc", at: t0)) == .notANumber(0...10))
        #expect(repromptReason(session.receive("7.5", at: t0)) == .notANumber(0...10))
        #expect(repromptReason(session.receive("11", at: t0)) == .outOfRange(0...10))
        #expect(repromptReason(session.receive("-1", at: t0)) == .outOfRange(0...10))
        #expect(questionID(session.receive("0", at: t0)) == "improve")
        #expect(questionID(session.receive("", at: t0)) == "effort")
        #expect(repromptReason(session.receive("6", at: t0)) == .outOfRange(1...5))
        #expect(repromptReason(session.receive("0", at: t0)) == .outOfRange(1...5))
        #expect(questionID(session.receive("5", at: t0)) == "purpose")
    }

    @Test("Choices are read by number, id or label in the session's language", arguments: [
        ("en", "2", "offer"), ("en", "just looking", "browse"), ("en", "Something Else", "other"),
        ("sv", "Bara titta", "browse"), ("sv", "en offert", "offer"), ("sv", "other", "other"), ("sv", "3", "other"),
    ])
    func choice(language: String, input: String, expected: String) throws {
        let survey = try visit()
        let question = try #require(survey.question("purpose"))
        #expect(AnswerReader.read(input, for: question, language: language) == .value(.option(expected)))
    }

    @Test("A choice that is not an option asks again", arguments: ["0", "4", "An offer", "maybe"])
    func unknownChoice(input: String) throws {
        let question = try #require(try visit().question("purpose"))
        // "An offer" is the English label; in Swedish it is not an option.
        #expect(AnswerReader.read(input, for: question, language: "sv") == .invalid(.unknownOption(count: 3)))
    }

    @Test("Yes and no in Swedish and English", arguments: [
        ("j", true), ("ja", true), ("J", true), ("JA", true), ("y", true), ("yes", true), ("Yes", true),
        ("n", false), ("nej", false), ("NEJ", false), ("no", false), ("N", false),
    ])
    func yesNo(input: String, expected: Bool) throws {
        let question = Question(id: "q", kind: .yesno, text: LocalizedText(["en": "Q"]))
        for language in ["sv", "en"] {
            #expect(AnswerReader.read(input, for: question, language: language) == .value(.bool(expected)))
        }
    }

    @Test("Anything else is not yes or no", arguments: ["maybe", "jo", "nope", "1", "true"])
    func notYesNo(input: String) {
        let question = Question(id: "q", kind: .yesno, text: LocalizedText(["en": "Q"]))
        #expect(AnswerReader.read(input, for: question, language: "sv") == .invalid(.notYesNo))
    }

    @Test("A yes/no answer in the session is stored as a boolean")
    func yesNoInSession() throws {
        var session = makeSession(try equalsSurvey())
        session.receive(["5", "nej"])
        #expect(questionID(session.receive("<", at: t0)) == "happy")
        let done = try session.complete(["ja"])
        #expect(done.answers.last == Answer(question: "happy", type: .yesno, value: .bool(true)))
    }

    @Test("Text longer than the limit asks again; text at the limit is taken")
    func tooLong() throws {
        var session = makeSession(try visit(), maxAnswerLength: 10)
        session.receive(["3"])
        let long = session.receive(String(repeating: "x", count: 11), at: t0)
        #expect(repromptReason(long) == .tooLong(limit: 10))
        #expect(questionID(long) == "improve")
        #expect(questionID(session.receive("åäöåäöåäöå", at: t0)) == "effort")
        let done = try session.complete(["1", "1", ""])
        #expect(done.answers.first { $0.question == "improve" }?.value == .text("åäöåäöåäöå"))
    }

    @Test("A kiosk's maxAnswerLength above Question.maximumTextLength is capped at it: the collector would reject more")
    func tooLongForTheCollector() throws {
        var session = makeSession(try visit(), maxAnswerLength: 5000)
        session.receive(["3"])
        let long = session.receive(String(repeating: "x", count: Question.maximumTextLength + 1), at: t0)
        #expect(repromptReason(long) == .tooLong(limit: Question.maximumTextLength))
        #expect(questionID(session.receive(String(repeating: "x", count: Question.maximumTextLength), at: t0)) == "effort")
    }

    @Test("Typed answers are cleaned of escape sequences")
    func cleansInput() throws {
        var session = makeSession(try visit())
        session.receive(["2"])
        #expect(questionID(session.receive("\u{1B}[31mRude\tstaff\u{07}", at: t0)) == "effort")
        let done = try session.complete(["1", "1", ""])
        #expect(done.answers[1] == Answer(question: "improve", type: .text, value: .text("Rude staff")))
    }

    // MARK: Branching

    @Test("max and min conditions show the matching follow-up", arguments: [
        ("0", "improve"), ("6", "improve"), ("7", "effort"), ("8", "effort"), ("9", "loved"), ("10", "loved"),
    ])
    func rangeBranches(score: String, next: String) throws {
        var session = makeSession(try visit())
        #expect(questionID(session.receive(score, at: t0)) == next)
    }

    @Test("equals on a number and on yes/no")
    func equalsBranches() throws {
        var tens = makeSession(try equalsSurvey())
        #expect(questionID(tens.receive("10", at: t0)) == "ten")
        var nines = makeSession(try equalsSurvey())
        #expect(questionID(nines.receive("9", at: t0)) == "happy")
        #expect(questionID(nines.receive("n", at: t0)) == "why-not")
        var happy = makeSession(try equalsSurvey())
        #expect(try happy.complete(["9", "y"]).answers.count == 2)
    }

    @Test("in on a choice shows the follow-up only for the listed options", arguments: [
        ("1", false), ("2", true), ("3", true),
    ])
    func inBranch(option: String, shown: Bool) throws {
        var session = makeSession(try visit())
        session.receive(["8", "3"])
        let next = session.receive(option, at: t0)
        #expect(questionID(next) == (shown ? "follow-up" : "comment"))
    }

    @Test("Changing an answer drops the answer of a question it now hides")
    func changedAnswerDropsHidden() throws {
        var session = makeSession(try visit())
        session.receive(["3", "Parking", "4", "2", "y"])
        // Now at comment; go back to recommend: comment → follow-up → purpose → effort → improve → recommend.
        var back: SessionAction?
        for _ in 0..<5 { back = session.receive("<", at: t0) }
        #expect(questionID(try #require(back)) == "recommend")
        #expect(questionID(session.receive("10", at: t0)) == "loved")
        #expect(questionID(session.receive("", at: t0)) == "effort")
        let effort = try #require(questionPrompt(.ask(session.prompt)))
        #expect(effort.previous == .number(4))
        session.receive(["4", "1"])  // browse: follow-up is hidden now
        let done = try #require(completedDraft(session.receive("Nice", at: t0)))
        #expect(done.answers.map(\.question) == ["recommend", "effort", "purpose", "comment"])
        #expect(done.answers.map(\.value) == [.number(10), .number(4), .option("browse"), .text("Nice")])
    }

    // MARK: Progress

    @Test("Progress counts the questions asked and the most that may still be shown")
    func progress() throws {
        var session = makeSession(try visit())
        let first = try #require(questionPrompt(session.start()))
        // Nothing answered yet: six at most. Improve (≤ 6) and loved (≥ 9) hang on recommend and never
        // appear together; follow-up hangs on purpose.
        #expect((first.number, first.total) == (1, 6))
        // 5: improve is shown, loved never will be.
        let improve = try #require(questionPrompt(session.receive("5", at: t0)))
        #expect((improve.number, improve.total) == (2, 6))
        let effort = try #require(questionPrompt(session.receive("", at: t0)))
        #expect((effort.number, effort.total) == (3, 6))
        let purpose = try #require(questionPrompt(session.receive("3", at: t0)))
        #expect((purpose.number, purpose.total) == (4, 6))
        // An offer: follow-up is shown.
        let followUp = try #require(questionPrompt(session.receive("2", at: t0)))
        #expect(followUp.question.id == "follow-up")
        #expect((followUp.number, followUp.total) == (5, 6))
        let comment = try #require(questionPrompt(session.receive("y", at: t0)))
        #expect((comment.number, comment.total) == (6, 6))
    }

    @Test("Progress of a short branching survey, by hand", arguments: [
        // the answer to q1, then (number, total) at q1 and at each following question
        ("9", [(1, 3), (2, 2)]),        // q1 9: q2 (≤ 6) is hidden
        ("3", [(1, 3), (2, 3), (3, 3)]),  // q1 3: q2 is shown
        ("6", [(1, 3), (2, 3), (3, 3)]),
        ("7", [(1, 3), (2, 2)]),
    ])
    func progressByHand(score: String, expected: [(Int, Int)]) throws {
        let survey = try parsedSurvey("""
            id: short
            version: 1
            title: {en: Short}
            touchpoint: retail
            stage: shop
            languages: [en]
            questions:
              - id: q1
                type: nps
                text: {en: Recommend?}
              - id: q2
                type: text
                when: {question: q1, max: 6}
                text: {en: Why?}
              - id: q3
                type: csat
                text: {en: Satisfied?}

            """)
        var session = makeSession(survey)
        var seen: [(Int, Int)] = []
        var action = session.start()
        var inputs = [score, "Slow", "4"].makeIterator()
        while let prompt = questionPrompt(action) {
            seen.append((prompt.number, prompt.total))
            var input = inputs.next() ?? "4"
            if prompt.question.id == "q3" { input = "4" }
            action = session.receive(input, at: t0)
        }
        #expect(completedDraft(action) != nil)
        #expect(seen.map(\.0) == expected.map(\.0))
        #expect(seen.map(\.1) == expected.map(\.1))
    }

    @Test("A question behind a question that can no longer be shown is not counted")
    func progressThroughAChain() throws {
        // visited (yesno) → recommend → liked (yesno, when visited) → what (text, when liked)
        let survey = try parsedSurvey("""
            id: chain
            version: 1
            title: {en: Chain}
            touchpoint: retail
            stage: shop
            languages: [en]
            questions:
              - id: visited
                type: yesno
                text: {en: Visited before?}
              - id: recommend
                type: nps
                text: {en: Recommend?}
              - id: liked
                type: yesno
                when: {question: visited, equals: true}
                text: {en: Liked it then?}
              - id: what
                type: text
                when: {question: liked, equals: true}
                text: {en: What?}

            """)
        var first = makeSession(survey)
        #expect(questionPrompt(first.start()).map { ($0.number, $0.total) } ?? (0, 0) == (1, 4))
        // No visit: liked is hidden, so what (which looks at liked) cannot be shown either.
        let noVisit = try #require(questionPrompt(first.receive("n", at: t0)))
        #expect((noVisit.number, noVisit.total) == (2, 2))
        var second = makeSession(survey)
        let visited = try #require(questionPrompt(second.receive("y", at: t0)))
        #expect((visited.number, visited.total) == (2, 4))
        let liked = try #require(questionPrompt(second.receive("8", at: t0)))
        #expect((liked.question.id, liked.number, liked.total) == ("liked", 3, 4))
        #expect(completedDraft(second.receive("n", at: t0)) != nil)
    }

    @Test("Going back opens again what the answer had closed; answering never raises the total")
    func progressAfterGoingBack() throws {
        var session = makeSession(try visit())
        session.receive(["8", "3"])
        let comment = try #require(questionPrompt(session.receive("1", at: t0)))  // browse: no follow-up
        #expect((comment.question.id, comment.number, comment.total) == ("comment", 4, 4))
        // Back at purpose, its answer no longer counts: follow-up may be shown again.
        let purpose = try #require(questionPrompt(session.receive("<", at: t0)))
        #expect((purpose.question.id, purpose.number, purpose.total) == ("purpose", 3, 5))
        #expect(purpose.previous == .option("browse"))
        let effort = try #require(questionPrompt(session.receive("<", at: t0)))
        #expect((effort.number, effort.total) == (2, 5))
    }

    @Test("Along every way through the survey the total never grows and is never exceeded")
    func progressNeverGrows() throws {
        let survey = try visit()
        var ways = 0
        for score in ["0", "6", "7", "8", "9", "10"] {
            for comment in ["", "Words"] {
                for purpose in ["1", "2", "3"] {
                    for call in ["y", "n"] {
                        let answers = [
                            "recommend": score, "improve": comment, "loved": comment, "effort": "4",
                            "purpose": purpose, "follow-up": call, "comment": comment,
                        ]
                        var session = makeSession(survey)
                        var action = session.start()
                        var seen: [(Int, Int)] = []
                        while let prompt = questionPrompt(action) {
                            seen.append((prompt.number, prompt.total))
                            action = session.receive(answers[prompt.question.id] ?? "", at: t0)
                        }
                        let draft = try #require(completedDraft(action))
                        let totals = seen.map(\.1)
                        #expect(zip(totals, totals.dropFirst()).allSatisfy { $0 >= $1 }, "totals \(totals)")
                        #expect(seen.map(\.0) == Array(1...seen.count))
                        #expect(totals.allSatisfy { $0 >= seen.count })
                        #expect(totals.last == seen.count)
                        #expect(draft.answers.count <= seen.count)
                        ways += 1
                    }
                }
            }
        }
        #expect(ways == 72)
    }

    // MARK: Completion

    @Test("The completed draft records the session")
    func completedDraftFields() throws {
        let survey = try visit()
        var session = makeSession(survey, language: nil, touchpoint: "showroom-2", account: "acme")
        #expect(questionID(session.receive("1", at: t0.addingTimeInterval(1))) == "recommend")
        #expect(questionID(session.receive("9", at: t0.addingTimeInterval(2))) == "loved")
        #expect(questionID(session.receive("Kaffet", at: t0.addingTimeInterval(3))) == "effort")
        #expect(questionID(session.receive("2", at: t0.addingTimeInterval(4))) == "purpose")
        #expect(questionID(session.receive("Bara titta", at: t0.addingTimeInterval(5))) == "comment")
        let finish = t0.addingTimeInterval(6.5)
        let action = session.receive("", at: finish)
        let draft = try #require(completedDraft(action))
        #expect(draft.startedAt == t0)
        #expect(draft.completedAt == finish)
        #expect(draft.answers == [
            Answer(question: "recommend", type: .nps, value: .number(9)),
            Answer(question: "loved", type: .text, value: .text("Kaffet")),
            Answer(question: "effort", type: .ces, value: .number(2)),
            Answer(question: "purpose", type: .choice, value: .option("browse")),
        ])
        #expect(draft.status == .complete)
        #expect(!draft.suspect)
        #expect(draft.language == "sv")
        #expect(draft.survey == session.reference)
        #expect(draft.survey.version == 3)
        #expect(draft.site == "sto-1")
        #expect(draft.kiosk == "kiosk-7")
        #expect(draft.touchpoint == "showroom-2")
        #expect(draft.stage == .shop)
        #expect(draft.mode == .attended)
        #expect(draft.account == "acme")
        #expect(draft.appVersion == "1.2.3")
    }

    @Test("Without an override the survey's touchpoint is recorded")
    func surveyTouchpoint() throws {
        var session = makeSession(try equalsSurvey())
        let draft = try session.complete(["9", "y"])
        #expect(draft.touchpoint == "service")
        #expect(draft.stage == .own)
        #expect(draft.account == nil)
    }

    @Test("After completion every input and the timeout return the same outcome")
    func afterCompletion() throws {
        var session = makeSession(try equalsSurvey())
        let last = session.receive(["9", "y"])
        let done = try #require(last)
        #expect(completedDraft(done) != nil)
        #expect(session.outcome == done)
        #expect(session.receive("5", at: t0.addingTimeInterval(100)) == done)
        #expect(session.receive("<", at: t0.addingTimeInterval(101)) == done)
        #expect(session.timeout(at: t0.addingTimeInterval(300)) == done)
        #expect(session.start() == done)
    }

    // MARK: Timeout

    @Test("A timeout keeps the answers so far when the survey says abandoned: partial")
    func timeoutPartial() throws {
        var session = makeSession(try visit())
        session.receive(["3", "", "2"])
        let late = t0.addingTimeInterval(120)
        let action = session.timeout(at: late)
        guard case .abandoned(let kept) = action else {
            Issue.record("expected abandoned, got \(action)")
            return
        }
        let draft = try #require(kept)
        #expect(draft.status == .partial)
        #expect(draft.startedAt == t0)
        #expect(draft.completedAt == late)
        #expect(draft.answers == [
            Answer(question: "recommend", type: .nps, value: .number(3)),
            Answer(question: "effort", type: .ces, value: .number(2)),
        ])
        #expect(session.receive("1", at: late) == action)
    }

    @Test("A timeout drops the answers when the survey says abandoned: drop")
    func timeoutDrop() throws {
        var survey = try visit()
        survey.abandoned = .drop
        var session = makeSession(survey)
        session.receive(["3", "", "2"])
        #expect(session.timeout(at: t0.addingTimeInterval(120)) == .abandoned(nil))
        #expect(session.outcome == .abandoned(nil))
    }

    @Test("A timeout before any answer keeps nothing, even with abandoned: partial")
    func timeoutBeforeAnswers() throws {
        var choosing = makeSession(try visit(), language: nil)
        #expect(choosing.timeout(at: t0.addingTimeInterval(120)) == .abandoned(nil))
        var first = makeSession(try visit(), language: "sv")
        #expect(first.timeout(at: t0.addingTimeInterval(120)) == .abandoned(nil))
    }

    // MARK: Suspect responses

    /// Completes the equals survey (minimumSeconds: 6 unless removed) at `seconds` after the start.
    func finish(mode: KioskMode, surveyMinimum: Double?, settingsMinimum: Double?, after seconds: Double) throws -> ResponseDraft {
        var survey = try equalsSurvey()
        survey.minimumSeconds = surveyMinimum
        var session = makeSession(survey, mode: mode, minimumSeconds: settingsMinimum)
        #expect(questionID(session.receive("9", at: t0.addingTimeInterval(seconds / 2))) == "happy")
        let draft = try #require(completedDraft(session.receive("y", at: t0.addingTimeInterval(seconds))))
        #expect(draft.mode == mode)
        return draft
    }

    @Test("Suspect only in unattended mode and only when faster than the minimum", arguments: [
        // mode, survey minimum, settings minimum, seconds taken, suspect
        (KioskMode.unattended, 6.0, nil, 5.0, true),
        (.unattended, 6.0, nil, 5.999, true),
        (.unattended, 6.0, nil, 6.0, false),
        (.unattended, 6.0, nil, 30.0, false),
        (.attended, 6.0, nil, 1.0, false),
        (.attended, nil, 10.0, 1.0, false),
        (.unattended, nil, 10.0, 9.0, true),
        (.unattended, nil, 10.0, 11.0, false),
        (.unattended, 6.0, 10.0, 8.0, false),  // the survey's 6 s wins over the kiosk's 10 s
        (.unattended, 6.0, 2.0, 4.0, true),    // the survey's 6 s wins over the kiosk's 2 s
        (.unattended, nil, nil, 0.5, false),
    ] as [(KioskMode, Double?, Double?, Double, Bool)])
    func suspect(mode: KioskMode, surveyMinimum: Double?, settingsMinimum: Double?, seconds: Double, expected: Bool) throws {
        let draft = try finish(mode: mode, surveyMinimum: surveyMinimum, settingsMinimum: settingsMinimum, after: seconds)
        #expect(draft.suspect == expected)
    }
}
