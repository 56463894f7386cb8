/// An error from JWS and JWK handling: a matchable ``code``, a message saying what failed, and the cause.
public struct JOSEError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case malformed, signature, unknownKey, unsupportedAlgorithm, unsupportedKey, invalidKey, privateKey
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// Not base64url, not JSON, or missing members.
        public static let malformed = Code(.malformed)
        /// The signature does not verify, or signing failed.
        public static let signature = Code(.signature)
        /// Signed by another key than the one expected.
        public static let unknownKey = Code(.unknownKey)
        /// An `alg` other than EdDSA, or critical extensions.
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)
        /// A JWK that is not an Ed25519 (`OKP`/`Ed25519`) public key.
        public static let unsupportedKey = Code(.unsupportedKey)
        /// Private key bytes that are not an Ed25519 private key.
        public static let invalidKey = Code(.invalidKey)
        /// A JWK that carries a private part (`d`) where only a public key belongs.
        public static let privateKey = Code(.privateKey)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What failed, for people.
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
    static func wrapping(_ code: Code, _ message: String, _ error: any Error) -> JOSEError {
        if let sendable = error as? JOSEError {
            return JOSEError(code, message, cause: sendable)
        }
        return JOSEError(code, message, cause: DescribedCause(description: String(describing: error)))
    }
}

/// A non-`Sendable` error kept as its description.
struct DescribedCause: Error, Sendable, CustomStringConvertible {
    let description: String
}
