import Foundation
import TouchpointCore

/// One strict pass over a response payload in its plain form — what every kiosk writes — building the
/// ``TouchpointCore/SurveyResponse`` as it reads.
///
/// The collector's general path is ``StrictJSON/check(_:fields:)`` followed by `JSONDecoder`: two passes and
/// most of the time a payload costs beyond its signature. This reader accepts only a subset of what that path
/// accepts, and for it builds exactly the same response:
/// - objects with only the fields of ``ResponseVerifier/payloadFields``, each at most once, every required one
///   present; whitespace anywhere the grammar allows it;
/// - strings of valid UTF-8 without control characters (U+0000–U+001F, U+007F–U+009F), whose only escapes are
///   `\"`, `\\` and `\/`, not starting with a byte order mark;
/// - integers without sign, fraction or exponent, except a minus before a non-zero answer value;
/// - timestamps ``TouchpointCore/Timestamp`` reads; the enumerations' raw values.
///
/// For anything else it returns nil, and the general path decides and explains. So a payload is refused for the
/// same reasons, with the same words, as without this reader, and one that is accepted is the same response.
public enum PlainPayload {
    /// The response `payload` holds, or nil if it is not in the plain form (see the type's documentation).
    public static func response(_ payload: Data) -> SurveyResponse? {
        PlainJSONReader.read(payload) { reader throws(PlainJSONReader.NotPlain) in try reader.response() }
    }
}

private typealias NotPlain = PlainJSONReader.NotPlain

/// The top-level fields, one bit each, for "seen once" and "all required present".
private enum PayloadField: Int {
    case id, sequence, survey, site, kiosk, touchpoint, stage, language, startedAt, completedAt
    case answers, status, suspect, mode, account, appVersion

    var bit: UInt32 { 1 << UInt32(rawValue) }

    /// Every field but `account`.
    static let required: UInt32 = (1 << 16 - 1) & ~PayloadField.account.bit

    init(_ key: UnsafeBufferPointer<UInt8>) throws(NotPlain) {
        switch key.count {
        case 2 where PlainJSONReader.equal(key, "id"): self = .id
        case 4 where PlainJSONReader.equal(key, "site"): self = .site
        case 4 where PlainJSONReader.equal(key, "mode"): self = .mode
        case 5 where PlainJSONReader.equal(key, "kiosk"): self = .kiosk
        case 5 where PlainJSONReader.equal(key, "stage"): self = .stage
        case 6 where PlainJSONReader.equal(key, "survey"): self = .survey
        case 6 where PlainJSONReader.equal(key, "status"): self = .status
        case 7 where PlainJSONReader.equal(key, "answers"): self = .answers
        case 7 where PlainJSONReader.equal(key, "suspect"): self = .suspect
        case 7 where PlainJSONReader.equal(key, "account"): self = .account
        case 8 where PlainJSONReader.equal(key, "sequence"): self = .sequence
        case 8 where PlainJSONReader.equal(key, "language"): self = .language
        case 9 where PlainJSONReader.equal(key, "startedAt"): self = .startedAt
        case 10 where PlainJSONReader.equal(key, "touchpoint"): self = .touchpoint
        case 10 where PlainJSONReader.equal(key, "appVersion"): self = .appVersion
        case 11 where PlainJSONReader.equal(key, "completedAt"): self = .completedAt
        default: throw NotPlain()
        }
    }
}

extension PlainJSONReader {
    mutating func response() throws(NotPlain) -> SurveyResponse {
        var id: String?, sequence: UInt64?, survey: SurveyReference?, site: String?, kiosk: String?
        var touchpoint: String?, stage: JourneyStage?, language: String?, startedAt: Date?, completedAt: Date?
        var answers: [Answer]?, status: ResponseStatus?, suspect: Bool?, mode: KioskMode?, account: String?
        var appVersion: String?
        var seen: UInt32 = 0
        try object { reader, key throws(NotPlain) in
            let field = try PayloadField(key)
            guard seen & field.bit == 0 else { throw NotPlain() }
            seen |= field.bit
            switch field {
            case .id: id = try reader.string()
            case .sequence: sequence = try reader.unsigned()
            case .survey: survey = try reader.surveyReference()
            case .site: site = try reader.string()
            case .kiosk: kiosk = try reader.string()
            case .touchpoint: touchpoint = try reader.string()
            case .stage: stage = try reader.raw(JourneyStage.self)
            case .language: language = try reader.string()
            case .startedAt: startedAt = try reader.timestamp()
            case .completedAt: completedAt = try reader.timestamp()
            case .answers: answers = try reader.answers()
            case .status: status = try reader.raw(ResponseStatus.self)
            case .suspect: suspect = try reader.bool()
            case .mode: mode = try reader.raw(KioskMode.self)
            case .account: account = try reader.string()
            case .appVersion: appVersion = try reader.string()
            }
        }
        guard seen & PayloadField.required == PayloadField.required, let id, let sequence, let survey,
            let site, let kiosk, let touchpoint, let stage, let language, let startedAt, let completedAt,
            let answers, let status, let suspect, let mode, let appVersion
        else { throw NotPlain() }
        let draft = ResponseDraft(
            survey: survey, site: site, kiosk: kiosk, touchpoint: touchpoint, stage: stage, language: language,
            startedAt: startedAt, completedAt: completedAt, answers: answers, status: status, suspect: suspect,
            mode: mode, account: account, appVersion: appVersion)
        return SurveyResponse(draft: draft, id: id, sequence: sequence)
    }

    mutating func surveyReference() throws(NotPlain) -> SurveyReference {
        var id: String?, version: Int?, digest: String?
        try object { reader, key throws(NotPlain) in
            if key.count == 2, Self.equal(key, "id"), id == nil {
                id = try reader.string()
            } else if key.count == 7, Self.equal(key, "version"), version == nil {
                version = try reader.integer()
            } else if key.count == 6, Self.equal(key, "digest"), digest == nil {
                digest = try reader.string()
            } else {
                throw NotPlain()
            }
        }
        guard let id, let version, let digest else { throw NotPlain() }
        return SurveyReference(id: id, version: version, digest: digest)
    }

    mutating func answers() throws(NotPlain) -> [Answer] {
        var answers: [Answer] = []
        try array { reader throws(NotPlain) in answers.append(try reader.answer()) }
        return answers
    }

    mutating func answer() throws(NotPlain) -> Answer {
        var question: String?, type: QuestionType?, value: AnswerValue?
        try object { reader, key throws(NotPlain) in
            if key.count == 8, Self.equal(key, "question"), question == nil {
                question = try reader.string()
            } else if key.count == 4, Self.equal(key, "type"), type == nil {
                type = try reader.raw(QuestionType.self)
            } else if key.count == 5, Self.equal(key, "value"), value == nil {
                value = try reader.answerValue()
            } else {
                throw NotPlain()
            }
        }
        guard let question, let type, var value else { throw NotPlain() }
        // As `Answer`'s decoder: option ids and comments are both JSON strings; the type tells them apart.
        if type == .choice, case .text(let id) = value {
            value = .option(id)
        }
        return Answer(question: question, type: type, value: value)
    }

    mutating func answerValue() throws(NotPlain) -> AnswerValue {
        switch peek() {
        case UInt8(ascii: "\""): return .text(try string())
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try bool())
        case UInt8(ascii: "-"):
            offset += 1
            guard let first = peek(), first != UInt8(ascii: "0") else { throw NotPlain() }
            let magnitude = try unsigned()
            guard magnitude <= UInt64(Int.max) else { throw NotPlain() }
            return .number(-Int(magnitude))
        default: return .number(try integer())
        }
    }
}
