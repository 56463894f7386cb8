import Foundation

/// A strict reading of JSON bytes, for what the collector stores exactly as signed or received.
///
/// JSON parsers disagree on some inputs (a duplicate key is the first value for one, the last for another;
/// a `\u0000` ends a string for C code), so the collector refuses them before decoding: the RFC 8259
/// grammar, no key twice in an object, no control character (U+0000–U+001F, U+007F–U+009F) in a
/// string, raw or escaped — the kiosk never writes one (see ``TouchpointCore/TextSanitizer``) — and
/// nesting at most ``maximumDepth`` deep. Optionally, objects may only have the fields a schema lists.
public enum StrictJSON {
    /// The deepest nesting of objects and arrays accepted.
    public static let maximumDepth = 32

    /// The fields an object may have, by its path (`[]` the top level, `["answers", 0]` an answer);
    /// nil for any fields.
    public typealias Fields = @Sendable (_ path: [PathComponent]) -> Set<String>?

    /// One step of a path into a JSON document.
    public enum PathComponent: Sendable, Hashable {
        /// An object member.
        case key(String)
        /// An array element.
        case index(Int)
    }

    /// Why a document is not strict JSON: the path where it happened and what is wrong.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        /// Where, e.g. `answers[1].value`.
        public var path: [PathComponent]
        /// What, e.g. `the key appears twice in its object`.
        public var message: String

        /// `field answers[1].value: control character U+0000 in a string`; just the message at the top level.
        public var description: String { path.isEmpty ? message : "field \(StrictJSON.path(path)): \(message)" }
    }

    /// Checks `data`; throws the first ``Problem`` found. `fields` restricts the members of objects.
    public static func check(_ data: Data, fields: Fields? = nil) throws(Problem) {
        let problem: Problem? = data.withUnsafeBytes { raw in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self), fields: fields)
            do throws(Problem) {
                try reader.document()
                return nil
            } catch {
                return error
            }
        }
        if let problem { throw problem }
    }

    /// `answers[1].value` for a path; `(top level)` for the empty one.
    public static func path(_ components: [PathComponent]) -> String {
        guard !components.isEmpty else { return "(top level)" }
        var text = ""
        for component in components {
            switch component {
            case .index(let index): text += "[\(index)]"
            case .key(let key): text += text.isEmpty ? key : "." + key
            }
        }
        return text
    }

    /// Whether the kiosk never writes `scalar` in a string: C0 controls, DEL and C1 controls.
    static func isControl(_ value: UInt32) -> Bool {
        value < 0x20 || (0x7F...0x9F).contains(value)
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let fields: Fields?
        var offset = 0
        var path: [PathComponent] = []

        init(bytes: UnsafeBufferPointer<UInt8>, fields: Fields?) {
            self.bytes = bytes
            self.fields = fields
        }

        func problem(_ message: String) -> Problem {
            Problem(path: path, message: message)
        }

        func syntax(_ expected: String) -> Problem {
            guard offset < bytes.count else { return problem("not valid JSON: the document ends where \(expected) was expected") }
            return problem("not valid JSON at byte \(offset): expected \(expected)")
        }

        mutating func document() throws(Problem) {
            skipSpace()
            try value(depth: 0)
            skipSpace()
            guard offset == bytes.count else { throw problem("not valid JSON at byte \(offset): text after the document") }
        }

        mutating func skipSpace() {
            while offset < bytes.count {
                switch bytes[offset] {
                case 0x20, 0x09, 0x0A, 0x0D: offset += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Problem) {
            guard offset < bytes.count else { throw syntax("a value") }
            switch bytes[offset] {
            case UInt8(ascii: "{"): try object(depth: depth + 1)
            case UInt8(ascii: "["): try array(depth: depth + 1)
            case UInt8(ascii: "\""): _ = try string(keepText: false)
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try number()
            }
        }

        mutating func literal(_ word: String) throws(Problem) {
            let expected = Array(word.utf8)
            guard offset + expected.count <= bytes.count, bytes[offset..<offset + expected.count].elementsEqual(expected) else {
                throw syntax("a value")
            }
            offset += expected.count
        }

        mutating func number() throws(Problem) {
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw syntax("a value") }
            if bytes[offset] == UInt8(ascii: "0") {
                offset += 1
            } else {
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
                offset += 1
                guard offset < bytes.count, isDigit(bytes[offset]) else { throw syntax("a digit") }
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
                offset += 1
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
                guard offset < bytes.count, isDigit(bytes[offset]) else { throw syntax("a digit") }
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
            }
        }

        func isDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }

        mutating func object(depth: Int) throws(Problem) {
            guard depth <= StrictJSON.maximumDepth else { throw problem("nested more than \(StrictJSON.maximumDepth) deep") }
            offset += 1
            let allowed = fields?(path)
            var seen: Set<String> = []
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return
            }
            while true {
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw syntax("a key in quotes") }
                let key = try string(keepText: true)
                guard seen.insert(key).inserted else {
                    path.append(.key(key))
                    throw problem("the key appears twice in its object")
                }
                if let allowed, !allowed.contains(key) {
                    path.append(.key(key))
                    throw problem("unknown field")
                }
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw syntax("':'") }
                offset += 1
                skipSpace()
                path.append(.key(key))
                try value(depth: depth)
                path.removeLast()
                skipSpace()
                guard offset < bytes.count else { throw syntax("',' or '}'") }
                if bytes[offset] == UInt8(ascii: ",") {
                    offset += 1
                } else if bytes[offset] == UInt8(ascii: "}") {
                    offset += 1
                    return
                } else {
                    throw syntax("',' or '}'")
                }
            }
        }

        mutating func array(depth: Int) throws(Problem) {
            guard depth <= StrictJSON.maximumDepth else { throw problem("nested more than \(StrictJSON.maximumDepth) deep") }
            offset += 1
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return
            }
            var index = 0
            while true {
                skipSpace()
                path.append(.index(index))
                try value(depth: depth)
                path.removeLast()
                skipSpace()
                guard offset < bytes.count else { throw syntax("',' or ']'") }
                if bytes[offset] == UInt8(ascii: ",") {
                    offset += 1
                    index += 1
                } else if bytes[offset] == UInt8(ascii: "]") {
                    offset += 1
                    return
                } else {
                    throw syntax("',' or ']'")
                }
            }
        }

        /// Reads a string at `offset` (its opening quote); returns its text when `keepText` (keys), else "".
        mutating func string(keepText: Bool) throws(Problem) -> String {
            offset += 1
            var scalars = String.UnicodeScalarView()
            var start = offset
            var escaped = false
            func control(_ value: UInt32) -> Problem {
                problem("control character U+\(String(format: "%04X", value)) in a string")
            }
            while true {
                guard offset < bytes.count else { throw syntax("'\"'") }
                let byte = bytes[offset]
                if byte == UInt8(ascii: "\"") {
                    if keepText, !escaped {
                        // No escapes: the text is the raw bytes (the common case, without the scalar copy).
                        let text = try rawText(start..<offset)
                        offset += 1
                        return text
                    }
                    if keepText { try appendRaw(start..<offset, to: &scalars) }
                    offset += 1
                    break
                }
                if byte < 0x20 {
                    throw control(UInt32(byte))
                }
                if byte == 0xC2, offset + 1 < bytes.count, (0x80...0x9F).contains(bytes[offset + 1]) {
                    throw control(UInt32(bytes[offset + 1]))
                }
                if byte == 0x7F {
                    throw control(0x7F)
                }
                guard byte == UInt8(ascii: "\\") else {
                    offset += 1
                    continue
                }
                if keepText { try appendRaw(start..<offset, to: &scalars) }
                escaped = true
                offset += 1
                guard offset < bytes.count else { throw syntax("an escape") }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                    scalars.append(Unicode.Scalar(escape))
                case UInt8(ascii: "b"): throw control(0x08)
                case UInt8(ascii: "f"): throw control(0x0C)
                case UInt8(ascii: "n"): throw control(0x0A)
                case UInt8(ascii: "r"): throw control(0x0D)
                case UInt8(ascii: "t"): throw control(0x09)
                case UInt8(ascii: "u"):
                    var value = try hex4()
                    if (0xD800...0xDBFF).contains(value) {
                        guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                            throw problem("unpaired surrogate \\u\(String(format: "%04X", value)) in a string")
                        }
                        offset += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else {
                            throw problem("unpaired surrogate \\u\(String(format: "%04X", value)) in a string")
                        }
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(value) {
                        throw problem("unpaired surrogate \\u\(String(format: "%04X", value)) in a string")
                    }
                    if StrictJSON.isControl(value) { throw control(value) }
                    if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
                default:
                    offset -= 1
                    throw syntax("an escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\u)")
                }
                start = offset
            }
            return keepText ? String(scalars) : ""
        }

        mutating func hex4() throws(Problem) -> UInt32 {
            guard offset + 4 <= bytes.count else { throw syntax("four hex digits") }
            var value: UInt32 = 0
            for byte in bytes[offset..<offset + 4] {
                guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { throw syntax("four hex digits") }
                value = value * 16 + UInt32(digit)
            }
            offset += 4
            return value
        }

        func appendRaw(_ range: Range<Int>, to scalars: inout String.UnicodeScalarView) throws(Problem) {
            scalars.append(contentsOf: try rawText(range).unicodeScalars)
        }

        /// The UTF-8 text of `range`, as Foundation's `String(bytes:encoding: .utf8)` reads it; throws if not UTF-8.
        func rawText(_ range: Range<Int>) throws(Problem) -> String {
            let raw = UnsafeBufferPointer(rebasing: bytes[range])
            // Foundation drops a leading byte order mark (EF BB BF): text starting with 0xEF goes through it to keep that.
            if raw.first != 0xEF, let text = String(validating: raw, as: UTF8.self) {
                return text
            }
            guard let text = String(bytes: raw, encoding: .utf8) else {
                throw problem("a key that is not UTF-8")
            }
            return text
        }
    }
}
