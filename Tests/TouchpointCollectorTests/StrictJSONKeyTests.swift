import Foundation
import Testing
import TouchpointCollector

/// How StrictJSON reads object keys: raw, escaped and mixed keys compare as text, and a key's bytes are read as
/// Foundation's `String(bytes:encoding: .utf8)` reads them (which drops a leading byte order mark).
@Suite("StrictJSON keys: raw and escaped spellings, UTF-8, byte order marks")
struct StrictJSONKeyTests {
    /// The problem StrictJSON finds in `bytes`, or nil.
    static func problem(_ bytes: [UInt8], fields: StrictJSON.Fields? = nil) -> StrictJSON.Problem? {
        do throws(StrictJSON.Problem) {
            try StrictJSON.check(Data(bytes), fields: fields)
            return nil
        } catch {
            return error
        }
    }

    @Test("a raw key and its escaped spelling are the same key")
    func escapedAndRawKeysCollide() {
        let raw = Array(#"{"é":1,"\u00e9":2}"#.utf8)
        #expect(Self.problem(raw)?.message == "the key appears twice in its object")
        let mixed = Array(#"{"a\/b":1,"a/b":2}"#.utf8)
        #expect(Self.problem(mixed)?.message == "the key appears twice in its object")
        #expect(Self.problem(Array(#"{"é":1,"e":2,"ab":3,"a\"b":4}"#.utf8)) == nil)
    }

    @Test("a key that is not UTF-8 is refused, raw or before an escape")
    func invalidUTF8() {
        #expect(Self.problem([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])?.message == "a key that is not UTF-8")
        #expect(Self.problem([0x7B, 0x22, 0xC3, 0x5C, 0x6E, 0x22, 0x3A, 0x31, 0x7D]) != nil)
        #expect(Self.problem([0x7B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x3A, 0x31, 0x7D])?.message == "a key that is not UTF-8")
    }

    @Test("a key starting with a byte order mark reads as the key without it, as Foundation's UTF-8 decoding gives")
    func byteOrderMark() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let twice = Array(#"{""#.utf8) + bom + Array(#"a":1,"a":2}"#.utf8)
        #expect(Self.problem(twice)?.message == "the key appears twice in its object")
        let only: StrictJSON.Fields = { _ in ["a"] }
        #expect(Self.problem(Array(#"{""#.utf8) + bom + Array(#"a":1}"#.utf8), fields: only) == nil)
        let inside = Array(#"{"a"#.utf8) + bom + Array(#"":1}"#.utf8)
        #expect(Self.problem(inside, fields: only)?.message == "unknown field")
    }
}
