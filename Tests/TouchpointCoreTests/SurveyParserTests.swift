import Foundation
import Testing
@testable import TouchpointCore

/// A survey file: seven header lines (`questions:` is line 7), then `questions`, so the first question is line 8.
private func survey(
    _ questions: String, title: String = "{en: Demo, sv: Demo}", stage: String = "shop", languages: String = "[sv, en]"
) -> String {
    """
    id: demo
    version: 1
    title: \(title)
    touchpoint: retail
    stage: \(stage)
    languages: \(languages)
    questions:
    \(questions)

    """
}

/// One valid NPS question on lines 8–10.
private let recommend = """
      - id: recommend
        type: nps
        text: {en: Recommend?, sv: Rekommendera?}
    """

@Suite("SurveyParser")
struct SurveyParserTests {
    // MARK: Valid definitions

    @Test("A valid survey is read into the model")
    func validSurvey() throws {
        let yaml = survey("""
        \(recommend)
          - id: improve
            type: text
            optional: true
            when: {question: recommend, max: 6}
            text: {en: Improve?, sv: Förbättra?}
          - id: effort
            type: ces
            scale: 5
            labels:
              low: {en: hard, sv: svårt}
            text: {en: Easy?, sv: Enkelt?}
          - id: purpose
            type: choice
            text: {en: Why?, sv: Varför?}
            options:
              - id: browse
                label: {en: Just looking, sv: Bara titta}
              - id: offer
                label: {en: An offer, sv: En offert}
          - id: follow-up
            type: yesno
            when: {question: purpose, in: [browse, offer]}
            text: {en: Call you?, sv: Ringa dig?}
          - id: on-time
            type: yesno
            when: {question: follow-up, equals: false}
            text: {en: On time?, sv: I tid?}
          - id: sat
            type: csat
            when: {question: recommend, equals: 10}
            text: {en: Satisfied?, sv: Nöjd?}
        """)
        let parsed = try parsedSurvey(yaml)
        #expect(parsed.id == "demo")
        #expect(parsed.version == 1)
        #expect(parsed.title.text(in: "sv") == "Demo")
        #expect(parsed.stage == .shop)
        #expect(parsed.languages == ["sv", "en"])
        #expect(parsed.abandoned == .drop)
        #expect(parsed.minimumSeconds == nil)
        #expect(parsed.questions.map(\.id) == ["recommend", "improve", "effort", "purpose", "follow-up", "on-time", "sat"])
        #expect(parsed.questions.map(\.type) == [.nps, .text, .ces, .choice, .yesno, .yesno, .csat])

        let improve = try #require(parsed.question("improve"))
        #expect(improve.optional)
        #expect(improve.condition == Condition(question: "recommend", test: .range(min: nil, max: 6)))
        #expect(improve.text.text(in: "sv") == "Förbättra?")

        let effort = try #require(parsed.question("effort"))
        #expect(effort.kind.scale == 1...5)
        #expect(effort.kind.labels?.low.text(in: "en") == "hard")
        #expect(effort.kind.labels?.high == ScaleLabels.standard(for: .ces).high)
        #expect(!effort.optional)

        let purpose = try #require(parsed.question("purpose"))
        #expect(purpose.kind == .choice(options: [
            ChoiceOption(id: "browse", label: LocalizedText(["en": "Just looking", "sv": "Bara titta"])),
            ChoiceOption(id: "offer", label: LocalizedText(["en": "An offer", "sv": "En offert"])),
        ]))
        #expect(parsed.question("follow-up")?.condition?.test == .oneOf([.option("browse"), .option("offer")]))
        #expect(parsed.question("on-time")?.condition?.test == .oneOf([.bool(false)]))
        #expect(parsed.question("sat")?.condition?.test == .oneOf([.number(10)]))
        #expect(parsed.question("recommend")?.kind.scale == 0...10)
    }

    @Test("abandoned and minimumSeconds are read")
    func abandonedAndMinimum() throws {
        let yaml = survey(recommend) + "abandoned: partial\nminimumSeconds: 4.5\n"
        let parsed = try parsedSurvey(yaml)
        #expect(parsed.abandoned == .partial)
        #expect(parsed.minimumSeconds == 4.5)
    }

    @Test("privacyNotice and singleKey are read, and are nil when absent")
    func privacyNoticeAndSingleKey() throws {
        let plain = try parsedSurvey(survey(recommend))
        #expect(plain.privacyNotice == nil)
        #expect(plain.singleKey == nil)
        let yaml = survey(recommend) + """
            privacyNotice:
              en: We keep your answers for a year.
              sv: Vi sparar dina svar i ett år.
            singleKey: true

            """
        let parsed = try parsedSurvey(yaml)
        #expect(parsed.privacyNotice == LocalizedText(["en": "We keep your answers for a year.", "sv": "Vi sparar dina svar i ett år."]))
        #expect(parsed.singleKey == true)
        #expect(try parsedSurvey(survey(recommend) + "singleKey: false\n").singleKey == false)
    }

    @Test("privacyNotice needs every language of the survey, and singleKey a boolean")
    func privacyNoticeAndSingleKeyProblems() {
        #expect(problemLines(survey(recommend) + "privacyNotice: {en: We keep your answers.}\n") == [
            "s.yaml:11:16: survey privacyNotice has no translation for 'sv'",
        ])
        #expect(problemLines(survey(recommend) + "privacyNotice: {en: Kept., sv: Sparas., de: Gespeichert.}\n") == [
            "s.yaml:11:41: survey privacyNotice has a translation 'de', which is not one of the survey's languages (sv, en)",
        ])
        #expect(problemLines(survey(recommend) + "privacyNotice: {en: Kept., sv: ''}\n") == [
            "s.yaml:11:32: survey privacyNotice in 'sv' is empty",
        ])
        #expect(problemLines(survey(recommend) + "privacyNotice: We keep your answers.\n") == [
            "s.yaml:11:16: survey privacyNotice must give a text per language, e.g. `en: …` and `sv: …`",
        ])
        #expect(problemLines(survey(recommend) + "singleKey: sometimes\n") == [
            "s.yaml:11:12: singleKey must be true or false, not 'sometimes'",
        ])
    }

    // MARK: Problems, with file:line:column

    @Test("YAML syntax error")
    func yamlSyntax() throws {
        let yaml = "id: demo\nversion: 1: 2\n"
        let lines = problemLines(yaml)
        try #require(lines.count == 1)
        #expect(lines[0].hasPrefix("s.yaml:2:11: YAML syntax:"))
    }

    @Test("Unknown top-level key")
    func unknownTopLevelKey() {
        let yaml = survey(recommend) + "colour: red\n"
        #expect(problemLines(yaml) == [
            "s.yaml:11:1: unknown key 'colour' in survey (expected one of: id, version, title, touchpoint, stage, languages, abandoned, minimumSeconds, questions, privacyNotice, singleKey)",
        ])
    }

    @Test("Missing required survey key")
    func missingSurveyKey() {
        let yaml = survey(recommend).replacingOccurrences(of: "touchpoint: retail\n", with: "")
        #expect(problemLines(yaml) == ["s.yaml:1:1: survey is missing 'touchpoint'"])
    }

    @Test("Missing required question key is reported at the question")
    func missingQuestionKey() {
        let yaml = survey("""
              - id: recommend
                text: {en: Recommend?, sv: Rekommendera?}
            """)
        #expect(problemLines(yaml) == ["s.yaml:8:5: question 'recommend' is missing 'type'"])
    }

    @Test("Bad stage")
    func badStage() {
        #expect(problemLines(survey(recommend, stage: "buy")) == ["s.yaml:5:8: stage must be 'shop' or 'own', not 'buy'"])
    }

    @Test("Unsupported language")
    func unsupportedLanguage() {
        let yaml = survey("""
              - id: recommend
                type: nps
                text: {sv: Rekommendera?}
            """, title: "{sv: Demo}", languages: "[sv, de]")
        let lines = problemLines(yaml)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("s.yaml:6:17: language 'de' is not supported by the kiosk") == true)
    }

    @Test("Missing translation in a question text")
    func missingTranslation() {
        let yaml = survey("""
              - id: recommend
                type: nps
                text: {en: Recommend?}
            """)
        #expect(problemLines(yaml) == ["s.yaml:10:11: question 'recommend' text has no translation for 'sv'"])
    }

    @Test("Missing translation in a block mapping title")
    func missingTitleTranslation() {
        let yaml = survey(recommend, title: "\n  en: Demo")
        #expect(problemLines(yaml) == ["s.yaml:4:3: survey title has no translation for 'sv'"])
    }

    @Test("Unknown question type")
    func unknownType() {
        let yaml = survey("""
              - id: recommend
                type: rating
                text: {en: Recommend?, sv: Rekommendera?}
            """)
        #expect(problemLines(yaml) == ["s.yaml:9:11: unknown question type 'rating' (known: nps, ces, csat, text, choice, yesno)"])
    }

    @Test("Duplicate question id")
    func duplicateQuestionID() {
        let yaml = survey(recommend + "\n" + recommend)
        #expect(problemLines(yaml) == ["s.yaml:11:9: question id 'recommend' is used twice"])
    }

    @Test("A ces scale of 6")
    func cesScaleSix() {
        let yaml = survey("""
              - id: effort
                type: ces
                scale: 6
                text: {en: Easy?, sv: Enkelt?}
            """)
        #expect(problemLines(yaml) == ["s.yaml:10:12: question 'effort': a ces scale is 7 (default) or 5, not '6'"])
    }

    @Test("A csat scale of 7")
    func csatScaleSeven() {
        let yaml = survey("""
              - id: sat
                type: csat
                scale: 7
                text: {en: Satisfied?, sv: Nöjd?}
            """)
        #expect(problemLines(yaml) == ["s.yaml:10:12: question 'sat': a csat scale is always 1–5"])
    }

    @Test("An nps question with a scale")
    func npsWithScale() {
        let yaml = survey("""
              - id: recommend
                type: nps
                scale: 10
                text: {en: Recommend?, sv: Rekommendera?}
            """)
        #expect(problemLines(yaml) == ["s.yaml:10:12: question 'recommend': an nps question is always 0–10; remove 'scale'"])
    }

    @Test("A choice with one option")
    func choiceWithOneOption() {
        let yaml = survey("""
              - id: purpose
                type: choice
                text: {en: Why?, sv: Varför?}
                options:
                  - id: browse
                    label: {en: Just looking, sv: Bara titta}
            """)
        #expect(problemLines(yaml) == [
            "s.yaml:12:7: question 'purpose': options must be a list of at least two options, each with id and label",
        ])
    }

    @Test("A choice without options")
    func choiceWithoutOptions() {
        let yaml = survey("""
              - id: purpose
                type: choice
                text: {en: Why?, sv: Varför?}
            """)
        #expect(problemLines(yaml) == ["s.yaml:8:5: question 'purpose': a choice question needs 'options'"])
    }

    @Test("Duplicate option id")
    func duplicateOptionID() {
        let yaml = survey("""
              - id: purpose
                type: choice
                text: {en: Why?, sv: Varför?}
                options:
                  - id: browse
                    label: {en: Just looking, sv: Bara titta}
                  - id: browse
                    label: {en: Browsing, sv: Titta runt}
            """)
        #expect(problemLines(yaml) == ["s.yaml:14:13: question 'purpose': option id 'browse' is used twice"])
    }

    @Test("when referring to a later question")
    func whenLaterQuestion() {
        let yaml = survey("""
              - id: first
                type: yesno
                when: {question: second, equals: true}
                text: {en: First?, sv: Först?}
              - id: second
                type: yesno
                text: {en: Second?, sv: Andra?}
            """)
        #expect(problemLines(yaml) == [
            "s.yaml:10:22: question 'first': when refers to 'second', which is not an earlier question of this survey",
        ])
    }

    @Test("when referring to an unknown question")
    func whenUnknownQuestion() {
        let yaml = survey(recommend + "\n" + """
              - id: improve
                type: text
                when: {question: nowhere, max: 6}
                text: {en: Improve?, sv: Förbättra?}
            """)
        #expect(problemLines(yaml) == [
            "s.yaml:13:22: question 'improve': when refers to 'nowhere', which is not an earlier question of this survey",
        ])
    }

    @Test("when on a free-text question")
    func whenOnText() {
        let yaml = survey("""
              - id: comment
                type: text
                text: {en: Comment?, sv: Kommentar?}
              - id: follow-up
                type: yesno
                when: {question: comment, equals: hello}
                text: {en: Call you?, sv: Ringa dig?}
            """)
        #expect(problemLines(yaml) == ["s.yaml:13:22: question 'follow-up': cannot branch on 'comment', a free-text answer"])
    }

    @Test("when with a value off the scale")
    func whenOffScale() {
        let yaml = survey(recommend + "\n" + """
              - id: improve
                type: text
                when: {question: recommend, max: 11}
                text: {en: Improve?, sv: Förbättra?}
            """)
        #expect(problemLines(yaml) == ["s.yaml:13:38: question 'improve': '11' is not on the 0–10 scale of 'recommend'"])
    }

    @Test("when with an option the choice does not have")
    func whenUnknownOption() {
        let yaml = survey("""
              - id: purpose
                type: choice
                text: {en: Why?, sv: Varför?}
                options:
                  - id: browse
                    label: {en: Just looking, sv: Bara titta}
                  - id: offer
                    label: {en: An offer, sv: En offert}
              - id: follow-up
                type: yesno
                when: {question: purpose, equals: nope}
                text: {en: Call you?, sv: Ringa dig?}
            """)
        #expect(problemLines(yaml) == [
            "s.yaml:18:39: question 'follow-up': 'nope' is not an option of 'purpose' (options: browse, offer)",
        ])
    }

    @Test("Every problem in a file is reported, in file order")
    func severalProblems() {
        let yaml = survey("""
              - id: recommend
                type: rating
                text: {en: Recommend?, sv: Rekommendera?}
              - id: effort
                type: ces
                scale: 6
                text: {en: Easy?, sv: Enkelt?}
              - id: effort
                type: yesno
                text: {en: Easy?, sv: Enkelt?}
            """, stage: "buy") + "colour: red\n"
        let found = problems(yaml)
        #expect(found.map { "\($0.line):\($0.column)" } == ["5:8", "9:11", "13:12", "15:9", "18:1"])
        #expect(found.allSatisfy { $0.file == "s.yaml" })
        #expect(found.map(\.message).contains("unknown key 'colour' in survey (expected one of: id, version, title, touchpoint, stage, languages, abandoned, minimumSeconds, questions, privacyNotice, singleKey)"))
    }

    @Test("An empty file is a problem")
    func emptyFile() {
        let lines = problemLines("")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("s.yaml:1:1: the file is empty") == true)
    }

    @Test("YAMLFileError lists one problem per line")
    func errorDescription() {
        let error = YAMLFileError(problems: [
            SurveyProblem(file: "a.yaml", line: 3, column: 4, message: "first"),
            SurveyProblem(file: "a.yaml", line: 9, column: 1, message: "second"),
        ])
        #expect(error.description == "a.yaml:3:4: first\na.yaml:9:1: second")
    }

    // MARK: The bundled examples

    static let surveysDirectory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("surveys")

    @Test("The bundled example surveys parse without problems", arguments: [
        "delivery-handover", "retail-visit", "service-visit", "test-drive-booking",
    ])
    func bundledSurvey(name: String) throws {
        let url = Self.surveysDirectory.appendingPathComponent(name + ".yaml")
        let yaml = try String(contentsOf: url, encoding: .utf8)
        let parsed = try parsedSurvey(yaml, file: url.path)
        #expect(parsed.id == name)
        #expect(parsed.languages == ["sv", "en"])
        #expect(!parsed.questions.isEmpty)
    }

    @Test("The retail example's settings and branches")
    func retailExample() throws {
        let url = Self.surveysDirectory.appendingPathComponent("retail-visit.yaml")
        let parsed = try parsedSurvey(try String(contentsOf: url, encoding: .utf8))
        #expect(parsed.abandoned == .partial)
        #expect(parsed.minimumSeconds == 6)
        #expect(parsed.question("improve")?.condition == Condition(question: "recommend", test: .range(min: nil, max: 6)))
        #expect(parsed.question("loved")?.condition == Condition(question: "recommend", test: .range(min: 9, max: nil)))
    }
}
