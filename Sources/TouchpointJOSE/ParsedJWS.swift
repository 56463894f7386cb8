import Crypto
import Foundation

/// A flattened JWS decoded once: its protected header, payload bytes, signature bytes and signing input.
///
/// Made from a ``FlattenedJWS`` whose header was decoded by the caller (which looks at `kid` and `typ` first),
/// so that nothing is decoded twice on the collector's path: header, then the checks that need only the
/// header, then the bytes, then the Ed25519 check.
public struct ParsedJWS: Sendable {
    /// The JWS as received: the three base64url members.
    public let envelope: FlattenedJWS
    /// The protected header.
    public let header: JWSHeader
    /// The payload bytes (not yet verified until ``verify(with:keyName:)`` returns).
    public let payload: Data
    /// The signature bytes.
    public let signature: Data
    /// What the signature covers: `ASCII(protected || "." || payload)`.
    public let signingInput: Data

    /// Checks `header` (decoded from `envelope`) and decodes the payload and the signature.
    ///
    /// Throws `.unsupportedAlgorithm` (`alg` not `EdDSA`, or `crit`), `.unknownKey` (header `kid` differs from
    /// `expectedKeyID`, when both are present) or `.malformed` (payload or signature not base64url), in that order.
    public init(_ envelope: FlattenedJWS, header: JWSHeader, expectedKeyID: String?) throws {
        guard header.alg == FlattenedJWS.algorithm else {
            throw JOSEError(
                .unsupportedAlgorithm, "JWS alg is \(header.alg); only \(FlattenedJWS.algorithm) is accepted")
        }
        if let crit = header.crit {
            throw JOSEError(.unsupportedAlgorithm, "JWS lists critical extensions \(crit), none are supported")
        }
        if let signedKid = header.kid, let expectedKeyID, signedKid != expectedKeyID {
            throw JOSEError(.unknownKey, "JWS was signed by key \(signedKid), not by \(expectedKeyID)")
        }
        guard let payload = Base64URL.decode(envelope.payload) else {
            throw JOSEError(.malformed, "JWS payload is not base64url")
        }
        guard let signature = Base64URL.decode(envelope.signature) else {
            throw JOSEError(.malformed, "JWS signature is not base64url")
        }
        self.envelope = envelope
        self.header = header
        self.payload = payload
        self.signature = signature
        self.signingInput = FlattenedJWS.signingInput(protected: envelope.protected, payload: envelope.payload)
    }

    /// Checks the signature with `key` and returns the payload bytes; throws `.signature` if it does not verify.
    ///
    /// `keyName` names the key in the error (its kid or thumbprint), and is only evaluated then.
    public func verify(with key: Curve25519.Signing.PublicKey, keyName: @autoclosure () -> String) throws -> Data {
        guard key.isValidSignature(signature, for: signingInput) else {
            throw JOSEError(.signature, "JWS signature does not verify with key \(keyName())")
        }
        return payload
    }
}
