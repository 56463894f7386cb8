import Crypto
import Foundation

/// A JWS in flattened JSON serialization (RFC 7515 §7.2.2) signed with Ed25519 (RFC 8037 `EdDSA`).
///
/// The three members hold base64url text exactly as stored; the signature covers
/// `ASCII(protected || "." || payload)`.
public struct FlattenedJWS: Sendable, Hashable, Codable {
    /// The `alg` value Touchpoint signs with and accepts.
    public static let algorithm = "EdDSA"
    /// The `typ` of a response envelope.
    public static let responseType = "touchpoint-response+jws"

    /// The payload, base64url.
    public var payload: String
    /// The protected header JSON, base64url.
    public var protected: String
    /// The signature, base64url.
    public var signature: String

    /// Creates a JWS from its three base64url members (no checking: see ``verify(with:)``).
    public init(payload: String, protected: String, signature: String) {
        self.payload = payload
        self.protected = `protected`
        self.signature = signature
    }

    /// Signs `payload` as a response envelope: header `{"alg":"EdDSA","kid":<thumbprint>,"typ":…}`.
    public static func sign(payload: Data, key: KioskKey) throws -> FlattenedJWS {
        let header = JWSHeader(alg: algorithm, kid: key.keyID, typ: responseType)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let headerJSON: Data
        do {
            headerJSON = try encoder.encode(header)
        } catch {
            throw JOSEError.wrapping(.malformed, "cannot encode the JWS header", error)
        }
        return try sign(payload: payload, protectedHeader: headerJSON, key: key)
    }

    /// Signs `payload` under the exact protected header bytes given (e.g. RFC 8037 A.4's `{"alg":"EdDSA"}`).
    public static func sign(payload: Data, protectedHeader: Data, key: KioskKey) throws -> FlattenedJWS {
        let encodedHeader = Base64URL.encode(protectedHeader)
        let encodedPayload = Base64URL.encode(payload)
        let signature = try key.sign(signingInput(protected: encodedHeader, payload: encodedPayload))
        return FlattenedJWS(payload: encodedPayload, protected: encodedHeader, signature: Base64URL.encode(signature))
    }

    /// The decoded protected header; throws `.malformed` if it is not base64url JSON with `alg`.
    public func header() throws -> JWSHeader {
        try header(using: JSONDecoder())
    }

    /// The decoded protected header, read with `decoder` (one per batch, not one per item).
    public func header(using decoder: JSONDecoder) throws -> JWSHeader {
        guard let json = Base64URL.decode(`protected`) else {
            throw JOSEError(.malformed, "JWS protected header is not base64url")
        }
        if let plain = JWSHeader(plain: json) {
            return plain
        }
        do {
            return try decoder.decode(JWSHeader.self, from: json)
        } catch {
            throw JOSEError.wrapping(.malformed, "JWS protected header is not JSON with an alg member", error)
        }
    }

    /// The payload bytes without checking the signature (for showing a file that fails to verify).
    public func unverifiedPayload() throws -> Data {
        guard let data = Base64URL.decode(payload) else {
            throw JOSEError(.malformed, "JWS payload is not base64url")
        }
        return data
    }

    /// Verifies the signature with `jwk` and returns the payload bytes.
    ///
    /// Throws `.malformed` (bad base64url or header), `.unsupportedAlgorithm` (`alg` not `EdDSA`, or `crit`),
    /// `.unknownKey` (header `kid` differs from the JWK's, when both are present), `.unsupportedKey`
    /// (the JWK is not Ed25519) or `.signature` (the signature does not verify).
    public func verify(with jwk: PublicJWK) throws -> Data {
        let parsed = try ParsedJWS(self, header: header(), expectedKeyID: jwk.kid)
        let key = try jwk.verifyingKey()
        return try parsed.verify(with: key, keyName: jwk.kid ?? jwk.thumbprint())
    }

    /// Compact JSON (sorted members, unescaped slashes) followed by a newline: the bytes of a response file.
    public func serialized() throws -> Data {
        if let bytes = plainSerialization() {
            return bytes
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            var data = try encoder.encode(self)
            data.append(UInt8(ascii: "\n"))
            return data
        } catch {
            throw JOSEError.wrapping(.malformed, "cannot encode the JWS", error)
        }
    }

    /// ``serialized()``'s bytes written directly when every member is base64url text (as in every JWS that
    /// was signed or verified here), which needs no JSON escaping; nil otherwise.
    func plainSerialization() -> Data? {
        guard let text = plainText() else { return nil }
        var data = Data(capacity: text.utf8.count + 1)
        data.append(contentsOf: text.utf8)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// ``serialized()``'s text without its final newline, made by joining the members when each is base64url
    /// text (then no JSON escaping is needed); nil otherwise.
    public func plainText() -> String? {
        guard Self.isBase64URLText(payload), Self.isBase64URLText(`protected`), Self.isBase64URLText(signature) else {
            return nil
        }
        return #"{"payload":""# + payload + #"","protected":""# + `protected` + #"","signature":""# + signature + #""}"#
    }

    private static func isBase64URLText(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { $0.allSatisfy(Base64URL.isCharacter) }
    }

    /// Parses a flattened JWS from JSON; throws `.malformed` if a member is missing or not a string.
    ///
    /// A response file as written here (``serialized()``'s bytes) is read straight from its bytes; any other
    /// JSON goes through `JSONDecoder`, with the same result.
    public static func parse(_ data: Data) throws -> FlattenedJWS {
        if let plain = plainParse(data) {
            return plain
        }
        do {
            return try JSONDecoder().decode(FlattenedJWS.self, from: data)
        } catch {
            throw JOSEError.wrapping(
                .malformed, "not a flattened JWS (JSON with payload, protected and signature)", error)
        }
    }

    /// The JWS in `data` when `data` is exactly ``plainSerialization()``'s bytes (the final newline optional):
    /// the members read straight from the bytes, as `JSONDecoder` would read them; nil for anything else.
    static func plainParse(_ data: Data) -> FlattenedJWS? {
        data.withUnsafeBytes { raw -> FlattenedJWS? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = 0
            func skip(_ literal: StaticString) -> Bool {
                let count = literal.utf8CodeUnitCount
                guard bytes.count - index >= count else { return false }
                for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
                    return false
                }
                index += count
                return true
            }
            func member() -> String {
                let start = index
                while index < bytes.count, Base64URL.isCharacter(bytes[index]) {
                    index += 1
                }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            }
            guard skip(#"{"payload":""#) else { return nil }
            let payload = member()
            guard skip(#"","protected":""#) else { return nil }
            let header = member()
            guard skip(#"","signature":""#) else { return nil }
            let signature = member()
            guard skip(#""}"#) else { return nil }
            if index < bytes.count, bytes[index] == UInt8(ascii: "\n") {
                index += 1
            }
            guard index == bytes.count else { return nil }
            return FlattenedJWS(payload: payload, protected: header, signature: signature)
        }
    }

    /// The JWS signing input: ASCII(BASE64URL(header) || "." || BASE64URL(payload)).
    static func signingInput(protected: String, payload: String) -> Data {
        var input = Data(capacity: `protected`.utf8.count + 1 + payload.utf8.count)
        input.append(contentsOf: `protected`.utf8)
        input.append(UInt8(ascii: "."))
        input.append(contentsOf: payload.utf8)
        return input
    }
}
