import Foundation
import Logging
import TouchpointCore
import TouchpointStore

/// The kiosk REPL: staff commands, and customer sessions driven through the survey state machine.
///
/// Everything it touches comes in as a parameter: the console, the response store, the surveys, the clock.
public final class Kiosk {
    /// What the kiosk reads surveys and buffered responses from.
    public struct Sources {
        /// Reads and validates the surveys directory.
        public var loadSurveys: () -> SurveyCatalog
        /// The digest recorded with responses to a survey.
        public var digest: (Survey) throws -> String
        /// The responses buffered on this kiosk (pending and sent), for `stats`.
        public var bufferedResponses: () throws -> [SurveyResponse]

        /// Creates the sources.
        public init(loadSurveys: @escaping () -> SurveyCatalog, digest: @escaping (Survey) throws -> String,
                    bufferedResponses: @escaping () throws -> [SurveyResponse]) {
            self.loadSurveys = loadSurveys
            self.digest = digest
            self.bufferedResponses = bufferedResponses
        }
    }

    /// How a customer session ended.
    public enum SessionEnd: Sendable, Hashable {
        /// Stored; the customer was thanked.
        case completed(StoredSummary)
        /// Abandoned by the idle timeout; the partial response was stored if the survey keeps them.
        case abandoned(stored: StoredSummary?)
        /// Staff stopped it (Ctrl-C in attended mode); nothing stored.
        case cancelled
        /// Staff entered the PIN to leave unattended mode.
        case staffExit
        /// Input ended (scripted run).
        case inputEnded
        /// The response could not be stored.
        case failed(String)
    }

    /// The id, sequence number and file of a stored response.
    public struct StoredSummary: Sendable, Hashable {
        /// The response id.
        public var id: String
        /// Its sequence number.
        public var sequence: UInt64
        /// Its file, if stored in files.
        public var file: String?
    }

    private let configuration: KioskConfiguration
    private let console: any Console
    private let store: any ResponseStore
    private let keyID: String
    private let sources: Sources
    private let now: () -> Date
    private let pause: (Double) -> Void
    private let logger: Logger
    private let sync: (any BackgroundSync)?
    private var catalog: SurveyCatalog
    private var sessionPINHash: String?
    private(set) var abandonedCount = 0
    private(set) var storedCount = 0

    /// The app version recorded in responses.
    public static let appVersion = "0.1.0"

    /// Creates a kiosk.
    public init(configuration: KioskConfiguration, console: any Console, store: any ResponseStore, keyID: String,
                sources: Sources, now: @escaping () -> Date = Date.init,
                pause: @escaping (Double) -> Void = { Thread.sleep(forTimeInterval: $0) },
                sync: (any BackgroundSync)? = nil,
                logger: Logger = Logger(label: "touchpoint.kiosk")) {
        self.configuration = configuration
        self.console = console
        self.store = store
        self.keyID = keyID
        self.sources = sources
        self.now = now
        self.pause = pause
        self.sync = sync
        var logger = logger
        logger[metadataKey: "kiosk.id"] = "\(configuration.kiosk)"
        self.logger = logger
        catalog = sources.loadSurveys()
    }

    /// The staff prompt, showing site and kiosk.
    public var staffPrompt: String { "touchpoint [\(configuration.site)/\(configuration.kiosk)]> " }

    /// Runs staff mode until `quit` or end of input; returns the exit status.
    @discardableResult
    public func run() -> Int32 {
        let surveyIDs = catalog.surveys.map(\.id)
        console.completer = { words in
            StaffCommand.completions(after: words, surveys: surveyIDs, languages: Phrasebook.languages)
        }
        console.line("Touchpoint kiosk \(Self.appVersion) — site \(configuration.site), kiosk \(configuration.kiosk). Type help for commands.")
        reportSurveyProblems()
        while true {
            switch console.read(prompt: staffPrompt, kind: .staff, timeout: nil) {
            case .endOfInput:
                return 0
            case .interrupt:
                console.line("(type quit or press Ctrl-D to leave)")
            case .timedOut:
                continue
            case .line(let line):
                guard let parsed = StaffCommand.parse(line) else { continue }
                switch parsed {
                case .failure(let error):
                    console.line(error.message)
                case .success(.quit):
                    return 0
                case .success(let command):
                    if perform(command) == .inputEnded { return 0 }
                }
            }
        }
    }

    /// Performs one staff command (not `quit`).
    @discardableResult
    public func perform(_ command: StaffCommand) -> SessionEnd? {
        switch command {
        case .help:
            console.line(StaffCommand.helpText)
        case .surveys:
            listSurveys()
        case .start(let id, let language, let account):
            guard let survey = survey(id, language: language) else { return nil }
            let end = runSession(survey, language: language ?? configuration.language, mode: .attended, account: account)
            if configuration.thankYouSeconds > 0, console.isInteractive, case .completed = end {
                pause(configuration.thankYouSeconds)
                console.clearScreen()
            }
            return end
        case .unattended(let id, let language):
            guard let survey = survey(id, language: language) else { return nil }
            return runUnattended(survey, language: language ?? configuration.language)
        case .status:
            showStatus()
        case .stats(let today):
            showStats(today: today)
        case .reload:
            catalog = sources.loadSurveys()
            console.line("\(catalog.surveys.count) survey(s) loaded.")
            reportSurveyProblems()
            let surveyIDs = catalog.surveys.map(\.id)
            console.completer = { words in
                StaffCommand.completions(after: words, surveys: surveyIDs, languages: Phrasebook.languages)
            }
        case .clear:
            console.clearScreen()
        case .sync:
            guard let sync, let collector = configuration.collector else {
                console.line("No collector is configured (set collector: in touchpoint.yaml or --collector URL).")
                return nil
            }
            sync.trigger()
            console.line("Sync requested; it runs in the background. Current state:")
            for line in SyncStatusText.lines(sync.status, collector: collector, now: now()) { console.line(line) }
        case .quit:
            break
        }
        return nil
    }

    // MARK: Sessions

    /// Runs one customer session to its end.
    public func runSession(_ survey: Survey, language: String?, mode: KioskMode, account: String? = nil) -> SessionEnd {
        let reference: SurveyReference
        do {
            reference = SurveyReference(id: survey.id, version: survey.version, digest: try sources.digest(survey))
        } catch {
            console.line("Cannot start \(survey.id): \(error)")
            return .failed("\(error)")
        }
        let settings = SessionSettings(
            site: configuration.site, kiosk: configuration.kiosk, touchpoint: configuration.touchpoint, mode: mode,
            minimumSeconds: configuration.minimumSeconds, maxAnswerLength: configuration.maxAnswerLength,
            account: account, appVersion: Self.appVersion)
        var session = SurveySession(survey: survey, reference: reference, settings: settings, language: language, at: now())
        console.line("")
        console.line(survey.title.text(in: session.language ?? survey.languages[0]))
        var action = session.start()
        while true {
            switch action {
            case .ask(let prompt):
                console.write(PromptRenderer.render(prompt, survey: survey))
            case .reprompt(let prompt, let reason):
                let language = session.language ?? survey.languages[0]
                console.line("→ " + Phrasebook(language).reprompt(reason))
                if case .language = prompt { console.write(PromptRenderer.render(prompt, survey: survey)) }
            case .completed(let draft):
                return finish(draft, survey: survey)
            case .abandoned(let draft):
                abandonedCount += 1
                console.line("")
                console.line("(session timed out)")
                logger.info("session abandoned", metadata: ["survey.id": "\(survey.id)", "kept": "\(draft != nil)"])
                guard let draft else { return .abandoned(stored: nil) }
                switch record(draft) {
                case .success(let summary): return .abandoned(stored: summary)
                case .failure(let message): return .failed(message)
                }
            }
            let input = console.read(prompt: "> ", kind: .customer, timeout: configuration.idleTimeout)
            switch input {
            case .line(let text):
                action = session.receive(text, at: now())
            case .timedOut:
                action = session.timeout(at: now())
            case .interrupt, .endOfInput:
                if mode == .unattended && console.isInteractive {
                    // Ctrl-C or Ctrl-D never leaves unattended mode without the staff PIN.
                    if askPIN() { return .staffExit }
                    action = .ask(session.prompt)
                } else if case .interrupt = input {
                    console.line("(session cancelled by staff; nothing stored)")
                    return .cancelled
                } else if console.isInteractive {
                    // Ctrl-D on a terminal cancels the session; it never quits the kiosk from customer mode.
                    console.line("(session cancelled; nothing stored)")
                    return .cancelled
                } else {
                    return .inputEnded
                }
            }
        }
    }

    private func finish(_ draft: ResponseDraft, survey: Survey) -> SessionEnd {
        switch record(draft) {
        case .success(let summary):
            console.line("")
            console.line(Phrasebook(draft.language).thankYou)
            return .completed(summary)
        case .failure(let message):
            console.line("")
            console.line("!! The response could not be saved: \(message)")
            console.line("!! Please ask staff for help.")
            return .failed(message)
        }
    }

    private enum RecordOutcome { case success(StoredSummary), failure(String) }

    private func record(_ draft: ResponseDraft) -> RecordOutcome {
        do {
            let stored = try store.record(draft)
            storedCount += 1
            sync?.trigger()  // online kiosks deliver each response at once
            logger.info("response stored", metadata: [
                "response.id": "\(stored.response.id)", "survey.id": "\(draft.survey.id)",
                "response.sequence": "\(stored.response.sequence)",
            ])
            return .success(StoredSummary(id: stored.response.id, sequence: stored.response.sequence,
                                          file: stored.file?.path))
        } catch {
            logger.error("response not stored", metadata: ["survey.id": "\(draft.survey.id)", "error": "\(error)"])
            return .failure("\(error)")
        }
    }

    /// Unattended mode: a start screen, a session, a thank-you, a cleared screen, again — until the staff PIN.
    private func runUnattended(_ survey: Survey, language: String?) -> SessionEnd {
        guard ensurePIN() else { return .cancelled }
        console.line("Unattended mode: \(survey.id). Ctrl-C and the staff PIN return to staff mode.")
        while true {
            let shown = language ?? survey.languages[0]
            console.line("")
            console.line(survey.title.text(in: shown))
            let start = survey.languages.map { Phrasebook($0).pressEnterToStart }
            switch console.read(prompt: Array(Set(start)).sorted().joined(separator: " / ") + " ", kind: .customer, timeout: nil) {
            case .line:
                break
            case .timedOut:
                continue
            case .interrupt, .endOfInput:
                if !console.isInteractive { return .inputEnded }
                if askPIN() { return .staffExit }
                continue
            }
            let end = runSession(survey, language: language, mode: .unattended)
            switch end {
            case .staffExit, .inputEnded:
                return end
            default:
                if console.isInteractive {
                    if configuration.thankYouSeconds > 0 { pause(configuration.thankYouSeconds) }
                    console.clearScreen()
                }
            }
        }
    }

    /// Makes sure a PIN exists: the configured hash, or one staff set now for this run.
    private func ensurePIN() -> Bool {
        if configuration.staffPINHash != nil || sessionPINHash != nil { return true }
        console.line("No staff PIN is configured. Set one now to leave unattended mode later.")
        for _ in 0..<3 {
            guard case .line(let first) = console.read(prompt: "New staff PIN: ", kind: .secret, timeout: 120),
                  case .line(let second) = console.read(prompt: "Repeat the PIN: ", kind: .secret, timeout: 120) else {
                console.line("Unattended mode not started.")
                return false
            }
            guard first.count >= 4 else {
                console.line("A PIN needs at least 4 characters.")
                continue
            }
            guard first == second else {
                console.line("The two PINs differ; try again.")
                continue
            }
            sessionPINHash = PINHash.make(pin: first).encoded
            return true
        }
        console.line("Unattended mode not started.")
        return false
    }

    /// Asks for the staff PIN; true if it matches.
    private func askPIN() -> Bool {
        guard let hash = configuration.staffPINHash ?? sessionPINHash else { return false }
        console.line("")
        guard case .line(let pin) = console.read(prompt: "Staff PIN (Enter to go back): ", kind: .secret, timeout: 30),
              !pin.isEmpty else {
            return false
        }
        if PINHash.verify(pin: pin, against: hash) { return true }
        logger.notice("wrong staff PIN entered")
        console.line("Wrong PIN.")
        pause(1)
        return false
    }

    // MARK: Staff views

    private func survey(_ id: String, language: String?) -> Survey? {
        guard let survey = catalog.survey(id) else {
            let problems = catalog.problems(forFileNamed: id)
            if problems.isEmpty {
                console.line("Unknown survey '\(id)'. Surveys: \(catalog.surveys.map(\.id).joined(separator: ", "))")
            } else {
                console.line("Survey '\(id)' does not validate, so it cannot start:")
                for problem in problems { console.line("  \(problem)") }
            }
            return nil
        }
        if let language, !survey.languages.contains(language) {
            console.line("Survey '\(id)' is not offered in '\(language)' (languages: \(survey.languages.joined(separator: ", "))).")
            return nil
        }
        return survey
    }

    private func listSurveys() {
        if catalog.surveys.isEmpty { console.line("No valid surveys in \(configuration.surveysDirectory)/.") }
        for survey in catalog.surveys {
            let title = survey.title.text(in: configuration.language ?? "en")
            console.line("\(survey.id.padding(toLength: 22, withPad: " ", startingAt: 0)) v\(survey.version)  \(survey.touchpoint)/\(survey.stage.rawValue)  [\(survey.languages.joined(separator: ","))]  \(survey.questions.count) questions  \(title)")
        }
        reportSurveyProblems()
    }

    private func reportSurveyProblems() {
        guard !catalog.problems.isEmpty else { return }
        console.line("Surveys that do not validate (they cannot be started):")
        for problem in catalog.problems { console.line("  \(problem)") }
    }

    private func showStatus() {
        let counts = (try? store.counts()) ?? BufferCounts()
        let pin = configuration.staffPINHash != nil ? "configured" : (sessionPINHash != nil ? "set for this run" : "not set")
        console.line("""
            site:        \(configuration.site)
            kiosk:       \(configuration.kiosk)
            touchpoint:  \(configuration.touchpoint ?? "(each survey's own)")
            language:    \(configuration.language ?? "(customer chooses)")
            key id:      \(keyID)
            responses:   \(counts.pending) pending, \(counts.sent) sent, \(counts.rejected) rejected  (\(configuration.responsesDirectory)/)
            this run:    \(storedCount) stored, \(abandonedCount) abandoned
            surveys:     \(catalog.surveys.count) valid, \(Set(catalog.problems.map(\.file)).count) invalid  (\(configuration.surveysDirectory)/)
            idle timeout: \(Int(configuration.idleTimeout)) s, suspect under: \(configuration.minimumSeconds.map { "\($0) s" } ?? "off")
            staff PIN:   \(pin)
            """)
        if let sync, let collector = configuration.collector {
            for line in SyncStatusText.lines(sync.status, collector: collector, now: now()) { console.line(line) }
        } else {
            console.line("collector:   none configured (responses stay in \(configuration.responsesDirectory)/pending/)")
        }
    }

    private func showStats(today: Bool) {
        let responses: [SurveyResponse]
        do {
            responses = try sources.bufferedResponses()
        } catch {
            console.line("Cannot read buffered responses: \(error)")
            return
        }
        let calendar = Calendar.current
        let selected = today ? responses.filter { calendar.isDate($0.completedAt, inSameDayAs: now()) } : responses
        let rows = SurveyStatistics.bySurvey(selected)
        console.line(today ? "Today's responses on this kiosk:" : "All responses buffered on this kiosk:")
        guard !rows.isEmpty else {
            console.line("  (none)")
            return
        }
        console.line(StatsTable.render(rows))
    }
}

/// The `stats` table.
public enum StatsTable {
    /// Renders one row per survey: n, NPS, CES mean, CSAT %, and responses left out.
    public static func render(_ rows: [SurveyStatistics]) -> String {
        var table = TextTable(header: ["survey", "n", "NPS", "CES", "CSAT", "left out"], rightAligned: [1, 2, 3, 4, 5])
        for row in rows {
            let nps = row.nps.score.map { String(format: "%+.0f", $0) } ?? "–"
            let ces = row.ces.mean.map { String(format: "%.1f", $0) } ?? "–"
            let csat = row.csat.score.map { String(format: "%.0f%%", $0) } ?? "–"
            table.add([row.surveyID, "\(row.responses)", nps, ces, csat, "\(row.excluded)"])
        }
        var lines = [table.render()]
        lines.append("(left out: partial or suspect responses)")
        return lines.joined(separator: "\n")
    }
}
