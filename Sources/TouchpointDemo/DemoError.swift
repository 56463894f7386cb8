/// Why the demo could not be built: a matchable ``code`` and a message for people.
public struct DemoError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidConfiguration, outputExists, generation, io, collector, sync
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// An option is out of range, or the surveys directory has no survey for any demo touchpoint.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The output directory exists (pass `--force` to replace a demo directory).
        public static let outputExists = Code(.outputExists)
        /// The generator could not answer a survey (a survey it does not understand).
        public static let generation = Code(.generation)
        /// A file or directory could not be written.
        public static let io = Code(.io)
        /// The in-process collector did not start, or its database failed.
        public static let collector = Code(.collector)
        /// A demo kiosk could not sync everything to the collector.
        public static let sync = Code(.sync)

        /// The code's name, e.g. `outputExists`.
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

    /// The message, followed by the cause if there is one.
    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }
}

/// An error's description, kept as a `Sendable` cause.
struct DescribedCause: Error, Sendable, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
