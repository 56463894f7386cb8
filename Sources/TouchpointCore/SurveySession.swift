import Foundation

/// What the kiosk knows about where and how a session runs.
public struct SessionSettings: Sendable, Hashable {
    /// The site id.
    public var site: String
    /// The kiosk id.
    public var kiosk: String
    /// Overrides the survey's touchpoint when set.
    public var touchpoint: String?
    /// Attended (one session) or unattended (restarts after each response).
    public var mode: KioskMode
    /// In unattended mode, responses faster than this are marked suspect (a survey's own value wins).
    public var minimumSeconds: Double?
    /// The longest answer accepted, in characters (at most ``Question/maximumTextLength`` counts).
    public var maxAnswerLength: Int
    /// An account reference entered by staff, taken as given (normalise it with ``accountRule`` first).
    public var account: String?
    /// The app version recorded in responses.
    public var appVersion: String
    /// What a customer's answer to the account question must look like.
    public var accountRule: AccountRule

    /// Creates settings.
    public init(site: String, kiosk: String, touchpoint: String? = nil, mode: KioskMode = .attended,
                minimumSeconds: Double? = nil, maxAnswerLength: Int = 500, account: String? = nil,
                appVersion: String, accountRule: AccountRule = .standard) {
        self.site = site
        self.kiosk = kiosk
        self.touchpoint = touchpoint
        self.mode = mode
        self.minimumSeconds = minimumSeconds
        self.maxAnswerLength = maxAnswerLength
        self.account = account
        self.appVersion = appVersion
        self.accountRule = accountRule
    }
}

/// A question as it is to be shown now.
public struct QuestionPrompt: Sendable, Hashable {
    /// The question.
    public var question: Question
    /// The language to show it in.
    public var language: String
    /// 1-based position among the questions asked so far.
    public var number: Int
    /// The most questions this customer can still be shown: `number` plus the later questions that may
    /// still appear given the answers so far. Answering never makes it grow; going back may.
    public var total: Int
    /// Whether `<` goes back.
    public var canGoBack: Bool
    /// Whether an empty answer skips it: an optional question without an earlier answer.
    public var canSkip: Bool
    /// The answer given before, when the customer came back to this question; an empty answer keeps it.
    public var previous: AnswerValue?
}

/// What the session asks for next.
public enum SessionPrompt: Sendable, Hashable {
    /// Pick one of the languages.
    case language([String])
    /// Answer a question.
    case question(QuestionPrompt)
}

/// What the caller should do after the session received something.
public enum SessionAction: Sendable, Hashable {
    /// Show this prompt.
    case ask(SessionPrompt)
    /// Say why the input was not taken and show the prompt again.
    case reprompt(SessionPrompt, RepromptReason)
    /// Store this response, then thank the customer.
    case completed(ResponseDraft)
    /// The session timed out; store the partial response if there is one.
    case abandoned(ResponseDraft?)
}

/// One customer's way through a survey: a value that takes input and returns what to do next.
///
/// Pure: no terminal, no clock (times are passed in). `<` goes back, an empty answer keeps the answer given
/// before or else skips an optional question, `when:` conditions hide questions, and the idle timeout abandons.
public struct SurveySession: Sendable {
    /// The survey being answered.
    public let survey: Survey
    /// The survey's identity and digest, recorded in the response.
    public let reference: SurveyReference
    /// Where and how the session runs.
    public let settings: SessionSettings
    /// The language chosen, once chosen.
    public private(set) var language: String?
    /// When the session started.
    public let startedAt: Date
    /// The final action, once the session is over.
    public private(set) var outcome: SessionAction?

    private let languageChosenHere: Bool
    private var current: Int?
    private var path: [Int] = []
    private var answers: [String: AnswerValue] = [:]

    /// Starts a session. `language` (a code in any case: `EN` is `en`) is used if the survey offers it;
    /// otherwise a survey with one language uses that one and a survey with several asks first.
    public init(survey: Survey, reference: SurveyReference, settings: SessionSettings, language: String?, at now: Date) {
        self.survey = survey
        self.reference = reference
        self.settings = settings
        self.startedAt = now
        if let language = language?.lowercased(), survey.languages.contains(language) {
            self.language = language
        } else if survey.languages.count == 1 {
            self.language = survey.languages[0]
        }
        languageChosenHere = self.language == nil
        if self.language != nil {
            current = nextVisible(after: nil)
        }
    }

    /// The first prompt.
    public func start() -> SessionAction {
        if let outcome { return outcome }
        return .ask(prompt)
    }

    /// The prompt currently shown.
    public var prompt: SessionPrompt {
        guard let language, let index = current else { return .language(survey.languages) }
        let previous = answers[survey.questions[index].id]
        let remaining = mostRemaining(after: index)
        return .question(QuestionPrompt(
            question: survey.questions[index], language: language, number: path.count + 1,
            total: path.count + 1 + remaining, canGoBack: !path.isEmpty || languageChosenHere,
            canSkip: survey.questions[index].optional, previous: previous))
    }

    /// Takes one line the customer typed.
    public mutating func receive(_ input: String, at now: Date) -> SessionAction {
        if let outcome { return outcome }
        let limit = min(settings.maxAnswerLength, Question.maximumTextLength)
        guard input.count <= limit else {
            return .reprompt(prompt, .tooLong(limit: limit))
        }
        let cleaned = TextSanitizer.clean(input)
        guard let language, let index = current else { return chooseLanguage(cleaned, at: now) }
        let question = survey.questions[index]
        if cleaned == "<" {
            if let previous = path.popLast() {
                current = previous
                return .ask(prompt)
            }
            if languageChosenHere {
                self.language = nil
                current = nil
                return .ask(prompt)
            }
            return .reprompt(prompt, .atFirstQuestion)
        }
        switch reading(cleaned, for: question, language: language) {
        case nil:
            // The line is the answer: an empty one skips an optional question (dropping an earlier answer)
            // and is refused at a required one. The kiosk starts the line with the earlier answer, so
            // Enter keeps it and clearing the line takes it back.
            guard question.optional else { return .reprompt(prompt, .required) }
            answers[question.id] = nil
        case .value(let value)?:
            answers[question.id] = value
        case .invalid(let reason)?:
            return .reprompt(prompt, reason)
        }
        path.append(index)
        guard let next = nextVisible(after: index) else {
            let action = SessionAction.completed(draft(status: .complete, at: now))
            outcome = action
            current = nil
            return action
        }
        current = next
        return .ask(prompt)
    }

    /// The idle timeout fired: abandons the session, keeping a partial response if the survey asks for it.
    public mutating func timeout(at now: Date) -> SessionAction {
        if let outcome { return outcome }
        let kept = survey.abandoned == .partial && language != nil && !path.isEmpty
        let action = SessionAction.abandoned(kept ? draft(status: .partial, at: now) : nil)
        outcome = action
        return action
    }

    // MARK: Private

    private mutating func chooseLanguage(_ input: String, at now: Date) -> SessionAction {
        let choice = input.lowercased()
        let languages = survey.languages
        var picked: String?
        if let number = Int(choice), (1...languages.count).contains(number) {
            picked = languages[number - 1]
        } else {
            picked = languages.first { $0 == choice || Phrasebook.name(of: $0).lowercased() == choice }
        }
        guard let picked else { return .reprompt(prompt, .unknownLanguage) }
        language = picked
        current = nextVisible(after: nil)
        return .ask(prompt)
    }

    /// What `input` (cleaned) answers to `question`: nil when nothing was typed. An account reference is
    /// checked and normalised by the settings' ``AccountRule``.
    private func reading(_ input: String, for question: Question, language: String) -> AnswerReading? {
        guard question.asksForAccount else {
            return input.isEmpty ? nil : AnswerReader.read(input, for: question, language: language)
        }
        let rule = settings.accountRule
        switch rule.accept(input) {
        case .accepted(let reference): return .value(.text(reference))
        case .empty: return nil
        case .tooLong: return .invalid(.tooLong(limit: Question.maximumAccountLength))
        case .mismatch: return .invalid(.accountFormat(example: rule.example))
        }
    }

    /// The answers that count: those on the path actually taken.
    private func effectiveAnswer(_ id: String) -> AnswerValue? {
        guard path.contains(where: { survey.questions[$0].id == id }) else { return nil }
        return answers[id]
    }

    private func isVisible(_ index: Int) -> Bool {
        // Staff who entered the account already know it: the customer is not asked.
        if survey.questions[index].asksForAccount, settings.account != nil { return false }
        guard let condition = survey.questions[index].condition else { return true }
        return condition.matches(effectiveAnswer(condition.question))
    }

    private func nextVisible(after index: Int?) -> Int? {
        let start = index.map { $0 + 1 } ?? 0
        return (start..<survey.questions.count).first(where: isVisible)
    }

    /// Whether the question at `index` (after `current`) may still be shown, given the answers so far.
    ///
    /// A `when:` on a question before `current` is decided: such a question was answered, skipped or hidden
    /// on the path taken, so the condition is evaluated. A `when:` on `current` or a later question (also one
    /// the customer went back from) is open: the question may appear if the one it looks at may.
    private func mayAppear(_ index: Int, current: Int) -> Bool {
        let question = survey.questions[index]
        if question.asksForAccount, settings.account != nil { return false }
        guard let condition = question.condition else { return true }
        guard let target = survey.questions.firstIndex(where: { $0.id == condition.question }) else { return false }
        if target < current { return condition.matches(effectiveAnswer(condition.question)) }
        return mayAppear(target, current: current)
    }

    /// The most questions after `index` the customer can still be shown. Follow-ups that look at the same
    /// open question count for the answer that shows the most of them at once (a detractor's and a
    /// promoter's follow-up never both appear); a question whose answers cannot be listed counts all of its
    /// follow-ups. Answering only ever lowers this.
    private func mostRemaining(after index: Int) -> Int {
        var count = 0
        var followUps: [Int: [Int]] = [:]
        for later in (index + 1)..<survey.questions.count where mayAppear(later, current: index) {
            if let condition = survey.questions[later].condition,
               let target = survey.questions.firstIndex(where: { $0.id == condition.question }), target >= index {
                followUps[target, default: []].append(later)
            } else {
                count += 1
            }
        }
        for (target, dependents) in followUps {
            guard let answers = Self.possibleAnswers(survey.questions[target]) else {
                count += dependents.count
                continue
            }
            count += answers.map { answer in
                dependents.filter { survey.questions[$0].condition?.matches(answer) == true }.count
            }.max() ?? 0
        }
        return count
    }

    /// Every answer a question can get, when they can be listed.
    private static func possibleAnswers(_ question: Question) -> [AnswerValue]? {
        switch question.kind {
        case .nps, .ces, .csat: return question.kind.scale.map { $0.map { .number($0) } }
        case .yesno: return [.bool(true), .bool(false)]
        case .choice(let options): return options.map { .option($0.id) }
        case .text: return nil
        }
    }

    private func draft(status: ResponseStatus, at now: Date) -> ResponseDraft {
        var given: [Answer] = []
        var account = settings.account
        for index in path {
            let question = survey.questions[index]
            guard let value = answers[question.id] else { continue }
            if question.asksForAccount {
                // The account reference goes in its own field, never among the answers (it is no comment).
                if account == nil, case .text(let reference) = value { account = reference }
            } else {
                given.append(Answer(question: question.id, type: question.type, value: value))
            }
        }
        let minimum = survey.minimumSeconds ?? settings.minimumSeconds
        let tooFast = settings.mode == .unattended && minimum.map { now.timeIntervalSince(startedAt) < $0 } == true
        return ResponseDraft(
            survey: reference, site: settings.site, kiosk: settings.kiosk,
            touchpoint: settings.touchpoint ?? survey.touchpoint, stage: survey.stage,
            language: language ?? survey.languages[0], startedAt: startedAt, completedAt: now, answers: given,
            status: status, suspect: tooFast, mode: settings.mode, account: account,
            appVersion: settings.appVersion)
    }
}

/// Turns a line of customer input into an answer value for a question, or a reason to ask again.
public enum AnswerReader {
    /// Reads `input` (already cleaned, non-empty) as an answer to `question`.
    public static func read(_ input: String, for question: Question, language: String) -> AnswerReading {
        switch question.kind {
        case .nps, .ces, .csat:
            guard let range = question.kind.scale else { return .invalid(.required) }
            guard let number = Int(input) else { return .invalid(.notANumber(range)) }
            guard range.contains(number) else { return .invalid(.outOfRange(range)) }
            return .value(.number(number))
        case .text:
            return .value(.text(input))
        case .yesno:
            switch input.lowercased() {
            case "y", "yes", "j", "ja": return .value(.bool(true))
            case "n", "no", "nej": return .value(.bool(false))
            default: return .invalid(.notYesNo)
            }
        case .choice(let options):
            if let number = Int(input), (1...options.count).contains(number) {
                return .value(.option(options[number - 1].id))
            }
            let lowered = input.lowercased()
            if let option = options.first(where: { $0.id == lowered || $0.label.text(in: language).lowercased() == lowered }) {
                return .value(.option(option.id))
            }
            return .invalid(.unknownOption(count: options.count))
        }
    }
}

/// The outcome of reading one answer: a value, or the reason to ask again.
public enum AnswerReading: Sendable, Hashable {
    /// The answer was understood.
    case value(AnswerValue)
    /// The answer was not understood; ask again, saying why.
    case invalid(RepromptReason)
}
