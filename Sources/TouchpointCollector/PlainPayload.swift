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
        payload.withUnsafeBytes { raw in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self))
            do throws(NotPlain) {
                return try reader.document()
            } catch {
                return nil
            }
        }
    }

    /// The payload is not in the plain form: the general path must read it.
    struct NotPlain: Error {}

    /// The top-level fields, one bit each, for "seen once" and "all required present".
    private enum Field: Int {
        case id, sequence, survey, site, kiosk, touchpoint, stage, language, startedAt, completedAt
        case answers, status, suspect, mode, account, appVersion

        var bit: UInt32 { 1 << UInt32(rawValue) }

        /// Every field but `account`.
        static let required: UInt32 = (1 << 16 - 1) & ~Field.account.bit

        init(_ key: UnsafeBufferPointer<UInt8>) throws(NotPlain) {
            switch key.count {
            case 2 where equal(key, "id"): self = .id
            case 4 where equal(key, "site"): self = .site
            case 4 where equal(key, "mode"): self = .mode
            case 5 where equal(key, "kiosk"): self = .kiosk
            case 5 where equal(key, "stage"): self = .stage
            case 6 where equal(key, "survey"): self = .survey
            case 6 where equal(key, "status"): self = .status
            case 7 where equal(key, "answers"): self = .answers
            case 7 where equal(key, "suspect"): self = .suspect
            case 7 where equal(key, "account"): self = .account
            case 8 where equal(key, "sequence"): self = .sequence
            case 8 where equal(key, "language"): self = .language
            case 9 where equal(key, "startedAt"): self = .startedAt
            case 10 where equal(key, "touchpoint"): self = .touchpoint
            case 10 where equal(key, "appVersion"): self = .appVersion
            case 11 where equal(key, "completedAt"): self = .completedAt
            default: throw NotPlain()
            }
        }
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount, let base = bytes.baseAddress else { return false }
        return memcmp(base, text.utf8Start, bytes.count) == 0
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var offset = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func document() throws(NotPlain) -> SurveyResponse {
            var id: String?, sequence: UInt64?, survey: SurveyReference?, site: String?, kiosk: String?
            var touchpoint: String?, stage: JourneyStage?, language: String?, startedAt: Date?, completedAt: Date?
            var answers: [Answer]?, status: ResponseStatus?, suspect: Bool?, mode: KioskMode?, account: String?
            var appVersion: String?
            var seen: UInt32 = 0
            try object { reader, key throws(NotPlain) in
                let field = try Field(key)
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
            skipSpace()
            guard offset == bytes.count, seen & Field.required == Field.required, let id, let sequence, let survey,
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
                if key.count == 2, equal(key, "id"), id == nil {
                    id = try reader.string()
                } else if key.count == 7, equal(key, "version"), version == nil {
                    version = try reader.integer()
                } else if key.count == 6, equal(key, "digest"), digest == nil {
                    digest = try reader.string()
                } else {
                    throw NotPlain()
                }
            }
            guard let id, let version, let digest else { throw NotPlain() }
            return SurveyReference(id: id, version: version, digest: digest)
        }

        mutating func answers() throws(NotPlain) -> [Answer] {
            guard next() == UInt8(ascii: "[") else { throw NotPlain() }
            var answers: [Answer] = []
            skipSpace()
            if peek() == UInt8(ascii: "]") {
                offset += 1
                return answers
            }
            while true {
                skipSpace()
                answers.append(try answer())
                skipSpace()
                switch next() {
                case UInt8(ascii: ","): continue
                case UInt8(ascii: "]"): return answers
                default: throw NotPlain()
                }
            }
        }

        mutating func answer() throws(NotPlain) -> Answer {
            var question: String?, type: QuestionType?, value: AnswerValue?
            try object { reader, key throws(NotPlain) in
                if key.count == 8, equal(key, "question"), question == nil {
                    question = try reader.string()
                } else if key.count == 4, equal(key, "type"), type == nil {
                    type = try reader.raw(QuestionType.self)
                } else if key.count == 5, equal(key, "value"), value == nil {
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

        /// `{ "key": value, … }`: calls `member` at each value with the key's bytes (no escapes in keys).
        mutating func object(
            _ member: (inout Reader, UnsafeBufferPointer<UInt8>) throws(NotPlain) -> Void
        ) throws(NotPlain) {
            skipSpace()
            guard next() == UInt8(ascii: "{") else { throw NotPlain() }
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                offset += 1
                return
            }
            while true {
                skipSpace()
                let key = try keyBytes()
                skipSpace()
                guard next() == UInt8(ascii: ":") else { throw NotPlain() }
                skipSpace()
                try member(&self, key)
                skipSpace()
                switch next() {
                case UInt8(ascii: ","): continue
                case UInt8(ascii: "}"): return
                default: throw NotPlain()
                }
            }
        }

        /// A key: a string of plain ASCII letters (every field name is one).
        mutating func keyBytes() throws(NotPlain) -> UnsafeBufferPointer<UInt8> {
            guard next() == UInt8(ascii: "\"") else { throw NotPlain() }
            let start = offset
            while let byte = peek(), byte != UInt8(ascii: "\"") {
                guard (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                else { throw NotPlain() }
                offset += 1
            }
            guard offset < bytes.count else { throw NotPlain() }
            let key = UnsafeBufferPointer(rebasing: bytes[start..<offset])
            offset += 1
            return key
        }

        mutating func string() throws(NotPlain) -> String {
            guard next() == UInt8(ascii: "\"") else { throw NotPlain() }
            let start = offset
            if peek() == 0xEF { throw NotPlain() }
            var escapes = false
            while true {
                guard let byte = peek() else { throw NotPlain() }
                if byte == UInt8(ascii: "\"") { break }
                if byte < 0x20 || byte == 0x7F { throw NotPlain() }
                if byte == 0xC2, offset + 1 < bytes.count, (0x80...0x9F).contains(bytes[offset + 1]) { throw NotPlain() }
                if byte == UInt8(ascii: "\\") {
                    guard offset + 1 < bytes.count else { throw NotPlain() }
                    switch bytes[offset + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): escapes = true
                    default: throw NotPlain()
                    }
                    offset += 2
                    continue
                }
                offset += 1
            }
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<offset])
            offset += 1
            guard escapes else {
                guard let text = String(validating: raw, as: UTF8.self) else { throw NotPlain() }
                return text
            }
            var unescaped: [UInt8] = []
            unescaped.reserveCapacity(raw.count)
            var index = 0
            while index < raw.count {
                if raw[index] == UInt8(ascii: "\\") { index += 1 }
                unescaped.append(raw[index])
                index += 1
            }
            guard let text = String(validating: unescaped, as: UTF8.self) else { throw NotPlain() }
            return text
        }

        mutating func unsigned() throws(NotPlain) -> UInt64 {
            guard let first = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw NotPlain() }
            var value: UInt64 = 0
            var digits = 0
            while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { throw NotPlain() }
                value = sum
                digits += 1
                offset += 1
            }
            // No leading zero, fraction or exponent: those the general path reads.
            if first == UInt8(ascii: "0"), digits > 1 { throw NotPlain() }
            if let byte = peek(), byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                throw NotPlain()
            }
            return value
        }

        mutating func integer() throws(NotPlain) -> Int {
            let value = try unsigned()
            guard value <= UInt64(Int.max) else { throw NotPlain() }
            return Int(value)
        }

        mutating func bool() throws(NotPlain) -> Bool {
            if literal("true") { return true }
            if literal("false") { return false }
            throw NotPlain()
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard offset + count <= bytes.count, let base = bytes.baseAddress,
                memcmp(base + offset, word.utf8Start, count) == 0
            else { return false }
            offset += count
            return true
        }

        mutating func raw<Value: RawRepresentable<String>>(_ type: Value.Type) throws(NotPlain) -> Value {
            guard let value = Value(rawValue: try string()) else { throw NotPlain() }
            return value
        }

        mutating func timestamp() throws(NotPlain) -> Date {
            guard let date = Timestamp.date(try string()) else { throw NotPlain() }
            return date
        }

        func peek() -> UInt8? {
            offset < bytes.count ? bytes[offset] : nil
        }

        mutating func next() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func skipSpace() {
            while offset < bytes.count {
                switch bytes[offset] {
                case 0x20, 0x09, 0x0A, 0x0D: offset += 1
                default: return
                }
            }
        }
    }
}
