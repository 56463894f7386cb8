import Testing
@testable import TouchpointCore

@Suite("Phrasebook")
struct PhrasebookTests {
    @Test("Languages are named in their own language")
    func names() {
        #expect(Phrasebook.name(of: "sv") == "Svenska")
        #expect(Phrasebook.name(of: "en") == "English")
        #expect(Phrasebook.name(of: "fi") == "fi")
    }

    @Test("An unsupported language falls back to English")
    func fallback() {
        #expect(Phrasebook("de").language == "en")
        #expect(Phrasebook("sv").language == "sv")
        #expect(Phrasebook("de").thankYou == Phrasebook("en").thankYou)
    }

    @Test("The language question is asked once per distinct phrasing")
    func chooseLanguage() {
        #expect(Phrasebook.chooseLanguage(["sv", "en"]) == "Välj språk / Choose language")
        #expect(Phrasebook.chooseLanguage(["en", "de"]) == "Choose language")
    }

    @Test("Progress, yes/no and hints per language")
    func texts() {
        #expect(Phrasebook("sv").progress(2, of: 5) == "Fråga 2 av 5")
        #expect(Phrasebook("en").progress(2, of: 5) == "Question 2 of 5")
        #expect(Phrasebook("sv").yesNo(true) == "ja")
        #expect(Phrasebook("en").yesNo(false) == "no")
        #expect(Phrasebook("en").navigationHint(canGoBack: false, canSkip: false) == nil)
        #expect(Phrasebook("en").navigationHint(canGoBack: true, canSkip: true) == "(<  = previous question · Enter with no answer = skip)")
        #expect(Phrasebook("sv").scaleHint(0...10, low: "inte alls", high: "mycket") == "Svara med en siffra från 0 (inte alls) till 10 (mycket).")
    }

    @Test("The earlier answer says that Enter keeps it")
    func previousAnswer() {
        #expect(Phrasebook("en").previousAnswer("7") == "Your earlier answer: 7 – press Enter to keep it, or change it.")
        #expect(Phrasebook("sv").previousAnswer("ja") == "Ditt tidigare svar: ja – tryck Enter för att behålla det eller skriv ett nytt.")
    }

    @Test("Single-key hints say press, the others answer; the old members are the typed ones")
    func singleKeyHints() {
        let en = Phrasebook("en")
        let sv = Phrasebook("sv")
        #expect(en.scaleHint(1...5, low: "bad", high: "good", singleKey: true) == "Press a number from 1 (bad) to 5 (good).")
        #expect(en.scaleHint(1...5, low: "bad", high: "good", singleKey: false) == "Answer with a number from 1 (bad) to 5 (good).")
        #expect(sv.scaleHint(1...7, low: "svårt", high: "lätt", singleKey: true) == "Tryck på en siffra från 1 (svårt) till 7 (lätt).")
        #expect(en.choiceHint(singleKey: true) == "Press the number of your choice.")
        #expect(sv.choiceHint(singleKey: true) == "Tryck på numret för ditt val.")
        #expect(sv.choiceHint(singleKey: false) == "Svara med numret för ditt val.")
        #expect(en.yesNoHint(singleKey: true) == "Press y (yes) or n (no).")
        #expect(sv.yesNoHint(singleKey: true) == "Tryck på j (ja) eller n (nej).")
        for phrases in [en, sv] {
            #expect(phrases.scaleHint(0...10, low: "a", high: "b") == phrases.scaleHint(0...10, low: "a", high: "b", singleKey: false))
            #expect(phrases.choiceHint == phrases.choiceHint(singleKey: false))
            #expect(phrases.yesNoHint == phrases.yesNoHint(singleKey: false))
            #expect(phrases.choiceHint(singleKey: true) != phrases.choiceHint)
            #expect(phrases.yesNoHint(singleKey: true) != phrases.yesNoHint)
        }
    }

    @Test("The account hint shows the example in parentheses, and none without one")
    func accountHint() {
        #expect(Phrasebook("en").accountHint(example: "ACC-1234") == "Type your customer number (for example ACC-1234) and press Enter.")
        #expect(Phrasebook("sv").accountHint(example: "ACC-1234") == "Skriv ditt kundnummer (till exempel ACC-1234) och tryck Enter.")
        #expect(Phrasebook("en").accountHint(example: nil) == "Type your customer number and press Enter.")
        #expect(Phrasebook("sv").accountHint(example: nil) == "Skriv ditt kundnummer och tryck Enter.")
    }

    @Test("Timed out and not saved, in both languages")
    func endings() {
        #expect(Phrasebook("en").sessionTimedOut == "This survey was closed because nothing was typed for a while.")
        #expect(Phrasebook("sv").sessionTimedOut == "Enkäten stängdes eftersom inget skrevs på en stund.")
        #expect(Phrasebook("en").notSaved == "Sorry – your answers could not be saved. Please ask the staff for help.")
        #expect(Phrasebook("sv").notSaved == "Tyvärr kunde dina svar inte sparas. Be personalen om hjälp.")
        #expect(Phrasebook("de").notSaved == Phrasebook("en").notSaved)
    }

    @Test("Dashes are spaced en dashes, never hyphens or em dashes")
    func dashes() {
        for language in Phrasebook.languages {
            let phrases = Phrasebook(language)
            var texts = [
                phrases.previousAnswer("x"), phrases.notSaved, phrases.sessionTimedOut, phrases.accountHint(example: "A-1"),
                phrases.scaleHint(1...5, low: "a", high: "b"), phrases.choiceHint, phrases.yesNoHint, phrases.textHint,
                phrases.thankYou, phrases.pressEnterToStart,
            ]
            texts += [
                RepromptReason.notANumber(1...5), .outOfRange(0...10), .unknownOption(count: 3), .notYesNo, .required,
                .tooLong(limit: 500), .atFirstQuestion, .unknownLanguage, .accountFormat(example: "A-1"),
                .accountFormat(example: nil),
            ].map(phrases.reprompt)
            for text in texts {
                #expect(!text.contains(" - ") && !text.contains("—"), "\(language): \(text)")
                #expect(!text.contains("–") || text.contains(" – ") || text.contains("(1–"), "\(language): \(text)")
            }
        }
    }

    @Test("Every reprompt reason has a text in both languages, and they differ", arguments: [
        RepromptReason.notANumber(1...5), .outOfRange(0...10), .unknownOption(count: 3), .notYesNo, .required,
        .tooLong(limit: 500), .atFirstQuestion, .unknownLanguage, .accountFormat(example: "ACC-1234"),
        .accountFormat(example: nil),
    ])
    func reprompts(reason: RepromptReason) {
        let sv = Phrasebook("sv").reprompt(reason)
        let en = Phrasebook("en").reprompt(reason)
        #expect(!sv.isEmpty)
        #expect(!en.isEmpty)
        #expect(sv != en)
    }

    @Test("A reference of the wrong form is met with the example, when there is one")
    func accountFormat() {
        #expect(Phrasebook("en").reprompt(.accountFormat(example: "ACC-1234"))
                == "That does not look like a customer number – type it like ACC-1234, please.")
        #expect(Phrasebook("sv").reprompt(.accountFormat(example: "ACC-1234"))
                == "Det ser inte ut som ett kundnummer – skriv det på formen ACC-1234, tack.")
        #expect(Phrasebook("en").reprompt(.accountFormat(example: nil))
                == "That does not look like a customer number – please check it and type it again.")
        #expect(Phrasebook("sv").reprompt(.accountFormat(example: nil))
                == "Det ser inte ut som ett kundnummer – kontrollera det och skriv det igen, tack.")
    }

    @Test("Reprompts name the scale and the limit")
    func repromptDetails() {
        #expect(Phrasebook("en").reprompt(.outOfRange(1...7)).contains("from 1 to 7"))
        #expect(Phrasebook("sv").reprompt(.tooLong(limit: 80)).contains("högst 80 tecken"))
        #expect(Phrasebook("en").reprompt(.unknownOption(count: 4)).contains("(1–4)"))
    }
}
