import Crypto
import Foundation
import TouchpointCore
import TouchpointJOSE

/// Per-kiosk bearer tokens for the upload endpoint: generated once, stored only as a SHA-256 hash.
public enum CollectorToken {
    /// A new random token: `tp_` and 32 bytes from the system's secure generator, base64url without padding.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// A new token with random bytes from `generator` (tests pass a seeded one).
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for _ in 0..<4 {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        // The prefix keeps a token from starting with `-` (a command line would take it for an option) and lets
        // secret scanners recognise one.
        return prefix + Base64URL.encode(Data(bytes))
    }

    /// What every token starts with.
    public static let prefix = "tp_"

    /// The lowercase hex SHA-256 of the token's UTF-8 bytes: what the collector stores.
    public static func hash(_ token: String) -> String {
        hex(SHA256.hash(data: Data(token.utf8)))
    }

    /// Whether `token` hashes to `expectedHash`, compared in constant time.
    public static func matches(_ token: String, hash expectedHash: String) -> Bool {
        constantTimeEqual(Array(hash(token).utf8), Array(expectedHash.lowercased().utf8))
    }

    /// The token of an `Authorization: Bearer <token>` header value, or nil if it is not one.
    public static func bearerToken(fromAuthorization value: String) -> String? {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        Hex.lowercase(digest)
    }

    /// Equality whose time depends only on the lengths, not on where the bytes differ.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
