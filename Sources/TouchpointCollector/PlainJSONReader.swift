import Foundation
import TouchpointCore

/// The primitives of the collector's one-pass readers (``PlainPayload``, ``PlainBatch``): JSON in the plain form
/// kiosks write, read straight from its bytes. Each throws ``NotPlain`` at the first thing outside that form,
/// and the caller then leaves the document to the general path (``StrictJSON`` and `JSONDecoder`), which
/// accepts everything these accept and reads it the same way:
/// - keys of ASCII letters; strings of valid UTF-8 without control characters (U+0000–U+001F, U+007F–U+009F),
///   whose only escapes are `\"`, `\\` and `\/`, not starting with a byte order mark;
/// - integers without sign, fraction, exponent or leading zero; `true`, `false`; whitespace between tokens.
struct PlainJSONReader {
    /// The document is not in the plain form: the general path must read it.
    struct NotPlain: Error {}

    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Reads a whole document of `data` with `read`; nil if any of it is not plain or text follows it.
    static func read<Value>(_ data: Data, _ read: (inout PlainJSONReader) throws(NotPlain) -> Value) -> Value? {
        data.withUnsafeBytes { raw in
            var reader = PlainJSONReader(bytes: raw.bindMemory(to: UInt8.self))
            do throws(NotPlain) {
                let value = try read(&reader)
                reader.skipSpace()
                guard reader.offset == reader.bytes.count else { return nil }
                return value
            } catch {
                return nil
            }
        }
    }

    /// Whether `bytes` are the UTF-8 of `text`.
    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount, let base = bytes.baseAddress else { return false }
        return memcmp(base, text.utf8Start, bytes.count) == 0
    }

    /// `[ value, … ]`: calls `element` at each element.
    mutating func array(_ element: (inout PlainJSONReader) throws(NotPlain) -> Void) throws(NotPlain) {
        skipSpace()
        guard next() == UInt8(ascii: "[") else { throw NotPlain() }
        skipSpace()
        if peek() == UInt8(ascii: "]") {
            offset += 1
            return
        }
        while true {
            skipSpace()
            try element(&self)
            skipSpace()
            switch next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return
            default: throw NotPlain()
            }
        }
    }

    /// `{ "key": value, … }`: calls `member` at each value with the key's bytes (no escapes in keys).
    mutating func object(
        _ member: (inout PlainJSONReader, UnsafeBufferPointer<UInt8>) throws(NotPlain) -> Void
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
