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

    /// Restores a key from its 32-byte seed (the JWK `d` member); throws `.keyFile` if it is not one.
    public init(rawRepresentation: Data) throws {
        guard rawRepresentation.count == 32 else {
            throw StoreError(.keyFile, "an Ed25519 private key is 32 bytes, got \(rawRepresentation.count)")
        }
        do {
            self.init(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation))
        } catch {
            throw StoreError.wrapping(.keyFile, "not an Ed25519 private key", error)
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

    /// The private seed; internal so that only ``KeyFile`` writes it.
    var seed: Data { privateKey.rawRepresentation }

    /// Signs `data` with Ed25519 and returns the 64-byte signature.
    public func sign(_ data: Data) throws -> Data {
        do {
            return try privateKey.signature(for: data)
        } catch {
            throw StoreError.wrapping(.signature, "Ed25519 signing failed with key \(keyID)", error)
        }
    }

    /// `KioskKey(kid: …)`.
    public var description: String { "KioskKey(kid: \(keyID))" }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// A mirror with the key id only, so `dump` shows no private bytes.
    public var customMirror: Mirror { Mirror(self, children: ["kid": keyID]) }
}
