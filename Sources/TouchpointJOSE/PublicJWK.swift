import Crypto
import Foundation

/// An Ed25519 public key as a JSON Web Key (RFC 8037 §2): `kty` `OKP`, `crv` `Ed25519`, `x`, optional `kid`.
public struct PublicJWK: Sendable, Hashable, Codable {
    /// The key type; `OKP` for Ed25519.
    public var kty: String
    /// The curve; `Ed25519`.
    public var crv: String
    /// The public key bytes, base64url.
    public var x: String
    /// The key id; Touchpoint uses the RFC 7638 thumbprint.
    public var kid: String?

    /// Creates a JWK from its members.
    public init(kty: String = "OKP", crv: String = "Ed25519", x: String, kid: String? = nil) {
        self.kty = kty
        self.crv = crv
        self.x = x
        self.kid = kid
    }

    /// Creates the JWK of `publicKey`; `kid` defaults to nil (use ``withThumbprintID()`` to set it).
    public init(publicKey: Curve25519.Signing.PublicKey, kid: String? = nil) {
        self.init(x: Base64URL.encode(publicKey.rawRepresentation), kid: kid)
    }

    /// The RFC 7638 thumbprint: base64url SHA-256 of `{"crv":…,"kty":…,"x":…}` (sorted members, no whitespace).
    public func thumbprint() -> String {
        let canonical = "{\"crv\":\(Self.jsonString(crv)),\"kty\":\(Self.jsonString(kty)),\"x\":\(Self.jsonString(x))}"
        return Base64URL.encode(Data(SHA256.hash(data: Data(canonical.utf8))))
    }

    /// This key with `kid` set to its thumbprint.
    public func withThumbprintID() -> PublicJWK {
        var copy = self
        copy.kid = thumbprint()
        return copy
    }

    /// The key for verifying signatures; throws `.unsupportedKey` unless this is a valid Ed25519 key.
    public func verifyingKey() throws -> Curve25519.Signing.PublicKey {
        guard kty == "OKP", crv == "Ed25519" else {
            throw JOSEError(.unsupportedKey, "JWK has kty \(kty) and crv \(crv); only OKP/Ed25519 is supported")
        }
        guard let raw = Base64URL.decode(x), raw.count == 32 else {
            throw JOSEError(.unsupportedKey, "JWK member x is not 32 bytes of base64url")
        }
        do {
            return try Curve25519.Signing.PublicKey(rawRepresentation: raw)
        } catch {
            throw JOSEError.wrapping(.unsupportedKey, "JWK member x is not an Ed25519 public key", error)
        }
    }

    /// Compact JSON with sorted members, e.g. for `kiosk.pub.jwk` files.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw JOSEError.wrapping(.malformed, "cannot encode JWK", error)
        }
    }

    /// Decodes a public JWK from JSON, throwing `.malformed` with a readable message, and `.privateKey` for a
    /// JWK that holds the private key too (member `d`): a private key never leaves the kiosk.
    public static func parse(_ data: Data) throws -> PublicJWK {
        let decoder = JSONDecoder()
        let jwk: PublicJWK
        do {
            jwk = try decoder.decode(PublicJWK.self, from: data)
        } catch {
            throw JOSEError.wrapping(.malformed, "not a JWK (expected JSON with kty, crv and x)", error)
        }
        if (try? decoder.decode(PrivateMember.self, from: data))?.d != nil {
            throw JOSEError(.privateKey, "the JWK holds a private key (member d); only the public key may be shared")
        }
        return jwk
    }

    /// The private member of an OKP JWK (RFC 8037 §2), looked for only to refuse it.
    private struct PrivateMember: Decodable {
        var d: String?
    }

    /// `value` as a JSON string literal (RFC 8259 escaping of quotes, backslashes and control characters).
    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
