/// An error from the collector's storage or enrolment: a matchable ``code``, a message and the cause.
public struct CollectorError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case conflict, notFound, invalidKey, invalidID, invalidInput, overloaded, unavailable, encrypted
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The request contradicts what is enrolled (a key used by another kiosk, a second active key).
        public static let conflict = Code(.conflict)
        /// The kiosk or key named is not enrolled.
        public static let notFound = Code(.notFound)
        /// A JWK is not a usable Ed25519 public key, or its `kid` is not its thumbprint.
        public static let invalidKey = Code(.invalidKey)
        /// A kiosk or site id does not follow the id rule (``TouchpointCore/Identifier``).
        public static let invalidID = Code(.invalidID)
        /// A value given by a person is unusable (an empty reason, a note too long); the message says which.
        public static let invalidInput = Code(.invalidInput)
        /// The database is busy (locked by another writer): try again shortly.
        public static let overloaded = Code(.overloaded)
        /// The database cannot be opened, read or written.
        public static let unavailable = Code(.unavailable)
        /// Comments are stored encrypted and no (or another) `--comment-key` was given.
        public static let encrypted = Code(.encrypted)

        /// The code's name, e.g. `conflict`.
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
}
