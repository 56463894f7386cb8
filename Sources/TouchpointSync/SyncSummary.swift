import Foundation

/// What one sync pass did.
public struct SyncSummary: Sendable, Hashable, CustomStringConvertible {
    /// Responses the collector stored now (moved to `sent/`).
    public var stored: Int
    /// Responses the collector already had (moved to `sent/`).
    public var duplicate: Int
    /// Responses rejected for good (moved to `rejected/` with a `.reason` file), including files that
    /// could not be read as a response here.
    public var rejected: Int
    /// Responses the collector deferred (still pending).
    public var deferred: Int
    /// Batches answered, including an empty health report.
    public var batches: Int
    /// Bytes of response files sent in answered batches.
    public var bytes: Int
    /// Attempts that had to be retried.
    public var retries: Int
    /// How long the pass took.
    public var duration: Duration
    /// The last problem met on the way (a retried failure, an unreadable file), if any.
    public var lastError: String?

    /// Creates a summary.
    public init(
        stored: Int = 0, duplicate: Int = 0, rejected: Int = 0, deferred: Int = 0, batches: Int = 0, bytes: Int = 0,
        retries: Int = 0, duration: Duration = .zero, lastError: String? = nil
    ) {
        self.stored = stored
        self.duplicate = duplicate
        self.rejected = rejected
        self.deferred = deferred
        self.batches = batches
        self.bytes = bytes
        self.retries = retries
        self.duration = duration
        self.lastError = lastError
    }

    /// Responses now in `sent/`: stored plus duplicate.
    public var delivered: Int { stored + duplicate }

    /// E.g. `412 stored, 3 duplicate, 1 rejected, 0 deferred in 3 batches (812 kB) in 1.2 s`.
    public var description: String {
        let kilobytes = (Double(bytes) / 1000).rounded()
        let seconds = (duration.seconds * 10).rounded() / 10
        if stored + duplicate + rejected + deferred == 0 && lastError == nil {
            return batches > 0 ? "Nothing pending; buffer health reported to the collector." : "Nothing pending."
        }
        var text = "\(stored) stored, \(duplicate) duplicate, \(rejected) rejected, \(deferred) deferred"
            + " in \(batches) batch\(batches == 1 ? "" : "es") (\(Int(kilobytes)) kB) in \(seconds) s"
        if retries > 0 {
            text += ", \(retries) retr\(retries == 1 ? "y" : "ies")"
        }
        if let lastError {
            text += "; last problem: \(lastError)"
        }
        return text
    }
}

/// How far a sync pass has got, for a progress bar.
public struct SyncProgress: Sendable, Hashable {
    /// Responses handled so far in this pass (delivered, rejected or deferred).
    public var handled: Int
    /// The estimated number of responses this pass will handle (the pending count when it started,
    /// raised if more arrive).
    public var total: Int
    /// Batches answered so far.
    public var batches: Int
    /// Bytes sent in answered batches so far.
    public var bytes: Int

    /// Creates a progress report.
    public init(handled: Int, total: Int, batches: Int, bytes: Int) {
        self.handled = handled
        self.total = total
        self.batches = batches
        self.bytes = bytes
    }

    /// `handled / total`, between 0 and 1 (1 when there is nothing to do).
    public var fraction: Double {
        total > 0 ? min(1, Double(handled) / Double(total)) : 1
    }
}
