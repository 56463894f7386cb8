import Testing
@testable import TouchpointKiosk

@Suite struct StaffCommandTests {
    @Test func parsesCommands() throws {
        #expect(StaffCommand.parse("") == nil)
        #expect(StaffCommand.parse("  help ") == .success(.help))
        #expect(StaffCommand.parse("start retail-visit") == .success(.start(survey: "retail-visit", language: nil, account: nil)))
        #expect(StaffCommand.parse("start retail-visit sv @ACME") == .success(.start(survey: "retail-visit", language: "sv", account: "ACME")))
        #expect(StaffCommand.parse("kiosk service-visit en") == .success(.unattended(survey: "service-visit", language: "en")))
        #expect(StaffCommand.parse("stats") == .success(.stats(today: true)))
        #expect(StaffCommand.parse("stats all") == .success(.stats(today: false)))
        #expect(StaffCommand.parse("QUIT") == .success(.quit))
        #expect(StaffCommand.parse("exit") == .success(.quit))
        // Language codes in any case; the account runs to the end of the line.
        #expect(StaffCommand.parse("start retail-visit EN") == .success(.start(survey: "retail-visit", language: "en", account: nil)))
        #expect(StaffCommand.parse("start retail-visit @ACME 42") == .success(.start(survey: "retail-visit", language: nil, account: "ACME 42")))
        #expect(StaffCommand.parse("start retail-visit Sv @acme 42 ") == .success(.start(survey: "retail-visit", language: "sv", account: "acme 42")))
    }

    @Test func explainsWhatIsWrong() {
        #expect(StaffCommand.parse("frobnicate") == .failure(StaffCommandError("unknown command 'frobnicate'; type help")))
        #expect(StaffCommand.parse("start a b c") == .failure(StaffCommandError("unexpected 'c'; usage: start SURVEY [LANG] [@ACCOUNT]")))
        #expect(StaffCommand.parse("kiosk s @acct") == .failure(StaffCommandError("an account belongs to one customer: use start SURVEY @ACCOUNT")))
        #expect(StaffCommand.parse("start retail-visit @") == .failure(StaffCommandError("type the account reference right after @, as in @ACME-42")))
        #expect(StaffCommand.parse("start @ACME") == .failure(StaffCommandError("usage: start SURVEY [LANG] [@ACCOUNT]")))
    }

    @Test func completesCommandsSurveysAndLanguages() {
        let surveys = ["retail-visit", "service-visit"]
        #expect(StaffCommand.completions(after: [], surveys: surveys, languages: ["sv", "en"]) == StaffCommand.words)
        #expect(StaffCommand.completions(after: ["start"], surveys: surveys, languages: ["sv", "en"]) == surveys)
        #expect(StaffCommand.completions(after: ["kiosk"], surveys: surveys, languages: ["sv", "en"]) == surveys)
        #expect(StaffCommand.completions(after: ["start", "retail-visit"], surveys: surveys, languages: ["sv", "en"]) == ["sv", "en"])
        #expect(StaffCommand.completions(after: ["status"], surveys: surveys, languages: ["sv", "en"]).isEmpty)
    }
}
