import Foundation
import Testing
import TouchpointCore
import TouchpointStore
import TouchpointSync
@testable import TouchpointKiosk
import TouchpointTesting

@Suite struct KioskTests {
    @Test func attendedSessionStoresSignedResponseAndThanks() throws {
        let console = MemoryConsole(script: [
            .line("start feedback en"), .line("eleven"), .line("4"), .line("Too slow \u{1B}[31mreally"), .line("5"), .line("quit"),
        ])
        let store = InMemoryResponseStore()
        let kiosk = Fixtures.kiosk(console: console, store: store)
        #expect(kiosk.run() == 0)
        let stored = try #require(store.responses.first)
        #expect(store.responses.count == 1)
        let response = stored.response
        #expect(response.site == "showroom-1")
        #expect(response.kiosk == "k-7")
        #expect(response.language == "en")
        #expect(response.sequence == 1)
        #expect(response.answer("recommend") == .number(4))
        #expect(response.answer("improve") == .text("Too slow really"))
        #expect(response.answer("satisfied") == .number(5))
        #expect(response.survey.digest.hasPrefix("sha256:"))
        #expect(try stored.envelope.verify(with: store.key.publicJWK) == (try response.canonicalJSON()))
        #expect(console.output.contains("→ Please type a number from 0 to 10."))
        #expect(console.output.contains("Thank you for your answers!"))
    }

    @Test func customerAnswersAreNeverReadAsStaffInput() {
        let console = MemoryConsole(script: [.line("start feedback sv"), .line("9"), .line("3"), .line("quit")])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store).run()
        let kinds = console.reads.map(\.kind)
        #expect(kinds == [.staff, .customer, .customer, .staff])
        #expect(console.reads[1].timeout == 120)
        #expect(console.output.contains("Tack för dina svar!"))
    }

    @Test func languageIsChosenWhenNotGiven() throws {
        let console = MemoryConsole(script: [.line("start feedback"), .line("1"), .line("10"), .line("4"), .line("quit")])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store).run()
        #expect(console.output.contains("Välj språk / Choose language"))
        #expect(try #require(store.responses.first).response.language == "sv")
    }

    @Test func idleTimeoutKeepsPartialResponseWhenSurveySaysSo() throws {
        let console = MemoryConsole(script: [.line("start feedback en"), .line("8"), .timedOut, .line("status"), .line("quit")])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store).run()
        let response = try #require(store.responses.first).response
        #expect(response.status == .partial)
        #expect(response.answers.map(\.question) == ["recommend"])
        #expect(console.output.contains(Phrasebook("en").sessionTimedOut))
        #expect(console.output.contains("1 stored, 1 abandoned"))
    }

    @Test func idleTimeoutDropsAnswersWhenSurveySaysDrop() {
        let console = MemoryConsole(script: [.line("start quick"), .timedOut, .line("quit")])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store).run()
        #expect(store.responses.isEmpty)
    }

    @Test func ctrlCInAttendedModeCancelsWithoutStoring() {
        let console = MemoryConsole(script: [.line("start feedback en"), .line("9"), .interrupt, .line("quit")])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store).run()
        #expect(store.responses.isEmpty)
        #expect(console.output.contains("session cancelled"))
    }

    @Test func unattendedModeNeedsThePINToLeave() throws {
        let console = MemoryConsole(script: [
            .line("kiosk quick"),
            .line("2468"), .line("2468"),        // staff sets a PIN for this run
            .line(""), .line("6"),                // a customer answers
            .interrupt, .line("1111"),            // Ctrl-C at the start screen, wrong PIN
            .endOfInput, .line(""),               // Ctrl-D, no PIN: stays
            .line(""), .interrupt, .line(""),     // Ctrl-C in a session, no PIN: back to the question
            .line("7"),
            .interrupt, .line("2468"),            // right PIN
            .line("quit"),
        ])
        let store = InMemoryResponseStore()
        let kiosk = Fixtures.kiosk(console: console, store: store)
        #expect(kiosk.run() == 0)
        #expect(store.responses.map { $0.response.answer("effort") } == [.number(6), .number(7)])
        #expect(store.responses.allSatisfy { $0.response.mode == .unattended })
        #expect(console.output.contains("Wrong PIN."))
        #expect(console.reads.filter { $0.kind == .secret }.count == 6)
        #expect(console.clears >= 2)
        // After the right PIN the kiosk is back in staff mode.
        #expect(console.reads.last?.kind == .staff)
    }

    @Test func configuredPINIsUsedWithoutAsking() {
        let hash = PINHash.make(pin: "9999", iterations: 1000).encoded
        let console = MemoryConsole(script: [.line("kiosk quick"), .interrupt, .line("9999"), .line("quit")])
        let store = InMemoryResponseStore()
        let kiosk = Fixtures.kiosk(console: console, store: store) { $0.staffPINHash = hash }
        #expect(kiosk.run() == 0)
        #expect(!console.output.contains("New staff PIN"))
        #expect(console.reads.filter { $0.kind == .secret }.count == 1)
    }

    @Test func fastUnattendedResponsesAreMarkedSuspect() throws {
        let clock = ManualClock()
        let console = ClockedConsole(clock: clock, steps: [
            (0, .line("kiosk quick")), (0, .line("1234")), (0, .line("1234")),
            (0, .line("")), (2, .line("7")),          // 2 s: faster than the survey's 10 s
            (0, .line("")), (30, .line("6")),         // 30 s: fine
            (0, .interrupt), (0, .line("1234")), (0, .line("quit")),
        ])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console.console, store: store, clock: clock).run()
        #expect(store.responses.map(\.response.suspect) == [true, false])
    }

    @Test func invalidSurveyRefusesToStartAndSaysWhy() {
        let console = MemoryConsole(script: [.line("start broken"), .line("start nope"), .line("quit")])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store).run()
        #expect(console.output.contains("Survey 'broken' does not validate"))
        #expect(console.output.contains("surveys/broken.yaml:9:11: unknown question type 'stars'"))
        #expect(console.output.contains("Unknown survey 'nope'"))
        #expect(store.responses.isEmpty)
    }

    @Test func statsShowScoresOfBufferedResponses() throws {
        let clock = ManualClock()
        let console = MemoryConsole(script: [
            .line("start feedback en"), .line("10"), .line("5"),
            .line("start feedback en"), .line("3"), .line(""), .line("2"),
            .line("stats"), .line("quit"),
        ])
        let store = InMemoryResponseStore()
        let kiosk = Fixtures.kiosk(console: console, store: store, clock: clock, buffered: {
            store.responses.map(\.response)
        })
        _ = kiosk.run()
        #expect(store.responses.count == 2)
        // One promoter, one detractor: NPS 0; CSAT: one of two is 4–5 → 50%.
        let row = try #require(console.output.split(separator: "\n").first { $0.hasPrefix("feedback") })
        #expect(row.split(separator: " ") == ["feedback", "2", "+0", "–", "50%", "0"])
    }

    @Test func unknownCommandsAndUsageErrorsAreExplained() {
        let console = MemoryConsole(script: [.line("launch"), .line("start"), .line("stats weekly"), .line("quit")])
        _ = Fixtures.kiosk(console: console, store: InMemoryResponseStore()).run()
        #expect(console.output.contains("unknown command 'launch'; type help"))
        #expect(console.output.contains("usage: start SURVEY [LANG] [@ACCOUNT]"))
        #expect(console.output.contains("usage: stats [today|all]"))
    }

    @Test func staffPromptShowsSiteAndKiosk() {
        let console = MemoryConsole(script: [])
        _ = Fixtures.kiosk(console: console, store: InMemoryResponseStore()).run()
        #expect(console.reads.first?.prompt == "touchpoint [showroom-1/k-7]> ")
    }

    @Test func accountReferenceIsRecorded() throws {
        let console = MemoryConsole(script: [.line("start quick @ACME-42"), .line("5"), .line("quit")])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store).run()
        #expect(try #require(store.responses.first).response.account == "ACME-42")
    }
}

/// A memory console that moves a clock before handing out each input.
final class ClockedConsole {
    let console: MemoryConsole

    init(clock: ManualClock, steps: [(Double, ConsoleInput)]) {
        console = MemoryConsole(script: steps.map(\.1))
        console.beforeRead = { index in
            if index < steps.count { clock.advance(steps[index].0) }
        }
    }
}

@Suite struct KioskEndOfInputTests {
    @Test func ctrlDInAttendedCustomerModeCancelsButDoesNotQuit() {
        let console = MemoryConsole(script: [.line("start quick"), .endOfInput, .line("status"), .line("quit")])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store).run()
        #expect(store.responses.isEmpty)
        #expect(console.output.contains("(session cancelled; nothing stored)"))
        #expect(console.output.contains("0 stored, 0 abandoned"))
    }

    @Test func endOfScriptedInputEndsTheKiosk() {
        let console = MemoryConsole(script: [.line("start quick")], interactive: false)
        let store = InMemoryResponseStore()
        #expect(Fixtures.kiosk(console: console, store: store).run() == 0)
        #expect(store.responses.isEmpty)
        #expect(console.reads.count == 2)
    }
}

/// A background sync that only counts triggers and reports a fixed status.
final class RecordingSync: BackgroundSync, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    let fixed: SyncStatus

    init(status: SyncStatus) {
        fixed = status
    }

    var triggers: Int { lock.withLock { count } }
    func trigger() { lock.withLock { count += 1 } }
    var status: SyncStatus { fixed }
}

@Suite struct KioskSyncTests {
    @Test func syncCommandWithoutCollectorExplains() {
        let console = MemoryConsole(script: [.line("sync"), .line("status"), .line("quit")])
        _ = Fixtures.kiosk(console: console, store: InMemoryResponseStore()).run()
        #expect(console.output.contains("No collector is configured"))
        #expect(console.output.contains("collector:   none configured"))
    }

    @Test func syncCommandTriggersAndStatusShowsSyncState() {
        let clock = ManualClock()
        let status = SyncStatus(lastSuccess: clock.now.addingTimeInterval(-120), lastError: "collector unreachable: connection refused",
                                lastErrorAt: clock.now.addingTimeInterval(-30), reachable: false)
        let sync = RecordingSync(status: status)
        let console = MemoryConsole(script: [.line("start quick"), .line("4"), .line("sync"), .line("status"), .line("quit")])
        var configuration = KioskConfiguration()
        configuration.collector = "http://127.0.0.1:9"
        let sources = Kiosk.Sources(loadSurveys: { Fixtures.catalog() }, digest: { try SurveyDigest.digest(of: $0) },
                                    bufferedResponses: { [] })
        let kiosk = Kiosk(configuration: configuration, console: console, store: InMemoryResponseStore(), keyID: "kid",
                          sources: sources, now: { clock.now }, sync: sync)
        _ = kiosk.run()
        // One trigger when the response was stored, one for the staff command.
        #expect(sync.triggers == 2)
        #expect(console.output.contains("collector:   http://127.0.0.1:9 (NOT reachable)"))
        #expect(console.output.contains("(2 min ago)"))
        #expect(console.output.contains("last error:  collector unreachable: connection refused (30 s ago)"))
    }
}

@Suite struct KioskLockdownUnitTests {
    static let hash = PINHash.make(pin: "2468", iterations: 1000).encoded

    @Test func unattendedModeLocksTheTerminalAndGivesEveryCustomerAFreshScreen() throws {
        let console = MemoryConsole(script: [
            .line("kiosk quick"), .line(""), .line("6"),   // one customer
            .interrupt, .line("2468"),                   // staff leave
            .line("quit"),
        ])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store) { $0.staffPINHash = Self.hash }.run()
        #expect(store.responses.count == 1)
        #expect(console.lockdowns == [true, false])
        // Typeahead thrown away before each start screen (the second comes after the thank-you).
        #expect(console.discards == 2)
        #expect(console.pauses.first == 4)  // the thank-you
        // The start screen is a page of its own: nothing from staff above it.
        let firstStart = try #require(console.output.range(of: "Press Enter to start."))
        let beforeStart = console.output[..<firstStart.lowerBound]
        let lastClear = try #require(beforeStart.range(of: "<clear>", options: .backwards))
        #expect(!console.output[lastClear.upperBound..<firstStart.lowerBound].contains("touchpoint ["))
        // Leaving clears the last customer's screen.
        let left = try #require(console.output.range(of: "Left unattended mode."))
        let tail = console.output[..<left.lowerBound]
        #expect(tail.hasSuffix("<clear>\n"), "no clear before staff mode:\n\(tail.suffix(200))")
    }

    @Test func wrongPINsCostGrowingDelaysThenLockThePrompt() throws {
        let clock = ManualClock()
        let console = MemoryConsole(script: [
            .line("kiosk quick"),
            .interrupt, .line("1111"),       // wrong: 1 s
            .interrupt, .line("1112"),       // wrong: 2 s, and locked (pinAttempts 2)
            .interrupt,                      // locked: no PIN prompt
            .interrupt, .line("2468"),       // after the lockout (the clock moved): the right PIN
            .line("quit"),
        ])
        console.beforeRead = { index in
            if index == 6 { clock.advance(301) }
        }
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store, clock: clock) {
            $0.staffPINHash = Self.hash
            $0.pinAttempts = 2
            $0.pinLockoutSeconds = 300
        }.run()
        #expect(console.pauses.prefix(2) == [1, 2])
        #expect(console.output.contains("Wrong PIN. Staff PIN locked for 5 min."))
        #expect(console.output.contains("Staff PIN locked after 2 wrong PINs; try again in 5 min."))
        #expect(console.reads.filter { $0.kind == .secret }.count == 3)
        #expect(console.reads.last?.kind == .staff)
        #expect(console.output.contains("Left unattended mode."))
    }

    @Test func shutdownKeepsAHalfAnsweredSessionAsTheIdleTimeoutWould() throws {
        let console = MemoryConsole(script: [.line("kiosk feedback en"), .line(""), .line("8"), .shutdown])
        let store = InMemoryResponseStore()
        let status = Fixtures.kiosk(console: console, store: store) { $0.staffPINHash = Self.hash }.run()
        #expect(status == 0)
        let response = try #require(store.responses.first).response
        #expect(response.status == .partial)
        #expect(response.answers.map(\.question) == ["recommend"])
        #expect(console.lockdowns == [true, false])
        #expect(console.output.contains(Phrasebook("en").sessionTimedOut))
    }

    @Test func goingBackPrefillsTheEarlierAnswer() throws {
        let console = MemoryConsole(script: [
            .line("start feedback en"), .line("3"), .line("slow"), .line("<"), .line("slow"), .line("<"), .line("<"),
            .line("3"), .line("slow"), .line("4"), .line("quit"),
        ])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store).run()
        // reads: staff, recommend, improve, satisfied, improve (back), satisfied, improve (back), recommend (back) …
        #expect(console.reads[4].prefill == "slow")
        #expect(console.reads[7].prefill == "3")
        let response = try #require(store.responses.first).response
        #expect(response.answer("improve") == .text("slow"))
        #expect(response.answer("satisfied") == .number(4))
    }

    @Test func aTooLongAnswerStaysOnTheLine() {
        let long = String(repeating: "x", count: 12)
        let console = MemoryConsole(script: [.line("start feedback en"), .line("3"), .line(long), .line("short"), .line("4"), .line("quit")])
        _ = Fixtures.kiosk(console: console, store: InMemoryResponseStore()) { $0.maxAnswerLength = 10 }.run()
        #expect(console.reads[3].prefill == long)
        #expect(console.output.contains("at most 10 characters"))
    }

    @Test func singleKeyQuestionsAskForAKey() {
        let console = MemoryConsole(script: [.line("start quick"), .line("6"), .line("start feedback en"), .line("9"), .line("5"), .line("quit")])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store) { $0.singleKey = true }.run()
        #expect(console.reads[1].keys == ["1", "2", "3", "4", "5", "6", "7"])
        #expect(console.reads[3].keys == nil, "NPS 0–10 needs two keys for 10")
        #expect(console.reads[4].keys == ["1", "2", "3", "4", "5", "<"])
        #expect(console.output.contains("Press a number"))
        #expect(store.responses.map { $0.response.answers.count } == [1, 2])
    }

    @Test func privacyNoticeComesBeforeTheFirstComment() {
        let console = MemoryConsole(script: [.line("start feedback sv"), .line("3"), .line("långsamt"), .line("4"), .line("quit")])
        _ = Fixtures.kiosk(console: console, store: InMemoryResponseStore()) {
            $0.privacyNotice = LocalizedText(["en": "No names, please.", "sv": "Skriv inga namn, tack."])
        }.run()
        let output = console.output
        #expect(output.components(separatedBy: "Skriv inga namn, tack.").count == 2, "\(output)")
        let notice = output.range(of: "Skriv inga namn, tack.")
        let question = output.range(of: "Vad kan bli bättre?")
        #expect(notice != nil && question != nil && notice!.lowerBound < question!.lowerBound)
        let recommend = output.range(of: "Rekommendera oss?")
        #expect(recommend != nil && notice != nil && recommend!.lowerBound < notice!.lowerBound)
    }

    @Test func aKioskThatMasksPersonalDataSignsOnlyTheMaskedTextAndSaysSo() throws {
        let console = MemoryConsole(script: [
            .line("start feedback sv"), .line("3"), .line("Ring mig på 070-123 45 67 eller anna@example.se"), .line("4"), .line("quit"),
        ])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store) {
            $0.privacyNotice = LocalizedText(["en": "No names, please.", "sv": "Skriv inga namn, tack."])
            $0.maskPersonalData = true
        }.run()
        let stored = try #require(store.responses.first)
        #expect(stored.response.answer("improve") == .text("Ring mig på [phone] eller [email]"))
        // The signed payload holds only the masked text.
        let payload = String(decoding: try stored.envelope.verify(with: store.key.publicJWK), as: UTF8.self)
        #expect(!payload.contains("070-123") && !payload.contains("anna@example.se"))
        // Said with the notice (wrapped at the terminal's width).
        let words = console.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("Skriv inga namn, tack. " + Phrasebook("sv").personalDataMasked), "\(console.output)")
    }

    @Test func maskPersonalDataIsReadFromTheConfiguration() throws {
        var configuration = KioskConfiguration()
        #expect(configuration.maskPersonalData == false)
        try configuration.apply(yaml: "site: s\nkiosk: k\nmaskPersonalData: true\n", file: "touchpoint.yaml")
        #expect(configuration.maskPersonalData)
        #expect(throws: ConfigurationError.self) { try configuration.apply(yaml: "maskPersonalData: sometimes\n", file: "touchpoint.yaml") }
    }

    @Test func timeoutIsSaidInTheCustomersLanguage() {
        let console = MemoryConsole(script: [.line("start feedback sv"), .line("8"), .timedOut, .line("quit")])
        _ = Fixtures.kiosk(console: console, store: InMemoryResponseStore()).run()
        #expect(console.output.contains(Phrasebook("sv").sessionTimedOut))
        #expect(!console.output.contains("(session timed out)"))
    }

    @Test func staffAccountsAreNormalisedAndChecked() throws {
        let console = MemoryConsole(script: [
            .line("start quick @ acme 42"), .line("start quick @ACC-12"), .line("start quick @ acc-1234 "), .line("5"),
            .line("start feedback EN"), .line("9"), .line("5"),
            .line("quit"),
        ])
        let store = InMemoryResponseStore()
        let rule = try AccountRule(pattern: "^ACC-[0-9]{4}$", example: "ACC-1234")
        _ = Fixtures.kiosk(console: console, store: store) { $0.accountRule = rule }.run()
        #expect(console.output.contains("'acme 42' is not an account reference here: it must match ^ACC-[0-9]{4}$ (for example ACC-1234)."))
        #expect(console.output.contains("'ACC-12' is not an account reference here"))
        #expect(store.responses.map(\.response.account) == ["ACC-1234", nil])
        #expect(store.responses.last?.response.language == "en")
    }

    @Test func builtInDefaultsAreShownLoudly() {
        let console = MemoryConsole(script: [.line("status"), .line("quit")])
        let sources = Kiosk.Sources(loadSurveys: { Fixtures.catalog() }, digest: { try SurveyDigest.digest(of: $0) },
                                    bufferedResponses: { [] })
        let store = InMemoryResponseStore()
        let kiosk = Kiosk(configuration: KioskConfiguration(), console: console, store: store, keyID: "kid", sources: sources)
        _ = kiosk.run()
        #expect(console.reads.first?.prompt == "touchpoint [demo-site/kiosk-1 DEFAULTS]> ")
        // At start and in status.
        #expect(console.output.components(separatedBy: "!! WARNING: no site or kiosk configured").count == 3, "\(console.output)")
    }

    @Test func statsShowEachCESScale() {
        let console = MemoryConsole(script: [.line("start quick"), .line("6"), .line("stats"), .line("quit")])
        let store = InMemoryResponseStore()
        _ = Fixtures.kiosk(console: console, store: store, buffered: { store.responses.map(\.response) }).run()
        #expect(console.output.contains("6.0 (1–7)"), "\(console.output)")
    }

    @Test func checkReportsWhatNeedsFixing() {
        var configuration = KioskConfiguration()
        let bad = KioskCheck.report(configuration: configuration, configFile: nil, catalog: Fixtures.catalog())
        #expect(!bad.ok)
        #expect(bad.text.contains("no site or kiosk configured"))
        #expect(bad.text.contains("surveys/broken.yaml:9:11: unknown question type 'stars'"))
        configuration.site = "malmo"
        configuration.kiosk = "entrance"
        let good = KioskCheck.report(configuration: configuration, configFile: "touchpoint.yaml",
                                     catalog: SurveyCatalog(files: [("surveys/quick.yaml", Fixtures.quick)]))
        #expect(good.ok, "\(good.text)")
        #expect(good.text.contains("OK: ready for customers."))
        // A kiosk that starts unattended at boot needs a configured PIN and a survey that is there.
        configuration.unattendedSurvey = "missing"
        let unattended = KioskCheck.report(configuration: configuration, configFile: "touchpoint.yaml",
                                           catalog: SurveyCatalog(files: [("surveys/quick.yaml", Fixtures.quick)]))
        #expect(!unattended.ok && unattended.text.contains("unattended: missing needs staffPinHash"), "\(unattended.text)")
        #expect(unattended.text.contains("unattended: missing is not a valid survey"), "\(unattended.text)")
    }
}
