import Crypto
import Foundation
import TouchpointJOSE

/// A staff PIN hashed with PBKDF2-HMAC-SHA256: `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url).
public struct PINHash: Sendable, Hashable, CustomStringConvertible {
    /// The format's scheme name.
    public static let scheme = "pbkdf2-sha256"
    /// Iterations accepted when parsing; a cap keeps a hostile config from stalling the kiosk.
    public static let iterationRange = 1...10_000_000

    /// The PBKDF2 iteration count.
    public var iterations: Int
    /// The salt.
    public var salt: Data
    /// The derived key.
    public var hash: Data

    /// Hashes `pin` with a random 16-byte salt (or `salt`, for tests).
    public static func make(pin: String, iterations: Int = 100_000, salt: Data? = nil) -> PINHash {
        var generator = SystemRandomNumberGenerator()
        let salt = salt ?? Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let count = max(1, iterations)
        return PINHash(iterations: count, salt: salt, hash: pbkdf2SHA256(password: Data(pin.utf8), salt: salt, iterations: count, length: 32))
    }

    /// Parses the encoded form; throws `.malformed` saying what is wrong.
    public init(encoded: String) throws {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        let expected = "expected \(Self.scheme)$<iterations>$<salt>$<hash>"
        guard parts.count == 4, parts[0] == Self.scheme else {
            throw StoreError(.malformed, "PIN hash is not in the \(Self.scheme) format; \(expected)")
        }
        guard let iterations = Int(parts[1]), Self.iterationRange.contains(iterations) else {
            throw StoreError(.malformed, "PIN hash iteration count \(parts[1]) is not a number in \(Self.iterationRange)")
        }
        guard let salt = Base64URL.decode(parts[2]), !salt.isEmpty else {
            throw StoreError(.malformed, "PIN hash salt is not base64url; \(expected)")
        }
        guard let hash = Base64URL.decode(parts[3]), hash.count >= 16 else {
            throw StoreError(.malformed, "PIN hash value is not base64url of at least 16 bytes; \(expected)")
        }
        self.init(iterations: iterations, salt: salt, hash: hash)
    }

    /// Creates a hash from its parts.
    public init(iterations: Int, salt: Data, hash: Data) {
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// `pbkdf2-sha256$<iterations>$<salt>$<hash>`.
    public var encoded: String {
        "\(Self.scheme)$\(iterations)$\(Base64URL.encode(salt))$\(Base64URL.encode(hash))"
    }

    /// Same as ``encoded`` (a hash, not a secret).
    public var description: String { encoded }

    /// Whether `pin` hashes to this value (constant-time comparison).
    public func matches(pin: String) -> Bool {
        let candidate = Self.pbkdf2SHA256(password: Data(pin.utf8), salt: salt, iterations: iterations, length: hash.count)
        return Self.constantTimeEqual(candidate, hash)
    }

    /// Whether `pin` matches the encoded hash; false (never a crash) for a malformed hash.
    public static func verify(pin: String, against encoded: String) -> Bool {
        guard let parsed = try? PINHash(encoded: encoded) else { return false }
        return parsed.matches(pin: pin)
    }

    /// PBKDF2 (RFC 8018 §5.2) with HMAC-SHA256.
    public static func pbkdf2SHA256(password: Data, salt: Data, iterations: Int, length: Int) -> Data {
        // The keyed HMAC state is computed once and copied for every iteration.
        let keyed = HMAC<SHA256>(key: SymmetricKey(data: password))
        var derived = [UInt8]()
        derived.reserveCapacity(length + SHA256.byteCount)
        var block: UInt32 = 1
        while derived.count < length {
            var mac = keyed
            mac.update(data: salt)
            mac.update(data: [UInt8(truncatingIfNeeded: block >> 24), UInt8(truncatingIfNeeded: block >> 16),
                              UInt8(truncatingIfNeeded: block >> 8), UInt8(truncatingIfNeeded: block)])
            var u = Array(mac.finalize())
            var t = u
            for _ in 1..<max(1, iterations) {
                var next = keyed
                next.update(data: u)
                u = Array(next.finalize())
                for index in t.indices { t[index] ^= u[index] }
            }
            derived += t
            block += 1
        }
        return Data(derived.prefix(length))
    }

    /// Compares two byte strings in time that depends only on their lengths.
    static func constantTimeEqual(_ lhs: Data, _ rhs: Data) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }
}
