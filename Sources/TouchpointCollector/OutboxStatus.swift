import Foundation

/// The feed outbox at a glance, for operators: `GET /v1/feed/status`.
public struct OutboxStatus: Sendable, Hashable, Codable {
    /// One webhook's rows.
    public struct Webhook: Sendable, Hashable, Codable {
        /// The webhook's name in the feed configuration.
        public var name: String
        /// Rows not yet delivered.
        public var pending: Int
        /// Rows delivered.
        public var delivered: Int
        /// Rows refused by the webhook (dead letters).
        public var failed: Int
        /// When the oldest pending row was queued.
        public var oldestPendingAt: Date?
        /// When the last delivery succeeded.
        public var lastDeliveredAt: Date?
        /// The error of the oldest pending row that has failed an attempt, or else of the newest failed row.
        public var lastError: String?

        /// Creates a summary.
        public init(
            name: String, pending: Int = 0, delivered: Int = 0, failed: Int = 0, oldestPendingAt: Date? = nil,
            lastDeliveredAt: Date? = nil, lastError: String? = nil
        ) {
            self.name = name
            self.pending = pending
            self.delivered = delivered
            self.failed = failed
            self.oldestPendingAt = oldestPendingAt
            self.lastDeliveredAt = lastDeliveredAt
            self.lastError = lastError
        }
    }

    /// Whether the feed has started on this database (its cursor exists).
    public var started: Bool
    /// Every webhook that has rows, sorted by name.
    public var webhooks: [Webhook]

    /// Creates a status.
    public init(started: Bool, webhooks: [Webhook]) {
        self.started = started
        self.webhooks = webhooks
    }
}
