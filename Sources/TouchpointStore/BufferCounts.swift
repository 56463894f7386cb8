import Foundation

/// How many responses are in each state of the kiosk's buffer.
public struct BufferCounts: Sendable, Hashable, Codable {
    /// Stored, not yet accepted by the collector.
    public var pending: Int
    /// Accepted by the collector.
    public var sent: Int
    /// Refused by the collector (kept for inspection).
    public var rejected: Int

    /// Creates counts.
    public init(pending: Int = 0, sent: Int = 0, rejected: Int = 0) {
        self.pending = pending
        self.sent = sent
        self.rejected = rejected
    }
}
