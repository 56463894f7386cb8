import Foundation
import TouchpointProtocol

/// How a sync batches, retries, keeps sent files and (in watch mode) paces itself.
public struct SyncConfiguration: Sendable {
    /// The most files in one batch.
    public var batchCount: Int
    /// The most file bytes in one batch (a single larger file still goes alone).
    public var batchBytes: Int
    /// Attempts per batch before ``ResponseSync/syncOnce(progress:)`` gives up with ``SyncError/Code/unreachable``.
    public var maxAttempts: Int
    /// Days a file stays in `sent/` before ``ResponseSync/pruneSent(olderThan:now:)`` removes it.
    public var sentRetentionDays: Int
    /// Days a file stays in `rejected/` (for staff to look into) before ``ResponseSync/pruneRejected(olderThan:now:)``
    /// removes it; never more than ``maximumRejectedDays`` (default 30).
    public var rejectedRetentionDays = 30
    /// The most days a rejected response is kept on a kiosk, whatever the setting: it holds a customer's answers
    /// that will never reach the collector.
    public static let maximumRejectedDays = 90
    /// How long watch mode waits between passes when all is well.
    public var watchInterval: Duration
    /// How often watch mode reports buffer health with an empty batch when nothing is pending.
    public var healthReportInterval: Duration
    /// The retry schedule.
    public var backoff: Backoff
    /// The most batches at the collector at once: the next batch is read and sent while the previous one is
    /// being answered (1 sends one batch at a time).
    public var batchesInFlight: Int

    /// Creates a configuration: 200 files or 2 MiB per batch, 6 attempts, 30 days of `sent/`, a pass every
    /// 10 s in watch mode, a health report at least every 5 minutes, up to 2 batches in flight.
    public init(
        batchCount: Int = 200, batchBytes: Int = 2 * 1024 * 1024, maxAttempts: Int = 6, sentRetentionDays: Int = 30,
        watchInterval: Duration = .seconds(10), healthReportInterval: Duration = .seconds(300),
        backoff: Backoff = Backoff(), batchesInFlight: Int = 2
    ) {
        self.batchCount = batchCount
        self.batchBytes = batchBytes
        self.maxAttempts = maxAttempts
        self.sentRetentionDays = sentRetentionDays
        self.watchInterval = watchInterval
        self.healthReportInterval = healthReportInterval
        self.backoff = backoff
        self.batchesInFlight = batchesInFlight
    }
}
