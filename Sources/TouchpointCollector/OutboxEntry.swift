import Foundation

/// One message waiting in (or done with) the feed's outbox: a rendered post for one webhook.
public struct OutboxEntry: Sendable, Hashable {
    /// Where a row is in its life.
    public enum State: String, Sendable, Hashable, Codable {
        /// Not yet answered 2xx; retried until it is (or a 4xx fails it).
        case pending
        /// The webhook answered 2xx: never posted again.
        case delivered
        /// The webhook refused it (a 4xx other than 408/425/429): kept with its error, not retried.
        case failed
    }

    /// The row id (increasing in the order rows were queued).
    public var id: Int64
    /// The webhook's name in the feed configuration.
    public var webhook: String
    /// The response the message is about.
    public var responseID: String
    /// What the message is about: `comment:<question id>` or `detractor`.
    public var event: String
    /// The JSON body to post (`{"text": …}`); nil once delivered.
    public var body: String?
    /// The row's state.
    public var state: State
    /// Delivery attempts so far.
    public var attempts: Int
    /// Not to be posted before this time (after a failed attempt).
    public var nextAttemptAt: Date
    /// Why the last attempt failed, if it did (never holds the webhook's URL).
    public var lastError: String?
    /// When it was queued.
    public var createdAt: Date

    /// Creates an entry.
    public init(
        id: Int64, webhook: String, responseID: String, event: String, body: String?, state: State = .pending,
        attempts: Int = 0, nextAttemptAt: Date, lastError: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.webhook = webhook
        self.responseID = responseID
        self.event = event
        self.body = body
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
    }
}

/// What one delivery attempt came to, as ``FeedStorage/record(_:for:at:)`` stores it.
public enum OutboxOutcome: Sendable, Hashable {
    /// The webhook answered 2xx: the row is delivered and never posted again.
    case delivered
    /// A connection error, a timeout, 408/425/429 or 5xx: try again at `next`.
    case retry(error: String, next: Date)
    /// Any other answer: the row is failed (a dead letter kept with `error`), not retried.
    case failed(error: String)
}

/// What one ``FeedStorage/fanOut(to:at:limit:)`` call did.
public struct FeedFanOut: Sendable, Hashable {
    /// Whether this call started the feed (recorded the starting point, queued nothing).
    public var started: Bool
    /// Responses read past the cursor.
    public var responses: Int
    /// Outbox rows queued.
    public var queued: Int
    /// Whether responses beyond `limit` are waiting (call again at once).
    public var more: Bool

    /// Creates a result.
    public init(started: Bool = false, responses: Int = 0, queued: Int = 0, more: Bool = false) {
        self.started = started
        self.responses = responses
        self.queued = queued
        self.more = more
    }
}
