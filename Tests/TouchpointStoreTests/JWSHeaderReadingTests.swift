import Foundation
import Testing
import TouchpointJOSE

/// `FlattenedJWS.header()` reads a kiosk's plain header in one pass and leaves anything else to `JSONDecoder`:
/// either way the header is what `JSONDecoder` makes of it, and what it refuses is refused.
@Suite("Reading a JWS protected header")
struct JWSHeaderReadingTests {
    static func header(_ json: String) -> (header: JWSHeader?, error: String?) {
        let jws = FlattenedJWS(payload: "", protected: Base64URL.encode(Data(json.utf8)), signature: "")
        do {
            return (try jws.header(), nil)
        } catch {
            return (nil, "\(error)")
        }
    }

    static func decoded(_ json: String) -> JWSHeader? {
        try? JSONDecoder().decode(JWSHeader.self, from: Data(json.utf8))
    }

    @Test(arguments: [
        #"{"alg":"EdDSA","kid":"abc-_123","typ":"touchpoint-response+jws"}"#,
        #"{"alg":"EdDSA"}"#,
        " { \"typ\" : \"x\" ,\"alg\":\"EdDSA\"\t}\n ",
        #"{"alg":"HS256","kid":"k"}"#,
        #"{"alg":"EdDSA","crit":["b64"]}"#,
        #"{"alg":"EdDSA","x5u":"https://example.com"}"#,
        #"{"alg":"Ed\u0044SA","kid":"k"}"#,
        #"{"alg":"EdDSA","kid":"k","kid":"l"}"#,
        #"{"alg":"EdDSA","kid":"å"}"#,
        #"{"alg":"EdDSA","kid":null}"#,
        #"{"kid":"k"}"#,
        #"{}"#,
        #"{"alg":"EdDSA"} x"#,
        #"{"alg":"EdDSA""#,
        #"["alg"]"#,
    ])
    func theHeaderIsWhatJSONDecoderReads(json: String) {
        let (header, error) = Self.header(json)
        if let header {
            #expect(header == Self.decoded(json), "\(json)")
        } else {
            #expect(Self.decoded(json) == nil, "\(json): \(error ?? "")")
            #expect(error?.contains("protected header") == true, "\(error ?? "")")
        }
    }
}
