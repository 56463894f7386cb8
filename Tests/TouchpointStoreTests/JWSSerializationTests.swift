import Foundation
import Testing
import TouchpointJOSE
import TouchpointStore

@Suite("FlattenedJWS.serialized: the same bytes as JSONEncoder's, written directly for base64url members")
struct JWSSerializationTests {
    /// What `serialized()` wrote before it had a direct path: sorted members, unescaped slashes, a newline.
    static func encoderBytes(_ jws: FlattenedJWS) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(jws)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    @Test("signed envelopes of many payload sizes")
    func signedEnvelopes() throws {
        let key = KioskKey.generate()
        for size in [0, 1, 2, 3, 4, 100, 601] {
            let jws = try FlattenedJWS.sign(payload: Data(repeating: UInt8(ascii: "x"), count: size), key: key)
            #expect(try jws.serialized() == Self.encoderBytes(jws))
            #expect(try FlattenedJWS.parse(jws.serialized()) == jws)
        }
    }

    @Test("members that are not base64url (quotes, slashes, control characters, non-ASCII) go through JSONEncoder")
    func otherMembers() throws {
        for odd in [#"a"b"#, "a/b", "a\\b", "line\nbreak", "é", "=", ""] {
            let jws = FlattenedJWS(payload: odd, protected: "eyJ9", signature: odd)
            #expect(try jws.serialized() == Self.encoderBytes(jws), "\(odd.debugDescription)")
            #expect(try FlattenedJWS.parse(jws.serialized()) == jws)
        }
    }
}
