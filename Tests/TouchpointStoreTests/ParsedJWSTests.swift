import Foundation
import Testing
import TouchpointJOSE
import TouchpointStore

@Suite("ParsedJWS: decoded once, same checks and order as FlattenedJWS.verify")
struct ParsedJWSTests {
    @Test("RFC 8037 A.4: header, payload, signature and signing input as published")
    func rfc8037Parts() throws {
        let published = FlattenedJWS(
            payload: RFC8037.encodedPayload, protected: RFC8037.protectedHeader, signature: RFC8037.signature)
        let decoder = JSONDecoder()
        let parsed = try ParsedJWS(published, header: published.header(using: decoder), expectedKeyID: nil)
        #expect(parsed.header == JWSHeader(alg: "EdDSA"))
        #expect(parsed.payload == Data(RFC8037.payload.utf8))
        #expect(parsed.signature == Base64URL.decode(RFC8037.signature))
        #expect(parsed.signingInput == Data((RFC8037.protectedHeader + "." + RFC8037.encodedPayload).utf8))
        #expect(parsed.envelope == published)
        let key = try PublicJWK(x: RFC8037.x).verifyingKey()
        #expect(try parsed.verify(with: key, keyName: "rfc") == Data(RFC8037.payload.utf8))
    }

    @Test("the header is checked before the payload and signature are decoded, as FlattenedJWS.verify does")
    func checkOrder() throws {
        let key = KioskKey.generate()
        let jws = try FlattenedJWS.sign(payload: Data(#"{"nps":9}"#.utf8), key: key)

        var otherAlgBadPayload = jws
        otherAlgBadPayload.protected = Base64URL.encode(Data(#"{"alg":"HS256"}"#.utf8))
        otherAlgBadPayload.payload = "***"
        expectJOSECode(.unsupportedAlgorithm) {
            try ParsedJWS(otherAlgBadPayload, header: otherAlgBadPayload.header(), expectedKeyID: key.keyID)
        }
        expectJOSECode(.unsupportedAlgorithm) { try otherAlgBadPayload.verify(with: key.publicJWK) }

        var badBoth = jws
        badBoth.payload = "***"
        badBoth.signature = "!"
        expectJOSECode(.unknownKey) { try ParsedJWS(badBoth, header: badBoth.header(), expectedKeyID: "someone-else") }
        expectJOSECode(.malformed) { try ParsedJWS(badBoth, header: badBoth.header(), expectedKeyID: key.keyID) }

        var badSignature = jws
        badSignature.signature = "AB"  // non-canonical trailing bits
        expectJOSECode(.malformed) { try ParsedJWS(badSignature, header: badSignature.header(), expectedKeyID: nil) }

        let parsed = try ParsedJWS(jws, header: jws.header(), expectedKeyID: key.keyID)
        expectJOSECode(.signature) { try parsed.verify(with: KioskKey.generate().publicKey, keyName: "other") }
        #expect(try parsed.verify(with: key.publicKey, keyName: key.keyID) == Data(#"{"nps":9}"#.utf8))
    }
}
