import Foundation
import Testing
import TouchpointJOSE

/// The byte codec against the Foundation-based one it replaced, which stays here as the reference.
@Suite("Base64URL over bytes: same results as Foundation's decoding, canonical spellings only")
struct Base64URLTests {
    /// The former implementation: Foundation's base64 with the alphabet swapped, padding added, and the
    /// canonical check by re-encoding.
    enum Reference {
        static func encode(_ data: Data) -> String {
            var text = data.base64EncodedString()
            text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            while text.hasSuffix("=") {
                text.removeLast()
            }
            return text
        }

        static func decode(_ text: String) -> Data? {
            let allowed = text.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
            guard allowed, text.utf8.count % 4 != 1 else { return nil }
            var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
            guard let data = Data(base64Encoded: standard) else { return nil }
            guard encode(data) == text else { return nil }
            return data
        }
    }

    /// SplitMix64: a seeded generator, so a failure names an input that can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    /// Characters a base64url decoder must refuse, including standard base64's and padding.
    static let strangers: [Character] = ["=", "+", "/", " ", "\n", ".", "\0", "é", "\u{7F}", "😀", "~"]

    @Test("random bytes: the same encoding as Foundation's, and decoding returns them")
    func randomBytesRoundTrip() {
        var random = SeededGenerator(state: 12)
        for _ in 0..<3000 {
            let count = Int.random(in: 0...80, using: &random)
            let data = Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &random) })
            let text = Base64URL.encode(data)
            #expect(text == Reference.encode(data), "\(Array(data))")
            #expect(Base64URL.decode(text) == data, "\(text)")
        }
    }

    @Test("random text, mostly the alphabet: decodes exactly when Foundation's strict decoding does, to the same bytes")
    func randomTextAgreesWithFoundation() {
        var random = SeededGenerator(state: 8037)
        for _ in 0..<5000 {
            let count = Int.random(in: 0...24, using: &random)
            var text = String((0..<count).map { _ in Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &random)] })
            if !text.isEmpty, Int.random(in: 0..<4, using: &random) == 0 {
                let position = text.index(text.startIndex, offsetBy: Int.random(in: 0..<text.count, using: &random))
                text.replaceSubrange(position...position, with: String(Self.strangers[Int.random(in: 0..<Self.strangers.count, using: &random)]))
            }
            #expect(Base64URL.decode(text) == Reference.decode(text), "\(text.debugDescription)")
        }
    }

    @Test("every byte as the last character after 1, 2 and 3 characters: trailing bits, padding, invalid bytes")
    func lastCharacterEdges() {
        for prefix in ["A", "AA", "AAA", "-_8", "AAAAA", "AAAAAA", "AAAAAAA"] {
            for value in 0...255 {
                let scalar = Unicode.Scalar(UInt8(value))
                let text = prefix + String(Character(scalar))
                #expect(Base64URL.decode(text) == Reference.decode(text), "\(text.debugDescription)")
            }
        }
    }

    @Test("hand-picked cases: padding, standard alphabet, lengths 4n + 1, non-canonical trailing bits")
    func handPicked() {
        let cases: [(String, [UInt8]?)] = [
            ("", []), ("AA", [0]), ("AAA", [0, 0]), ("AAAA", [0, 0, 0]), ("_w", [0xFF]), ("__8", [0xFF, 0xFF]),
            ("____", [0xFF, 0xFF, 0xFF]), ("AB", nil), ("AAB", nil), ("_x", nil), ("__9", nil),
            ("AA==", nil), ("AAA=", nil), ("A", nil), ("AAAAA", nil), ("+w", nil), ("/w", nil), ("AA A", nil),
            ("Zm9v", Array("foo".utf8)), ("Zm9vYg", Array("foob".utf8)), ("Zm9vYmE", Array("fooba".utf8)),
        ]
        for (text, bytes) in cases {
            #expect(Base64URL.decode(text) == bytes.map { Data($0) }, "\(text)")
            #expect(Reference.decode(text) == bytes.map { Data($0) }, "reference: \(text)")
        }
    }

    @Test("text made from a substring or from bytes decodes like a literal")
    func otherStrings() {
        let whole = "xxZm9vYmE"
        #expect(Base64URL.decode(String(whole.dropFirst(2))) == Data("fooba".utf8))
        #expect(Base64URL.decode(String(decoding: Array("Zm9vYmE".utf8), as: UTF8.self)) == Data("fooba".utf8))
    }
}
