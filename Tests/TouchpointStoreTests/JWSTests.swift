import Foundation
import Testing
import TouchpointCore
@testable import TouchpointStore
import TouchpointJOSE

@Suite("JOSE: RFC 8037 vectors, round trip, tampering")
struct JWSTests {
    @Test("RFC 8037 A.2/A.3: public key and thumbprint")
    func rfc8037Thumbprint() throws {
        let key = try RFC8037.key()
        #expect(key.publicJWK.x == RFC8037.x)
        #expect(PublicJWK(x: RFC8037.x).thumbprint() == RFC8037.thumbprint)
        #expect(key.keyID == RFC8037.thumbprint)
        #expect(key.publicJWK.kid == RFC8037.thumbprint)
    }

    @Test("RFC 8037 A.4/A.5: the example JWS is reproduced exactly and verifies")
    func rfc8037Signature() throws {
        let key = try RFC8037.key()
        let jws = try FlattenedJWS.sign(
            payload: Data(RFC8037.payload.utf8), protectedHeader: Data(#"{"alg":"EdDSA"}"#.utf8), key: key)
        #expect(jws.protected == RFC8037.protectedHeader)
        #expect(jws.payload == RFC8037.encodedPayload)
        #expect(jws.signature == RFC8037.signature)

        let published = FlattenedJWS(
            payload: RFC8037.encodedPayload, protected: RFC8037.protectedHeader, signature: RFC8037.signature)
        let payload = try published.verify(with: PublicJWK(x: RFC8037.x))
        #expect(String(decoding: payload, as: UTF8.self) == RFC8037.payload)
    }

    @Test("Base64url: no padding, URL alphabet, strict decoding")
    func base64URL() throws {
        #expect(Base64URL.encode(Data([0xfb, 0xff])) == "-_8")
        #expect(Base64URL.decode("-_8") == Data([0xfb, 0xff]))
        #expect(Base64URL.decode("-_8=") == nil)
        #expect(Base64URL.decode("+/8") == nil)
        #expect(Base64URL.decode("A") == nil)
        #expect(Base64URL.decode("-_9") == nil)  // non-canonical trailing bits
        #expect(Base64URL.decode("") == Data())
    }

    @Test("sign → serialize → parse → verify returns the payload; header is alg/kid/typ")
    func roundTrip() throws {
        let key = KioskKey.generate()
        let payload = Data(#"{"a":"x/y","b":1}"#.utf8)
        let jws = try FlattenedJWS.sign(payload: payload, key: key)

        let bytes = try jws.serialized()
        #expect(bytes.last == UInt8(ascii: "\n"))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"payload":""#))
        #expect(!text.contains(" "))
        let protectedJSON = String(decoding: try #require(Base64URL.decode(jws.protected)), as: UTF8.self)
        #expect(protectedJSON == #"{"alg":"EdDSA","kid":"\#(key.keyID)","typ":"touchpoint-response+jws"}"#)

        let parsed = try FlattenedJWS.parse(bytes)
        #expect(parsed == jws)
        #expect(try parsed.header() == JWSHeader(alg: "EdDSA", kid: key.keyID, typ: "touchpoint-response+jws"))
        #expect(try parsed.verify(with: key.publicJWK) == payload)
    }

    @Test("tampering is rejected with the matching error code")
    func tampering() throws {
        let key = KioskKey.generate()
        let jws = try FlattenedJWS.sign(payload: Data(#"{"nps":9}"#.utf8), key: key)

        var payload = try #require(Base64URL.decode(jws.payload))
        payload[payload.startIndex + 7] ^= 0x01  // 9 → 8
        var flippedPayload = jws
        flippedPayload.payload = Base64URL.encode(payload)
        expectJOSECode(.signature) { try flippedPayload.verify(with: key.publicJWK) }

        var signature = try #require(Base64URL.decode(jws.signature))
        signature[signature.startIndex + 10] ^= 0x80
        var flippedSignature = jws
        flippedSignature.signature = Base64URL.encode(signature)
        expectJOSECode(.signature) { try flippedSignature.verify(with: key.publicJWK) }

        var otherKid = jws
        otherKid.protected = Base64URL.encode(Data(#"{"alg":"EdDSA","kid":"someone-else"}"#.utf8))
        expectJOSECode(.unknownKey) { try otherKid.verify(with: key.publicJWK) }

        var kidless = jws
        kidless.protected = Base64URL.encode(Data(#"{"alg":"EdDSA"}"#.utf8))
        expectJOSECode(.signature) { try kidless.verify(with: key.publicJWK) }  // header bytes are signed

        var otherAlg = jws
        otherAlg.protected = Base64URL.encode(Data(#"{"alg":"HS256","kid":"\#(key.keyID)"}"#.utf8))
        expectJOSECode(.unsupportedAlgorithm) { try otherAlg.verify(with: key.publicJWK) }

        var none = jws
        none.protected = Base64URL.encode(Data(#"{"alg":"none"}"#.utf8))
        none.signature = ""
        expectJOSECode(.unsupportedAlgorithm) { try none.verify(with: key.publicJWK) }

        let critical = try FlattenedJWS.sign(
            payload: Data("x".utf8), protectedHeader: Data(#"{"alg":"EdDSA","crit":["exp"],"exp":1}"#.utf8), key: key)
        expectJOSECode(.unsupportedAlgorithm) { try critical.verify(with: key.publicJWK) }

        let other = KioskKey.generate()
        expectJOSECode(.unknownKey) { try jws.verify(with: other.publicJWK) }
        var otherWithoutKid = other.publicJWK
        otherWithoutKid.kid = nil
        expectJOSECode(.signature) { try jws.verify(with: otherWithoutKid) }

        var badBase64 = jws
        badBase64.signature = "not base64!"
        expectJOSECode(.malformed) { try badBase64.verify(with: key.publicJWK) }
        var badPayload = jws
        badPayload.payload = "***"
        expectJOSECode(.malformed) { try badPayload.verify(with: key.publicJWK) }

        expectJOSECode(.malformed) { try FlattenedJWS.parse(Data(#"{"payload":"e30"}"#.utf8)) }
        expectJOSECode(.unsupportedKey) { try jws.verify(with: PublicJWK(kty: "EC", crv: "P-256", x: key.publicJWK.x)) }

        #expect(try jws.verify(with: key.publicJWK) == Data(#"{"nps":9}"#.utf8))
    }

    @Test("a JWK with a private part (d) is refused where a public key belongs")
    func privateJWKIsRefused() throws {
        let privateJWK = #"{"crv":"Ed25519","d":"\#(RFC8037.d)","kty":"OKP","x":"\#(RFC8037.x)"}"#
        expectJOSECode(.privateKey) { try PublicJWK.parse(Data(privateJWK.utf8)) }
        let publicJWK = #"{"crv":"Ed25519","kty":"OKP","x":"\#(RFC8037.x)"}"#
        #expect(try PublicJWK.parse(Data(publicJWK.utf8)).thumbprint() == RFC8037.thumbprint)
    }

    @Test("a key's description never shows private bytes")
    func keyDescription() throws {
        let key = try RFC8037.key()
        let texts = [key.description, "\(key)", String(reflecting: key), dumped(key)]
        for text in texts {
            #expect(!text.contains(RFC8037.d))
            #expect(text.contains(RFC8037.thumbprint))
        }
        #expect(!dumped(key).contains("privateKey"))
    }

    private func dumped(_ key: KioskKey) -> String {
        var text = ""
        dump(key, to: &text)
        return text
    }
}

/// Expects `body` to throw a ``StoreError`` with `code`.
func expectCode<T>(
    _ code: StoreError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T
) {
    do {
        _ = try body()
        Issue.record("expected StoreError \(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected StoreError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

/// Expects `body` to throw a ``JOSEError`` with `code`.
func expectJOSECode<T>(
    _ code: JOSEError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T
) {
    do {
        _ = try body()
        Issue.record("expected JOSEError \(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as JOSEError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected JOSEError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
