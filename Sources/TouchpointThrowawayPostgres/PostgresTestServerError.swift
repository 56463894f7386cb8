/// Why ``ThrowawayPostgres`` could not hand out a database: a matchable ``code``, a message and the cause.
public struct PostgresTestServerError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case notInstalled, startFailed, invalidURL, createDatabaseFailed
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// No PostgreSQL server binaries (`initdb`, `pg_ctl`) were found, or no `postgres` user to run them as root.
        public static let notInstalled = Code(.notInstalled)
        /// The binaries are there but the throwaway cluster did not start; the message has the server log's tail.
        public static let startFailed = Code(.startFailed)
        /// `TOUCHPOINT_TEST_POSTGRES_URL` (or a URL given to ``PostgresTestDatabase/init(url:)``) is not a
        /// `postgres://` URL with a host.
        public static let invalidURL = Code(.invalidURL)
        /// The server runs (or was named) but creating a database on it failed.
        public static let createDatabaseFailed = Code(.createDatabaseFailed)

        /// The code's name, e.g. `startFailed`.
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

    /// True when no server could be had at all (not installed, or would not start), as opposed to a
    /// server that was there and misbehaved.
    public var meansNoServer: Bool {
        code == .notInstalled || code == .startFailed
    }

    /// The message followed by the cause, if any.
    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }
}
