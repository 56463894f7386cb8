import Foundation
import Testing
import TouchpointJOSE

@Suite("FlattenedJWS.parse: response files read straight from their bytes, everything else as JSONDecoder reads it")
struct JWSParseTests {
    @Test("a file as serialized() writes it, with or without the newline, parses to the same JWS")
    func serializedFiles() throws {
        let key = KioskKey.generate()
        for size in [0, 1, 2, 3, 100, 601] {
            let jws = try FlattenedJWS.sign(payload: Data(repeating: UInt8(ascii: "y"), count: size), key: key)
            let file = try jws.serialized()
            #expect(try FlattenedJWS.parse(file) == jws)
            #expect(try FlattenedJWS.parse(file.dropLast()) == jws)
        }
    }

    @Test("other JSON (spacing, order, escapes, extra members) parses as JSONDecoder reads it; bad JSON is refused")
    func otherJSON() throws {
        let documents = [
            #"{"payload":"cA","protected":"eyJ9","signature":"c2ln"}"#,
            #"{"payload":"","protected":"","signature":""}"#,
            #"{ "payload":"cA","protected":"eyJ9","signature":"c2ln" }"#,
            #"{"protected":"eyJ9","payload":"cA","signature":"c2ln"}"#,
            #"{"payload":"c\/A","protected":"eyJ9","signature":"c2ln"}"#,
            #"{"payload":"cA","protected":"eyJ9","signature":"c2ln","header":{}}"#,
            "{\"payload\":\"cA\",\"protected\":\"eyJ9\",\"signature\":\"c2ln\"}\n\n",
            "{\"payload\":\"cA\",\"protected\":\"eyJ9\",\"signature\":\"c2ln\"}\r\n",
            #"{"payload":"cA","protected":"eyJ9","signature":"c2ln"}x"#,
            #"{"payload":"cA","protected":"eyJ9","signature":"c2ln""#,
            #"{"payload":"cA","protected":"eyJ9"}"#,
            #"{"payload":"c=A","protected":"eyJ9","signature":"c2ln"}"#,
            #"{"payload":1,"protected":"eyJ9","signature":"c2ln"}"#,
            "",
        ]
        for document in documents {
            let data = Data(document.utf8)
            let decoded = try? JSONDecoder().decode(FlattenedJWS.self, from: data)
            #expect((try? FlattenedJWS.parse(data)) == decoded, "\(document)")
        }
    }
}
