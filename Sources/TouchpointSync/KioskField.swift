import Foundation

/// The one field of a payload the sync reads: the kiosk id, not verified here (the collector checks it against
/// the key).
struct KioskField: Decodable {
    var kiosk: String

    /// The top-level `kiosk` string of the JSON `payload`; throws as `decoder` does when there is none.
    ///
    /// A payload as the kiosk writes it is read by one pass over its bytes (``scan(_:)``); anything that pass does
    /// not vouch for goes through `decoder`, which decides.
    static func read(_ payload: Data, decoder: JSONDecoder) throws -> String {
        if let kiosk = scan(payload) {
            return kiosk
        }
        return try decoder.decode(KioskField.self, from: payload).kiosk
    }

    /// The top-level `kiosk` member of `payload` when `payload` is plainly valid JSON holding it once, as a
    /// string without escapes; nil otherwise.
    ///
    /// Plainly valid: UTF-8, RFC 8259 grammar, at most ``maximumDepth`` deep, and no `\u` escape (a payload the
    /// kiosk writes has none). Every payload it answers for, `JSONDecoder` reads to the same value; the rest
    /// (escapes, a second `kiosk`, anything invalid) is left to `JSONDecoder`.
    static func scan(_ payload: Data) -> String? {
        guard String(validating: payload, as: UTF8.self) != nil else { return nil }
        return payload.withUnsafeBytes { raw -> String? in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self))
            return reader.document()
        }
    }

    /// The deepest nesting ``scan(_:)`` reads.
    static let maximumDepth = 64

    /// One pass over a payload's bytes.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        /// The kiosk id when the whole document is a plain object with exactly one plain `kiosk` string.
        mutating func document() -> String? {
            skipWhitespace()
            guard peek() == UInt8(ascii: "{") else { return nil }
            index += 1
            var kiosk: String?
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                index += 1
            } else {
                while true {
                    skipWhitespace()
                    guard let key = string() else { return nil }
                    skipWhitespace()
                    guard take(UInt8(ascii: ":")) else { return nil }
                    skipWhitespace()
                    if key.isKiosk {
                        guard kiosk == nil, peek() == UInt8(ascii: "\""), let value = string(), !value.escaped else {
                            return nil
                        }
                        kiosk = String(decoding: UnsafeBufferPointer(rebasing: bytes[value.range]), as: UTF8.self)
                    } else {
                        guard value(depth: 1) else { return nil }
                    }
                    skipWhitespace()
                    if take(UInt8(ascii: ",")) { continue }
                    guard take(UInt8(ascii: "}")) else { return nil }
                    break
                }
            }
            skipWhitespace()
            guard index == bytes.count else { return nil }
            return kiosk
        }

        /// A string just read: where its characters are, and whether it had escapes.
        struct Text {
            var range: Range<Int>
            var escaped: Bool
            var isKiosk: Bool
        }

        /// Reads a string; nil if it is not plain (a `\u` escape, an unknown escape, a control character).
        mutating func string() -> Text? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            var escaped = false
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let range = start..<index
                    index += 1
                    let isKiosk = !escaped && range.count == 5 && bytes[range].elementsEqual("kiosk".utf8)
                    return Text(range: range, escaped: escaped, isKiosk: isKiosk)
                }
                if byte < 0x20 { return nil }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    index += 1
                    guard index < bytes.count else { return nil }
                    switch bytes[index] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        break
                    default:
                        return nil
                    }
                }
                index += 1
            }
            return nil
        }

        /// Skips one value; false if it is not plain JSON.
        mutating func value(depth: Int) -> Bool {
            guard depth <= KioskField.maximumDepth, let byte = peek() else { return false }
            switch byte {
            case UInt8(ascii: "\""):
                return string() != nil
            case UInt8(ascii: "{"):
                index += 1
                skipWhitespace()
                if take(UInt8(ascii: "}")) { return true }
                while true {
                    skipWhitespace()
                    guard string() != nil else { return false }
                    skipWhitespace()
                    guard take(UInt8(ascii: ":")) else { return false }
                    skipWhitespace()
                    guard value(depth: depth + 1) else { return false }
                    skipWhitespace()
                    if take(UInt8(ascii: ",")) { continue }
                    return take(UInt8(ascii: "}"))
                }
            case UInt8(ascii: "["):
                index += 1
                skipWhitespace()
                if take(UInt8(ascii: "]")) { return true }
                while true {
                    skipWhitespace()
                    guard value(depth: depth + 1) else { return false }
                    skipWhitespace()
                    if take(UInt8(ascii: ",")) { continue }
                    return take(UInt8(ascii: "]"))
                }
            case UInt8(ascii: "t"):
                return literal("true")
            case UInt8(ascii: "f"):
                return literal("false")
            case UInt8(ascii: "n"):
                return literal("null")
            default:
                return number()
            }
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        mutating func number() -> Bool {
            _ = take(UInt8(ascii: "-"))
            if take(UInt8(ascii: "0")) {
                // No leading zeros.
            } else {
                guard let first = peek(), first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9") else { return false }
                digits()
            }
            if take(UInt8(ascii: ".")) {
                guard digits() > 0 else { return false }
            }
            if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
                if !take(UInt8(ascii: "+")) {
                    _ = take(UInt8(ascii: "-"))
                }
                guard digits() > 0 else { return false }
            }
            return true
        }

        /// Skips decimal digits; returns how many.
        @discardableResult
        mutating func digits() -> Int {
            let start = index
            while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                index += 1
            }
            return index - start
        }

        mutating func literal(_ word: String) -> Bool {
            let end = index + word.utf8.count
            guard end <= bytes.count, bytes[index..<end].elementsEqual(word.utf8) else { return false }
            index = end
            return true
        }

        mutating func skipWhitespace() {
            while let byte = peek(),
                byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
                    || byte == UInt8(ascii: "\t")
            {
                index += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek() == byte else { return false }
            index += 1
            return true
        }

        func peek() -> UInt8? {
            index < bytes.count ? bytes[index] : nil
        }
    }
}
