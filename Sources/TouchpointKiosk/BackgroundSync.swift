import Foundation
import TouchpointCore
import TouchpointSync

/// What the kiosk needs from the sync running beside it: force a pass, and read what it last did.
public protocol BackgroundSync: AnyObject, Sendable {
    /// Asks for a sync pass now.
    func trigger()
    /// What the sync last did.
    var status: SyncStatus { get }
}

extension SyncService: BackgroundSync {
    /// The status board's snapshot.
    public var status: SyncStatus { board.status }
}

/// Renders a ``SyncStatus`` as `status` lines.
public enum SyncStatusText {
    /// The lines for `status` and `sync`.
    public static func lines(_ status: SyncStatus, collector: String, now: Date) -> [String] {
        func ago(_ date: Date) -> String {
            let seconds = Int(now.timeIntervalSince(date))
            switch seconds {
            case ..<60: return "\(max(0, seconds)) s ago"
            case ..<3600: return "\(seconds / 60) min ago"
            case ..<86400: return "\(seconds / 3600) h ago"
            default: return "\(seconds / 86400) days ago"
            }
        }
        let reachable = switch status.reachable {
        case true?: "reachable"
        case false?: "NOT reachable"
        case nil: "not tried yet"
        }
        var lines = ["collector:   \(collector) (\(reachable)\(status.isSyncing ? ", syncing now" : ""))"]
        lines.append("last sync:   " + (status.lastSuccess.map { "\(Timestamp.string($0)) (\(ago($0)))" } ?? "never"))
        if let summary = status.lastSummary { lines.append("             \(summary)") }
        if let error = status.lastError {
            lines.append("last error:  \(error)" + (status.lastErrorAt.map { " (\(ago($0)))" } ?? ""))
        }
        if status.waitingForTrigger { lines.append("             sync paused until staff type sync") }
        return lines
    }
}


