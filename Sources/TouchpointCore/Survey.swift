/// A questionnaire shown at a touchpoint: ordered questions, each visible string per language.
///
/// Surveys are read from YAML by ``SurveyParser``; a `Survey` value has always passed validation.
public struct Survey: Sendable, Hashable, Codable {
    /// Stable identifier (`retail-visit`), unique within a surveys directory.
    public var id: String
    /// Version of the definition; raise it whenever questions change meaning.
    public var version: Int
    /// The survey's title, per language.
    public var title: LocalizedText
    /// The touchpoint the survey belongs to (`retail`, `service`, `test-drive`, `delivery`, …).
    public var touchpoint: String
    /// The journey stage.
    public var stage: JourneyStage
    /// The languages the survey is offered in, in the order they are offered.
    public var languages: [String]
    /// What happens to the answers of a session abandoned by the idle timeout.
    public var abandoned: AbandonPolicy
    /// Completed faster than this in unattended mode, a response is marked suspect (overrides the kiosk setting).
    public var minimumSeconds: Double?
    /// The questions, in order.
    public var questions: [Question]
    /// How the answers are used, shown before the first free-text question; nil when the file has none.
    ///
    /// Nil is left out of the encoding, so surveys without it keep their digest.
    public var privacyNotice: LocalizedText?
    /// Whether questions answered with one key take a single key press (`singleKey:`); nil when not given.
    ///
    /// Nil is left out of the encoding, so surveys without it keep their digest.
    public var singleKey: Bool?

    /// Creates a survey. Prefer ``SurveyParser`` for definitions from files: it validates.
    public init(
        id: String, version: Int, title: LocalizedText, touchpoint: String, stage: JourneyStage,
        languages: [String], abandoned: AbandonPolicy = .drop, minimumSeconds: Double? = nil,
        questions: [Question], privacyNotice: LocalizedText? = nil, singleKey: Bool? = nil
    ) {
        self.id = id
        self.version = version
        self.title = title
        self.touchpoint = touchpoint
        self.stage = stage
        self.languages = languages
        self.abandoned = abandoned
        self.minimumSeconds = minimumSeconds
        self.questions = questions
        self.privacyNotice = privacyNotice
        self.singleKey = singleKey
    }

    /// The question with `id`, if any.
    public func question(_ id: String) -> Question? {
        questions.first { $0.id == id }
    }
}

/// The customer-journey stage a survey measures.
public enum JourneyStage: String, Sendable, Hashable, Codable, CaseIterable {
    /// Buying: showroom, test drive, offer.
    case shop
    /// Owning: delivery, service, repairs.
    case own
}

/// What the kiosk does with a half-answered session when the idle timeout abandons it.
public enum AbandonPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Drop the answers; the kiosk only counts the abandonment.
    case drop
    /// Store the answers given so far as a response marked partial.
    case partial
}

/// One question of a survey.
public struct Question: Sendable, Hashable, Codable {
    /// Identifier, unique within the survey.
    public var id: String
    /// What is asked and how it is answered.
    public var kind: QuestionKind
    /// The question text, per language.
    public var text: LocalizedText
    /// Whether the customer may skip it.
    public var optional: Bool
    /// Shown only when this holds for an earlier answer.
    public var condition: Condition?
    /// `account: true` in the file; nil otherwise, so that surveys without it keep their digest.
    private var account: Bool?

    /// Creates a question; `asksForAccount` makes a `text` question ask for the customer's account reference.
    public init(
        id: String, kind: QuestionKind, text: LocalizedText, optional: Bool = false, condition: Condition? = nil,
        asksForAccount: Bool = false
    ) {
        self.id = id
        self.kind = kind
        self.text = text
        self.optional = optional
        self.condition = condition
        self.account = asksForAccount ? true : nil
    }

    /// Whether the answer is the customer's account reference (a company or customer id), not a comment.
    ///
    /// Such a (`text`) question's answer is recorded as the response's `account`, never among its answers,
    /// so it is never shown or posted as a comment. It is not asked when staff entered the account already.
    public var asksForAccount: Bool { account == true }

    /// The longest accepted account reference, in characters.
    public static let maximumAccountLength = 64

    /// The longest text answer any kiosk records and the collector accepts, in characters.
    ///
    /// A kiosk's `maxAnswerLength` (default 500) may lower it, never raise it: the session caps a line at
    /// the smaller of the two, and the collector rejects a longer text answer.
    public static let maximumTextLength = 2000

    /// The answer type as written in survey files and response payloads.
    public var type: QuestionType { kind.type }
}

/// The answer types a question can have.
public enum QuestionType: String, Sendable, Hashable, Codable, CaseIterable {
    case nps, ces, csat, text, choice, yesno
}

/// The answer scale and options of a question.
public enum QuestionKind: Sendable, Hashable, Codable {
    /// Net Promoter Score: 0–10.
    case nps(labels: ScaleLabels)
    /// Customer Effort Score: 1…`points` (7 by default, 5 allowed).
    case ces(points: Int, labels: ScaleLabels)
    /// Customer satisfaction: 1–5.
    case csat(labels: ScaleLabels)
    /// A free comment.
    case text
    /// One of the listed options.
    case choice(options: [ChoiceOption])
    /// Yes or no.
    case yesno

    /// The answer type.
    public var type: QuestionType {
        switch self {
        case .nps: .nps
        case .ces: .ces
        case .csat: .csat
        case .text: .text
        case .choice: .choice
        case .yesno: .yesno
        }
    }

    /// The closed range of a numeric scale, or nil for non-numeric questions.
    public var scale: ClosedRange<Int>? {
        switch self {
        case .nps: 0...10
        case .ces(let points, _): 1...points
        case .csat: 1...5
        case .text, .choice, .yesno: nil
        }
    }

    /// The end-point labels of a numeric scale.
    public var labels: ScaleLabels? {
        switch self {
        case .nps(let labels), .ces(_, let labels), .csat(let labels): labels
        case .text, .choice, .yesno: nil
        }
    }
}

/// Labels for the low and high end of a numeric scale.
public struct ScaleLabels: Sendable, Hashable, Codable {
    /// The label of the lowest value.
    public var low: LocalizedText
    /// The label of the highest value.
    public var high: LocalizedText

    /// Creates labels.
    public init(low: LocalizedText, high: LocalizedText) {
        self.low = low
        self.high = high
    }

    /// The standard labels of a question type ("not at all likely" / "extremely likely" for NPS).
    public static func standard(for type: QuestionType) -> ScaleLabels {
        switch type {
        case .nps:
            ScaleLabels(
                low: LocalizedText(["en": "not at all likely", "sv": "inte alls troligt"]),
                high: LocalizedText(["en": "extremely likely", "sv": "extremt troligt"]))
        case .ces:
            ScaleLabels(
                low: LocalizedText(["en": "strongly disagree", "sv": "instämmer inte alls"]),
                high: LocalizedText(["en": "strongly agree", "sv": "instämmer helt"]))
        default:
            ScaleLabels(
                low: LocalizedText(["en": "very dissatisfied", "sv": "mycket missnöjd"]),
                high: LocalizedText(["en": "very satisfied", "sv": "mycket nöjd"]))
        }
    }
}

/// One option of a `choice` question.
public struct ChoiceOption: Sendable, Hashable, Codable {
    /// Identifier stored in responses.
    public var id: String
    /// The visible label, per language.
    public var label: LocalizedText

    /// Creates an option.
    public init(id: String, label: LocalizedText) {
        self.id = id
        self.label = label
    }
}

/// A `when:` condition: the question is shown only if an earlier answer matches.
public struct Condition: Sendable, Hashable, Codable {
    /// The earlier question the condition looks at.
    public var question: String
    /// What the answer must satisfy.
    public var test: Test

    /// Creates a condition.
    public init(question: String, test: Test) {
        self.question = question
        self.test = test
    }

    /// What an answer must satisfy.
    public enum Test: Sendable, Hashable, Codable {
        /// A numeric answer within the bounds (either may be open).
        case range(min: Int?, max: Int?)
        /// An answer equal to one of these values.
        case oneOf([AnswerValue])
    }

    /// Whether `answer` satisfies the condition; an unanswered (skipped or hidden) question never does.
    public func matches(_ answer: AnswerValue?) -> Bool {
        guard let answer else { return false }
        switch test {
        case .range(let min, let max):
            guard case .number(let value) = answer else { return false }
            if let min, value < min { return false }
            if let max, value > max { return false }
            return true
        case .oneOf(let values):
            return values.contains(answer)
        }
    }
}
