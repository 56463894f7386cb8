import Foundation

/// One answer in a response: the question, its type and the value given.
public struct Answer: Sendable, Hashable, Codable {
    /// The question's id.
    public var question: String
    /// The question's type.
    public var type: QuestionType
    /// The value given.
    public var value: AnswerValue

    /// Creates an answer.
    public init(question: String, type: QuestionType, value: AnswerValue) {
        self.question = question
        self.type = type
        self.value = value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        question = try container.decode(String.self, forKey: .question)
        type = try container.decode(QuestionType.self, forKey: .type)
        // Option ids and comments are both JSON strings: the type tells them apart.
        let raw = try container.decode(AnswerValue.self, forKey: .value)
        if type == .choice, case .text(let id) = raw {
            value = .option(id)
        } else {
            value = raw
        }
    }
}

/// Identifies the exact survey definition a response answers.
public struct SurveyReference: Sendable, Hashable, Codable {
    /// The survey id.
    public var id: String
    /// The survey version.
    public var version: Int
    /// `sha256:` + hex digest of the survey's canonical definition.
    public var digest: String

    /// Creates a reference.
    public init(id: String, version: Int, digest: String) {
        self.id = id
        self.version = version
        self.digest = digest
    }
}

/// Whether a response holds every answer the customer was asked for.
public enum ResponseStatus: String, Sendable, Hashable, Codable {
    /// The customer reached the end.
    case complete
    /// Abandoned by the idle timeout and kept because the survey says `abandoned: partial`.
    case partial
}

/// How the kiosk was run when the response was given.
public enum KioskMode: String, Sendable, Hashable, Codable {
    /// Staff started one session.
    case attended
    /// The kiosk restarts the survey after every response until staff leave with the PIN.
    case unattended
}

/// Where a response was given: the kiosk's identity and setting.
public struct ResponseOrigin: Sendable, Hashable, Codable {
    /// The site (showroom, service centre) id.
    public var site: String
    /// The kiosk id.
    public var kiosk: String
    /// The touchpoint; the survey's unless the kiosk overrides it.
    public var touchpoint: String?
    /// The app version that recorded the response.
    public var appVersion: String

    /// Creates an origin.
    public init(site: String, kiosk: String, touchpoint: String? = nil, appVersion: String) {
        self.site = site
        self.kiosk = kiosk
        self.touchpoint = touchpoint
        self.appVersion = appVersion
    }
}

/// A finished session before it is stored: everything but the response id and sequence number.
public struct ResponseDraft: Sendable, Hashable {
    /// The survey answered.
    public var survey: SurveyReference
    /// The site.
    public var site: String
    /// The kiosk.
    public var kiosk: String
    /// The touchpoint.
    public var touchpoint: String
    /// The journey stage.
    public var stage: JourneyStage
    /// The language the customer answered in.
    public var language: String
    /// When the first question was shown.
    public var startedAt: Date
    /// When the last answer was given (or the session was abandoned).
    public var completedAt: Date
    /// The answers, in question order; skipped and hidden questions are absent.
    public var answers: [Answer]
    /// Complete or partial.
    public var status: ResponseStatus
    /// Answered faster than the minimum time in unattended mode.
    public var suspect: Bool
    /// Attended or unattended.
    public var mode: KioskMode
    /// An account reference (company or customer id), if staff entered one.
    public var account: String?
    /// The recording app's version.
    public var appVersion: String

    /// Creates a draft.
    public init(
        survey: SurveyReference, site: String, kiosk: String, touchpoint: String, stage: JourneyStage,
        language: String, startedAt: Date, completedAt: Date, answers: [Answer], status: ResponseStatus,
        suspect: Bool, mode: KioskMode, account: String? = nil, appVersion: String
    ) {
        self.survey = survey
        self.site = site
        self.kiosk = kiosk
        self.touchpoint = touchpoint
        self.stage = stage
        self.language = language
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.answers = answers
        self.status = status
        self.suspect = suspect
        self.mode = mode
        self.account = account
        self.appVersion = appVersion
    }
}

/// A stored response: the signed payload of a response file.
///
/// The JSON form is the contract between kiosk and collector; see the README's "Response files".
public struct SurveyResponse: Sendable, Hashable, Codable {
    /// Time-ordered unique id (UUIDv7, lowercase).
    public var id: String
    /// The kiosk's sequence number: rises by one with every stored response, never reused.
    public var sequence: UInt64
    /// The survey answered.
    public var survey: SurveyReference
    /// The site.
    public var site: String
    /// The kiosk.
    public var kiosk: String
    /// The touchpoint.
    public var touchpoint: String
    /// The journey stage.
    public var stage: JourneyStage
    /// The language answered in.
    public var language: String
    /// When the first question was shown (UTC).
    public var startedAt: Date
    /// When the response was finished (UTC).
    public var completedAt: Date
    /// The answers in question order.
    public var answers: [Answer]
    /// Complete or partial.
    public var status: ResponseStatus
    /// Answered faster than the minimum time in unattended mode.
    public var suspect: Bool
    /// Attended or unattended.
    public var mode: KioskMode
    /// An account reference, if any.
    public var account: String?
    /// The app version that recorded it.
    public var appVersion: String

    /// Creates a response from a draft, its id and its sequence number.
    public init(draft: ResponseDraft, id: String, sequence: UInt64) {
        self.id = id
        self.sequence = sequence
        survey = draft.survey
        site = draft.site
        kiosk = draft.kiosk
        touchpoint = draft.touchpoint
        stage = draft.stage
        language = draft.language
        startedAt = draft.startedAt
        completedAt = draft.completedAt
        answers = draft.answers
        status = draft.status
        suspect = draft.suspect
        mode = draft.mode
        account = draft.account
        appVersion = draft.appVersion
    }

    /// The answer to `question`, if one was given.
    public func answer(_ question: String) -> AnswerValue? {
        answers.first { $0.question == question }?.value
    }

    enum CodingKeys: String, CodingKey {
        case id, sequence, survey, site, kiosk, touchpoint, stage, language, startedAt, completedAt
        case answers, status, suspect, mode, account, appVersion
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        sequence = try c.decode(UInt64.self, forKey: .sequence)
        survey = try c.decode(SurveyReference.self, forKey: .survey)
        site = try c.decode(String.self, forKey: .site)
        kiosk = try c.decode(String.self, forKey: .kiosk)
        touchpoint = try c.decode(String.self, forKey: .touchpoint)
        stage = try c.decode(JourneyStage.self, forKey: .stage)
        language = try c.decode(String.self, forKey: .language)
        startedAt = try Timestamp.decode(c, .startedAt)
        completedAt = try Timestamp.decode(c, .completedAt)
        answers = try c.decode([Answer].self, forKey: .answers)
        status = try c.decode(ResponseStatus.self, forKey: .status)
        suspect = try c.decode(Bool.self, forKey: .suspect)
        mode = try c.decode(KioskMode.self, forKey: .mode)
        account = try c.decodeIfPresent(String.self, forKey: .account)
        appVersion = try c.decode(String.self, forKey: .appVersion)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(survey, forKey: .survey)
        try c.encode(site, forKey: .site)
        try c.encode(kiosk, forKey: .kiosk)
        try c.encode(touchpoint, forKey: .touchpoint)
        try c.encode(stage, forKey: .stage)
        try c.encode(language, forKey: .language)
        try c.encode(Timestamp.string(startedAt), forKey: .startedAt)
        try c.encode(Timestamp.string(completedAt), forKey: .completedAt)
        try c.encode(answers, forKey: .answers)
        try c.encode(status, forKey: .status)
        try c.encode(suspect, forKey: .suspect)
        try c.encode(mode, forKey: .mode)
        try c.encodeIfPresent(account, forKey: .account)
        try c.encode(appVersion, forKey: .appVersion)
    }

    /// The canonical JSON bytes of the payload (sorted keys, unescaped slashes).
    ///
    /// Written directly when no text holds a control character (the kiosk removes them from what customers
    /// type), with the same bytes `JSONEncoder` writes; by `JSONEncoder` otherwise.
    public func canonicalJSON() throws -> Data {
        if let direct = CanonicalWriter.write(self) {
            return direct
        }
        return try encodedCanonicalJSON()
    }

    /// ``canonicalJSON()`` as `JSONEncoder` writes it (sorted keys, unescaped slashes).
    public func encodedCanonicalJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Decodes a payload.
    public static func decode(_ data: Data) throws -> SurveyResponse {
        try decode(data, using: JSONDecoder())
    }

    /// Decodes a payload with `decoder` (one per batch, not one per item).
    public static func decode(_ data: Data, using decoder: JSONDecoder) throws -> SurveyResponse {
        try decoder.decode(SurveyResponse.self, from: data)
    }
}

/// ISO 8601 UTC timestamps with milliseconds, as used in response payloads.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// Formats `date` as e.g. `2026-11-23T18:30:00.123Z`, rounded to the nearest millisecond.
    public static func string(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        if let text = CivilTime.text(milliseconds: millis, separator: UInt8(ascii: "T"), suffix: UInt8(ascii: "Z")) {
            return text
        }
        // Years before 1600 or after 9999: as Foundation writes them.
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
        return whole.dropLast() + String(format: ".%03dZ", Int(millis - seconds * 1000))
    }

    /// Parses a timestamp written by ``string(_:)`` (fractional seconds optional), to the millisecond.
    public static func date(_ string: String) -> Date? {
        if let milliseconds = CivilTime.milliseconds(timestamp: string) {
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
        // Any other form (no fraction, another year range, …): as Foundation reads it.
        guard let parsed = (try? style.parse(string)) ?? (try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(string)) else {
            return nil
        }
        return Date(timeIntervalSince1970: (parsed.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    static func decode<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Date {
        let raw = try container.decode(String.self, forKey: key)
        guard let date = date(raw) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "not an ISO 8601 timestamp: \(raw)")
        }
        return date
    }
}

/// ``SurveyResponse/canonicalJSON()`` written member by member in `JSONEncoder`'s sorted order.
private struct CanonicalWriter {
    var bytes: [UInt8] = []

    /// The payload's bytes, or nil if a text holds a control character (U+0000–U+001F), which `JSONEncoder`
    /// escapes in ways this writer leaves to it.
    static func write(_ response: SurveyResponse) -> Data? {
        var writer = CanonicalWriter()
        writer.bytes.reserveCapacity(640)
        guard writer.object(response) else { return nil }
        return Data(writer.bytes)
    }

    mutating func object(_ r: SurveyResponse) -> Bool {
        raw("{")
        if let account = r.account {
            guard member("account", account, first: true) else { return false }
            raw(",")
        }
        raw(#""answers":["#)
        for (index, answer) in r.answers.enumerated() {
            if index > 0 { raw(",") }
            guard member("question", answer.question, first: true, open: true), member("type", answer.type.rawValue) else {
                return false
            }
            raw(#","value":"#)
            switch answer.value {
            case .number(let value): raw(String(value))
            case .bool(let value): raw(value ? "true" : "false")
            case .text(let text), .option(let text):
                guard string(text) else { return false }
            }
            raw("}")
        }
        raw("]")
        guard member("appVersion", r.appVersion), member("completedAt", Timestamp.string(r.completedAt)),
            member("id", r.id), member("kiosk", r.kiosk), member("language", r.language), member("mode", r.mode.rawValue)
        else { return false }
        raw(#","sequence":"#)
        raw(String(r.sequence))
        guard member("site", r.site), member("stage", r.stage.rawValue), member("startedAt", Timestamp.string(r.startedAt)),
            member("status", r.status.rawValue)
        else { return false }
        raw(#","survey":{"#)
        guard member("digest", r.survey.digest, first: true), member("id", r.survey.id) else { return false }
        raw(#","version":"#)
        raw(String(r.survey.version))
        raw("}")
        raw(#","suspect":"#)
        raw(r.suspect ? "true" : "false")
        guard member("touchpoint", r.touchpoint) else { return false }
        raw("}")
        return true
    }

    /// `,"key":"value"` (no comma when `first`; an opening brace before it when `open`).
    mutating func member(_ key: StaticString, _ value: String, first: Bool = false, open: Bool = false) -> Bool {
        if open { raw("{") }
        if !first { raw(",") }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        raw(#"":"#)
        return string(value)
    }

    /// `"text"` with `"` and `\` escaped; false if it holds a control character.
    mutating func string(_ text: String) -> Bool {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case 0..<0x20: return false
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        return true
    }

    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }
}
