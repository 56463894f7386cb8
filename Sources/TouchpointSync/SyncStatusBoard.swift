import Foundation

/// What the background sync last did, for the kiosk's `status` command.
public struct SyncStatus: Sendable, Hashable {
    /// When a pass last finished without error.
    public var lastSuccess: Date?
    /// The last error, cleared by a successful pass; never contains tokens.
    public var lastError: String?
    /// When ``lastError`` happened.
    public var lastErrorAt: Date?
    /// Whether the collector answered the last probe; nil before the first.
    public var reachable: Bool?
    /// The last successful pass.
    public var lastSummary: SyncSummary?
    /// Whether a pass is running now.
    public var isSyncing: Bool
    /// Whether the service has stopped retrying (the collector refused our token) until triggered.
    public var waitingForTrigger: Bool

    /// Creates a status (all unknown by default).
    public init(
        lastSuccess: Date? = nil, lastError: String? = nil, lastErrorAt: Date? = nil, reachable: Bool? = nil,
        lastSummary: SyncSummary? = nil, isSyncing: Bool = false, waitingForTrigger: Bool = false
    ) {
        self.lastSuccess = lastSuccess
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
        self.reachable = reachable
        self.lastSummary = lastSummary
        self.isSyncing = isSyncing
        self.waitingForTrigger = waitingForTrigger
    }
}

/// The background sync's ``SyncStatus``, shared between the ``SyncService`` that writes it and the REPL that
/// reads it; safe from any thread.
public final class SyncStatusBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var current = SyncStatus()

    /// Creates an empty board.
    public init() {}

    /// A snapshot of the status.
    public var status: SyncStatus {
        lock.withLock { current }
    }

    /// Changes the status under the lock.
    public func update(_ change: (inout SyncStatus) -> Void) {
        lock.withLock { change(&current) }
    }
}
