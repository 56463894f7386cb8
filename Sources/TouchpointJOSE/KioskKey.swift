import Crypto
import Foundation

/// A kiosk's Ed25519 signing key. Printing it shows only the key id, never private bytes.
public struct KioskKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let privateKey: Curve25519.Signing.PrivateKey

    /// The public key as a JWK, with `kid` set to its thumbprint.
    public let publicJWK: PublicJWK

    /// Generates a new random key.
    public static func generate() -> KioskKey {
        KioskKey(privateKey: Curve25519.Signing.PrivateKey())
    }

    /// Restores a key from its 32-byte seed (the JWK `d` member); throws `.invalidKey` if it is not one.
    public init(rawRepresentation: Data) throws {
        guard rawRepresentation.count == 32 else {
            throw JOSEError(.invalidKey, "an Ed25519 private key is 32 bytes, got \(rawRepresentation.count)")
        }
        do {
            self.init(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation))
        } catch {
            throw JOSEError.wrapping(.invalidKey, "not an Ed25519 private key", error)
        }
    }

    private init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        publicJWK = PublicJWK(publicKey: privateKey.publicKey).withThumbprintID()
    }

    /// The key id: the RFC 7638 thumbprint of the public key.
    public var keyID: String { publicJWK.kid ?? publicJWK.thumbprint() }

    /// The public key.
    public var publicKey: Curve25519.Signing.PublicKey { privateKey.publicKey }

    /// The private seed (the JWK `d` member), for the key file only: never log or send it. (The key's
    /// description and reflection hide it.)
    public var seed: Data { privateKey.rawRepresentation }

    /// Signs `data` with Ed25519 and returns the 64-byte signature.
    public func sign(_ data: Data) throws -> Data {
        do {
            return try privateKey.signature(for: data)
        } catch {
            throw JOSEError.wrapping(.signature, "Ed25519 signing failed with key \(keyID)", error)
        }
    }

    /// `KioskKey(kid: …)`.
    public var description: String { "KioskKey(kid: \(keyID))" }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// A mirror with the key id only, so `dump` shows no private bytes.
    public var customMirror: Mirror { Mirror(self, children: ["kid": keyID]) }
}
