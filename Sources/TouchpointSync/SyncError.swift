import Foundation

/// An error that stops a sync: a matchable ``code``, a message for people and an optional cause.
///
/// Retryable trouble (a collector that is down, a 5xx, a cut-off answer) is retried inside a sync and only
/// surfaces as ``Code/unreachable`` once the attempts are used up.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case busy, unauthorized, unreachable, refused, io, invalidConfiguration, untrusted, mixedKiosks
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// Another sync holds the responses directory's lock.
        public static let busy = Code(.busy)
        /// The collector refused our token (401/403); retrying would only hammer it.
        public static let unauthorized = Code(.unauthorized)
        /// The collector could not be reached (or kept failing) after every attempt.
        public static let unreachable = Code(.unreachable)
        /// The collector refused a batch for good (a 4xx other than 401/403/413/429).
        public static let refused = Code(.refused)
        /// A file system call on the responses directory failed.
        public static let io = Code(.io)
        /// The sync or transport configuration cannot work (e.g. a collector URL that is not http(s), or a
        /// `collectorCA` file that is missing or holds no certificate).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The collector's TLS certificate does not verify (an untrusted CA, another host name, expired): a
        /// transport failure, nothing moved; retrying will not help until the certificate or the configuration changes.
        public static let untrusted = Code(.untrusted)
        /// `pending/` holds responses of more than one kiosk; the pass stopped before sending a batch mixing them.
        public static let mixedKiosks = Code(.mixedKiosks)

        /// The code's name, e.g. `unauthorized`.
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

    /// Another sync is running on `directory`.
    public static func busy(_ directory: URL) -> SyncError {
        SyncError(.busy, "another sync is running on \(directory.path) (sync.lock is held)")
    }

    /// The collector refused our token; `message` is what it said.
    public static func unauthorized(_ message: String) -> SyncError {
        SyncError(.unauthorized, "the collector refused our token: \(message); check the kiosk's collector token")
    }

    /// The collector stayed unreachable for `attempts` attempts; `lastReason` is the last failure.
    public static func unreachable(_ lastReason: String, attempts: Int) -> SyncError {
        SyncError(.unreachable, "the collector is unreachable after \(attempts) attempt(s): \(lastReason)")
    }

    /// The collector's certificate does not verify; `message` names the collector and the reason.
    public static func untrusted(_ message: String) -> SyncError {
        SyncError(.untrusted, message)
    }

    /// The collector refused a batch with `status`; `message` is what it said.
    public static func refused(status: Int, message: String) -> SyncError {
        SyncError(.refused, "the collector refused the batch (HTTP \(status)): \(message)")
    }
}

/// A non-`Sendable` error kept as its description.
struct DescribedError: Error, Sendable, CustomStringConvertible {
    let description: String
}
