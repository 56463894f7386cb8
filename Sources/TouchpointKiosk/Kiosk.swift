import Foundation
import Logging
import TouchpointCore
import TouchpointStore
import TouchpointSync

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
        /// The kiosk was asked to stop (SIGTERM, SIGHUP); a half-answered session was handled as on the
        /// idle timeout.
        case shutdown(stored: StoredSummary?)
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

    /// The configuration in force: ``baseConfiguration`` with the site settings of the collector's configuration
    /// the kiosk runs (except those given as flags).
    private var configuration: KioskConfiguration
    /// The configuration from `touchpoint.yaml` and flags.
    private let baseConfiguration: KioskConfiguration
    /// The settings given as command-line flags (``KioskSettings`` names): site settings never replace them.
    private let flagSettings: Set<String>
    /// The collector's configuration, installed by the background sync (nil: no collector configured).
    private let fleet: KioskConfigSync?
    /// The collector's configuration whose surveys and settings run now.
    private var running: InstalledConfig?
    private let console: any Console
    private let store: any ResponseStore
    private let keyID: String
    private let sources: Sources
    private let now: () -> Date
    private let logger: Logger
    private let sync: (any BackgroundSync)?
    private var catalog: SurveyCatalog
    private var sessionPINHash: String?
    private var wrongPINs = 0
    private var pinLockedUntil: Date?
    private(set) var abandonedCount = 0
    private(set) var storedCount = 0

    /// The app version recorded in responses.
    public static let appVersion = TouchpointVersion.number

    /// Creates a kiosk.
    ///
    /// With `fleet`, the kiosk runs the surveys and site settings of the configuration it installed, switching to
    /// a newly installed one only between customers; `flagSettings` names the settings given as flags, which
    /// site settings never replace.
    public init(configuration: KioskConfiguration, console: any Console, store: any ResponseStore, keyID: String,
                sources: Sources, now: @escaping () -> Date = Date.init,
                sync: (any BackgroundSync)? = nil, fleet: KioskConfigSync? = nil, flagSettings: Set<String> = [],
                logger: Logger = Logger(label: "touchpoint.kiosk")) {
        self.configuration = configuration
        self.baseConfiguration = configuration
        self.flagSettings = flagSettings
        self.fleet = fleet
        self.console = console
        self.store = store
        self.keyID = keyID
        self.sources = sources
        self.now = now
        self.sync = sync
        var logger = logger
        logger[metadataKey: "kiosk.id"] = "\(configuration.kiosk)"
        self.logger = logger
        catalog = sources.loadSurveys()
        _ = switchToInstalledConfiguration()
    }

    /// Switches to the configuration the background sync installed, if it is not the one running: its surveys
    /// over the local ones (a published survey wins over a local file with the same id) and its site's settings.
    /// Called only between customers. Returns whether it switched.
    @discardableResult
    func switchToInstalledConfiguration() -> Bool {
        guard let fleet, let installed = fleet.status.installed, installed.version != running?.version else { return false }
        let previous = running
        running = installed
        catalog = sources.loadSurveys().overlaid(with: installed.surveys)
        configuration = baseConfiguration.applying(installed.document.settings, except: flagSettings)
        fleet.markRunning(installed.version)
        // The collector hears which set runs now with the next health report: one right away.
        sync?.trigger()
        let surveyIDs = catalog.surveys.map(\.id)
        console.completer = { words in
            StaffCommand.completions(after: words, surveys: surveyIDs, languages: Phrasebook.languages)
        }
        logger.notice("running the collector's configuration", metadata: [
            "config.version": "\(installed.version)", "config.previous": "\(previous?.version ?? "none")",
            "config.surveys": "\(installed.surveys.map { "\($0.id) v\($0.version)" })",
        ])
        return true
    }

    /// The staff prompt, showing site and kiosk, and loudly whether they are the built-in defaults.
    public var staffPrompt: String {
        let defaults = configuration.unconfiguredIdentity.isEmpty ? "" : " DEFAULTS"
        return "touchpoint [\(configuration.site)/\(configuration.kiosk)\(defaults)]> "
    }

    /// The warning shown at start and in `status` while site or kiosk id are the built-in defaults.
    public var defaultsWarning: String? {
        guard let problem = configuration.identityProblem else { return nil }
        return "!! WARNING: \(problem): responses are recorded as site '\(configuration.site)', kiosk "
            + "'\(configuration.kiosk)'. Set site: and kiosk: in touchpoint.yaml (or --site / --kiosk-id) before "
            + "customers answer."
    }

    /// Runs staff mode until `quit` or end of input; returns the exit status.
    @discardableResult
    public func run() -> Int32 {
        let surveyIDs = catalog.surveys.map(\.id)
        console.completer = { words in
            StaffCommand.completions(after: words, surveys: surveyIDs, languages: Phrasebook.languages)
        }
        console.line("Touchpoint kiosk \(Self.appVersion) — site \(configuration.site), kiosk \(configuration.kiosk). Type help for commands.")
        if let defaultsWarning {
            console.line(defaultsWarning)
            logger.warning("running on built-in defaults", metadata: ["unset": "\(configuration.unconfiguredIdentity)"])
        }
        reportSurveyProblems()
        if let id = configuration.unattendedSurvey {
            // Started at boot: straight into unattended mode; staff reach the prompt only with the PIN.
            guard configuration.staffPINHash != nil else {
                console.line("Cannot start unattended: no staffPinHash is configured (set one with `touchpoint pin hash` in touchpoint.yaml).")
                return 1
            }
            guard let end = perform(.unattended(survey: id, language: nil)) else { return 1 }
            switch end {
            case .inputEnded, .shutdown: return 0
            default: break
            }
        }
        while true {
            switch console.read(prompt: staffPrompt, kind: .staff, timeout: nil) {
            case .endOfInput, .shutdown:
                return 0
            case .interrupt:
                console.line("(type quit or press Ctrl-D to leave)")
            case .timedOut:
                continue
            case .line(let line):
                guard let parsed = StaffCommand.parse(line) else { continue }
                // Between customers: a configuration installed since the last command takes effect now.
                if switchToInstalledConfiguration() {
                    console.line("Now running the collector's configuration \(KioskStatusText.short(running?.version)).")
                }
                switch parsed {
                case .failure(let error):
                    console.line(error.message)
                case .success(.quit):
                    return 0
                case .success(let command):
                    switch perform(command) {
                    case .inputEnded, .shutdown: return 0
                    default: continue
                    }
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
            var normalised: String?
            if let account {
                switch configuration.accountRule.accept(account) {
                case .accepted(let value): normalised = value
                case .empty:
                    console.line("An account reference follows @ directly, such as @\(configuration.accountRule.example ?? "ACME-42").")
                    return nil
                case .tooLong:
                    console.line("An account reference is at most \(Question.maximumAccountLength) characters.")
                    return nil
                case .mismatch:
                    console.line("'\(account)' is not an account reference here: it must match \(configuration.accountRule.pattern ?? "")"
                                 + (configuration.accountRule.example.map { " (for example \($0))" } ?? "") + ".")
                    return nil
                }
            }
            let end = runSession(survey, language: language ?? configuration.language, mode: .attended, account: normalised)
            if console.isInteractive, case .completed = end {
                if configuration.thankYouSeconds > 0, !console.pause(seconds: configuration.thankYouSeconds) {
                    return .shutdown(stored: nil)
                }
                console.discardPendingInput()
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
            catalog = sources.loadSurveys().overlaid(with: running?.surveys ?? [])
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
            account: account, appVersion: Self.appVersion, accountRule: configuration.accountRule)
        var session = SurveySession(survey: survey, reference: reference, settings: settings, language: language, at: now())
        let singleKey = survey.singleKey ?? configuration.singleKey
        let notice = survey.privacyNotice ?? configuration.privacyNotice
        var noticeQuestion: String?
        var lastInput: String?
        var action = session.start()
        while true {
            var prompt: SessionPrompt
            var reason: RepromptReason?
            switch action {
            case .ask(let asked):
                prompt = asked
            case .reprompt(let asked, let why):
                prompt = asked
                reason = why
            case .completed(let draft):
                return finish(draft, survey: survey)
            case .abandoned(let draft):
                return abandon(draft, survey: survey, language: session.language ?? survey.languages[0], end: { .abandoned(stored: $0) })
            }
            // The page: the question, the privacy notice before the first free-text question, why the last
            // answer was not taken.
            var options = PromptRenderer.PageOptions(reprompt: reason, accountExample: configuration.accountRule.example)
            var keys: [String]?
            var prefill: String?
            if case .question(let question) = prompt {
                if case .text = question.question.kind, let notice {
                    if noticeQuestion == nil { noticeQuestion = question.question.id }
                    if noticeQuestion == question.question.id { options.notice = notice.text(in: question.language) }
                }
                // A kiosk that masks personal data says so with the notice (or alone, without one).
                if case .text = question.question.kind, configuration.maskPersonalData {
                    if noticeQuestion == nil { noticeQuestion = question.question.id }
                    if noticeQuestion == question.question.id {
                        let masking = Phrasebook(question.language).personalDataMasked
                        options.notice = options.notice.map { $0 + " " + masking } ?? masking
                    }
                }
                if singleKey, let answers = AnswerReader.singleKeys(for: question.question, language: question.language) {
                    options.singleKey = true
                    keys = answers + (question.canGoBack ? ["<"] : []) + (question.canSkip || question.previous != nil ? [""] : [])
                }
                if case .tooLong = reason {
                    prefill = lastInput  // the answer stays on the line to be shortened
                } else if let previous = question.previous {
                    prefill = AnswerReader.typed(previous, for: question.question, language: question.language)
                }
            }
            let page = options
            let shown = prompt
            console.showPage { width in PromptRenderer.page(shown, survey: survey, options: page, width: width) }
            let input = keys.map { console.readKey(prompt: "> ", keys: $0, timeout: configuration.idleTimeout) }
                ?? console.read(prompt: "> ", kind: .customer, timeout: configuration.idleTimeout, prefill: prefill)
            switch input {
            case .line(var text):
                // A single-key Enter on a question answered before keeps that answer.
                if keys != nil, text.isEmpty, case .question(let question) = prompt, let previous = question.previous {
                    text = AnswerReader.typed(previous, for: question.question, language: question.language)
                }
                lastInput = TextSanitizer.clean(text)
                action = session.receive(text, at: now())
            case .timedOut:
                action = session.timeout(at: now())
            case .shutdown:
                return shutDown(&session)
            case .interrupt, .endOfInput:
                if mode == .unattended && console.isInteractive {
                    // Ctrl-C, Ctrl-D, Ctrl-Z or Ctrl-\ never leave unattended mode without the staff PIN.
                    switch askPIN() {
                    case .granted: return .staffExit
                    case .shutdown:
                        return shutDown(&session)
                    case .refused: action = .ask(session.prompt)
                    }
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

    /// The kiosk is stopping (SIGTERM, SIGHUP): a half-answered session is handled as the idle timeout does.
    private func shutDown(_ session: inout SurveySession) -> SessionEnd {
        guard case .abandoned(let draft) = session.timeout(at: now()) else { return .shutdown(stored: nil) }
        return abandon(draft, survey: session.survey, language: session.language ?? session.survey.languages[0],
                       end: { .shutdown(stored: $0) })
    }

    /// Ends an abandoned session: says so in the customer's language and stores the partial response
    /// if the survey keeps them.
    private func abandon(_ draft: ResponseDraft?, survey: Survey, language: String,
                         end: (StoredSummary?) -> SessionEnd) -> SessionEnd {
        abandonedCount += 1
        console.line("")
        console.line(Phrasebook(language).sessionTimedOut)
        logger.info("session abandoned", metadata: ["survey.id": "\(survey.id)", "kept": "\(draft != nil)"])
        guard let draft else { return end(nil) }
        switch record(draft) {
        case .success(let summary): return end(summary)
        case .failure(let message): return .failed(message)
        }
    }

    private func finish(_ draft: ResponseDraft, survey: Survey) -> SessionEnd {
        switch record(draft) {
        case .success(let summary):
            let thanks = configuration.thankYou?.translations[draft.language] ?? Phrasebook(draft.language).thankYou
            console.showPage { width in TextWrapper.wrap(survey.title.text(in: draft.language) + "\n\n" + thanks + "\n", width: width) }
            return .completed(summary)
        case .failure(let message):
            // The reason is in the log; the customer gets words they can act on.
            console.line("")
            console.line("!! " + Phrasebook(draft.language).notSaved)
            return .failed(message)
        }
    }

    private enum RecordOutcome { case success(StoredSummary), failure(String) }

    private func record(_ draft: ResponseDraft) -> RecordOutcome {
        do {
            let stored = try store.record(configuration.maskPersonalData ? draft.maskingPersonalData() : draft)
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

    /// Unattended mode: a start screen, a session, a thank-you, a cleared screen, again — until the staff
    /// PIN. The terminal is locked down for all of it: no key leaves without the PIN.
    private func runUnattended(_ chosen: Survey, language: String?) -> SessionEnd {
        var survey = chosen
        guard ensurePIN() else { return .cancelled }
        logger.info("unattended mode started", metadata: ["survey.id": "\(survey.id)"])
        console.setLockdown(true)
        defer {
            console.setLockdown(false)
            logger.info("unattended mode ended", metadata: ["survey.id": "\(survey.id)"])
        }
        var redraw = true
        while true {
            // Between customers: a configuration installed since the last one runs from this customer on (the same
            // survey's new version; a survey no longer assigned keeps running until staff leave).
            if switchToInstalledConfiguration(), let newer = catalog.survey(survey.id), newer != survey {
                logger.notice("unattended mode restarts on the new version", metadata: [
                    "survey.id": "\(survey.id)", "survey.version": "\(newer.version)"])
                survey = newer
                redraw = true
            }
            let prompt = Array(Set(survey.languages.map { Phrasebook($0).pressEnterToStart })).sorted().joined(separator: " / ") + " "
            if redraw {
                // A fresh screen, and a fresh keypress: nothing typed before this screen starts a session.
                console.discardPendingInput()
                let startPage = PromptRenderer.title(of: survey, in: language.map { [$0] } ?? survey.languages)
                console.showPage { width in TextWrapper.wrap(startPage + "\n\n", width: width) }
            }
            redraw = true
            // With a collector, the start screen looks for a new configuration every half minute.
            switch console.read(prompt: prompt, kind: .customer, timeout: fleet == nil ? nil : Self.configCheckSeconds) {
            case .line:
                break
            case .timedOut:
                redraw = false
                continue
            case .shutdown:
                return .shutdown(stored: nil)
            case .interrupt, .endOfInput:
                if !console.isInteractive { return .inputEnded }
                switch askPIN() {
                case .granted: return leaveUnattended()
                case .shutdown: return .shutdown(stored: nil)
                case .refused: continue
                }
            }
            let end = runSession(survey, language: language, mode: .unattended)
            switch end {
            case .staffExit:
                return leaveUnattended()
            case .inputEnded, .shutdown:
                return end
            default:
                guard console.isInteractive else { continue }
                if configuration.thankYouSeconds > 0, !console.pause(seconds: configuration.thankYouSeconds) {
                    return .shutdown(stored: nil)
                }
            }
        }
    }

    /// How often the unattended start screen looks for a newly installed configuration, in seconds.
    static let configCheckSeconds: Double = 30

    /// Staff are back: the last customer's screen and its scrollback go.
    private func leaveUnattended() -> SessionEnd {
        console.clearScreen()
        console.line("Left unattended mode.")
        return .staffExit
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

    /// What the PIN prompt decided.
    private enum PINOutcome { case granted, refused, shutdown }

    /// Asks for the staff PIN. Wrong PINs cost a growing delay (1, 2, 4 … s, at most 30), and after
    /// `pinAttempts` of them in a row the prompt is locked for `pinLockoutSeconds`. Logged, never the PIN.
    private func askPIN() -> PINOutcome {
        guard let hash = configuration.staffPINHash ?? sessionPINHash else { return .refused }
        console.line("")
        if let until = pinLockedUntil {
            let left = until.timeIntervalSince(now())
            if left > 0 {
                console.line("Staff PIN locked after \(configuration.pinAttempts) wrong PINs; try again in \(Self.minutes(left)).")
                return console.pause(seconds: 2) ? .refused : .shutdown
            }
            pinLockedUntil = nil
            wrongPINs = 0
        }
        switch console.read(prompt: "Staff PIN (Enter to go back): ", kind: .secret, timeout: 30) {
        case .shutdown:
            return .shutdown
        case .line(let pin) where !pin.isEmpty:
            if PINHash.verify(pin: pin, against: hash) {
                wrongPINs = 0
                logger.notice("staff PIN accepted")
                return .granted
            }
            wrongPINs += 1
            if wrongPINs >= configuration.pinAttempts {
                pinLockedUntil = now().addingTimeInterval(configuration.pinLockoutSeconds)
                logger.warning("staff PIN locked after wrong PINs", metadata: [
                    "pin.failures": "\(wrongPINs)", "pin.lockout_seconds": "\(Int(configuration.pinLockoutSeconds))",
                ])
                console.line("Wrong PIN. Staff PIN locked for \(Self.minutes(configuration.pinLockoutSeconds)).")
            } else {
                logger.warning("wrong staff PIN entered", metadata: ["pin.failures": "\(wrongPINs)"])
                console.line("Wrong PIN.")
            }
            let delay = min(30, pow(2, Double(wrongPINs - 1)))
            return console.pause(seconds: delay) ? .refused : .shutdown
        default:
            return .refused
        }
    }

    private static func minutes(_ seconds: Double) -> String {
        seconds < 90 ? "\(Int(seconds.rounded(.up))) s" : "\(Int((seconds / 60).rounded(.up))) min"
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
            let source = running?.surveys.contains(survey) == true ? "collector" : "local"
            console.line("\(survey.id.padding(toLength: 22, withPad: " ", startingAt: 0)) v\(survey.version)  \(source.padding(toLength: 9, withPad: " ", startingAt: 0))  \(survey.touchpoint)/\(survey.stage.rawValue)  [\(survey.languages.joined(separator: ","))]  \(survey.questions.count) questions  \(title)")
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
            single-key:  \(configuration.singleKey ? "on" : "off") (a survey's own singleKey wins)
            accounts:    \(configuration.accountRule.pattern.map { "must match \($0)" } ?? "any text")\(configuration.accountRule.uppercase ? ", upper-cased" : "")
            staff PIN:   \(pin)\(pinLockedUntil.map { $0 > now() ? " (locked for \(Self.minutes($0.timeIntervalSince(now()))))" : "" } ?? "")
            """)
        if let defaultsWarning { console.line(defaultsWarning) }
        if let fleet {
            for line in KioskStatusText.configuration(fleet.status, running: running, now: now()) { console.line(line) }
        }
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
        var scales: [String: String] = [:]
        for row in rows {
            let points = Set(catalog.survey(row.surveyID)?.questions.compactMap { question -> Int? in
                if case .ces(let points, _) = question.kind { return points }
                return nil
            } ?? [])
            scales[row.surveyID] = points.count == 1 ? points.first.map { "1–\($0)" } : points.isEmpty ? nil : "mixed"
        }
        console.line(StatsTable.render(rows, cesScales: scales))
    }
}

/// The `stats` table.
public enum StatsTable {
    /// Renders one row per survey: n, NPS, CES mean with its scale (`cesScales` by survey id, "1–7"),
    /// CSAT %, and responses left out.
    public static func render(_ rows: [SurveyStatistics], cesScales: [String: String] = [:]) -> String {
        var table = TextTable(header: ["survey", "n", "NPS", "CES", "CSAT", "left out"], rightAligned: [1, 2, 3, 4, 5])
        for row in rows {
            let nps = row.nps.score.map { String(format: "%+.0f", $0) } ?? "–"
            let scale = cesScales[row.surveyID]
            // A mean over answers on different scales means nothing: it is not shown.
            let ces = scale == "mixed" ? "(mixed scales)"
                : row.ces.mean.map { String(format: "%.1f", $0) + (scale.map { " (\($0))" } ?? "") } ?? "–"
            let csat = row.csat.score.map { String(format: "%.0f%%", $0) } ?? "–"
            table.add([row.surveyID, "\(row.responses)", nps, ces, csat, "\(row.excluded)"])
        }
        var lines = [table.render()]
        lines.append("(left out: partial or suspect responses)")
        return lines.joined(separator: "\n")
    }
}
