import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error from the store: a matchable ``code``, a message saying what failed and where, and the cause.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case keyFile, keyExists, insecurePermissions, unsupportedKey, io, malformed
            case signature, unknownKey, unsupportedAlgorithm, corruptCounter, unrecoveredCounter
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A key file is missing, unreadable, or does not hold a usable Ed25519 private key.
        public static let keyFile = Code(.keyFile)
        /// A key file already exists where a new key was to be created.
        public static let keyExists = Code(.keyExists)
        /// A key file is readable or writable by group or others.
        public static let insecurePermissions = Code(.insecurePermissions)
        /// A JWK is not an Ed25519 (`OKP`/`Ed25519`) key, or its bytes are not a valid key.
        public static let unsupportedKey = Code(.unsupportedKey)
        /// A file system call failed.
        public static let io = Code(.io)
        /// Bytes are not what they should be: bad JSON, bad base64url, a missing member.
        public static let malformed = Code(.malformed)
        /// A signature does not verify.
        public static let signature = Code(.signature)
        /// A JWS names a key (`kid`) other than the one it is checked with.
        public static let unknownKey = Code(.unknownKey)
        /// A JWS uses an algorithm other than `EdDSA`, or a critical header extension.
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)
        /// The sequence counter file does not hold a number.
        public static let corruptCounter = Code(.corruptCounter)
        /// The sequence counter was left open by a store before the machine restarted and has not been recovered
        /// from the stored files yet, so nothing may remove response files.
        public static let unrecoveredCounter = Code(.unrecoveredCounter)

        /// The code's name, e.g. `signature`.
        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What failed and where, for people.
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message followed by the cause, if any.
    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }

    /// An error whose cause is any error, kept as its description (decoding errors are not `Sendable`).
    static func wrapping(_ code: Code, _ message: String, _ error: any Error) -> StoreError {
        if let storeError = error as? StoreError {
            return StoreError(code, message, cause: storeError)
        }
        return StoreError(code, message, cause: DescribedError(description: String(describing: error)))
    }

    /// An `.io` error for a failed system call, with `errno` as the cause.
    static func system(_ call: String, _ path: String, errno code: Int32 = errno) -> StoreError {
        StoreError(.io, "\(call) failed for \(path)", cause: SystemCallError(call: call, errno: code))
    }
}

/// A non-`Sendable` error kept as its description.
struct DescribedError: Error, Sendable, CustomStringConvertible {
    let description: String
}

/// A failed system call and its `errno`.
struct SystemCallError: Error, Sendable, CustomStringConvertible {
    let call: String
    let errno: Int32

    var description: String {
        "\(String(cString: strerror(errno))) (errno \(errno))"
    }
}
