import Foundation
import Logging
import ServiceLifecycle
import TouchpointProtocol

/// The sync as a long-running service: watch mode (`touchpoint sync --watch`) and the kiosk's background sync.
///
/// Until graceful shutdown it loops: probe the collector; if it answers, ask for the kiosk's configuration (a kiosk's
/// service, see ``KioskConfigSync``), and if responses are pending (or a health report is due), run
/// ``ResponseSync/syncOnce(progress:)``; then wait ``SyncConfiguration/watchInterval``, or
/// the backoff after a failure. ``trigger()`` cuts any wait short. After the collector refuses our token it
/// stops retrying until triggered, instead of hammering. What happened is kept on ``board``.
public final class SyncService: Service, Sendable {
    /// The status for `status` commands.
    public let board: SyncStatusBoard

    private let sync: ResponseSync
    private let logger: Logger
    private let sleep: @Sendable (Duration) async throws -> Void
    private let progress: @Sendable (SyncProgress) -> Void
    private let wakeup = Wakeup()
    /// The kiosk's configuration from the collector, asked for in each cycle the collector answers (nil: not a kiosk).
    private let config: KioskConfigSync?

    /// Creates the service for `sync`; `sleep` waits between passes (it must end early when cancelled).
    public init(
        sync: ResponseSync, board: SyncStatusBoard = SyncStatusBoard(), logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }, config: KioskConfigSync? = nil
    ) {
        self.config = config
        self.sync = sync
        self.board = board
        var logger = logger
        logger[metadataKey: "kiosk.id"] = "\(sync.kiosk)"
        self.logger = logger
        self.sleep = sleep
        self.progress = progress
    }

    /// Asks for a pass now (a staff `sync` command); also resumes after an authentication failure.
    public func trigger() {
        wakeup.signal()
    }

    /// Runs until graceful shutdown or cancellation.
    public func run() async throws {
        var state = LoopState(backoff: sync.configuration.backoff)
        var triggered = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let delay = await cycle(&state, triggered: triggered)
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            triggered = await pause(delay)
        }
        logger.debug("sync service stopped")
    }

    /// What the loop remembers between passes.
    private struct LoopState {
        var backoff: Backoff
        var failures = 0
        var lastReport: ContinuousClock.Instant?
        var lastPrune: Date?
    }

    /// One probe and maybe one pass; returns how long to wait (nil: until triggered).
    private func cycle(_ state: inout LoopState, triggered: Bool) async -> Duration? {
        let configuration = sync.configuration
        // Sent and rejected files go after their days once a day, whether the collector is reachable or not.
        let today = sync.now()
        if state.lastPrune.map({ today.timeIntervalSince($0) >= 86_400 }) ?? true {
            state.lastPrune = today
            do {
                try sync.pruneKept(now: today)
            } catch {
                logger.warning("cannot prune kept responses", metadata: ["error": "\(error)"])
            }
        }
        let reachable = await sync.transport.probe()
        board.update { $0.reachable = reachable }
        guard reachable else {
            state.failures += 1
            let delay = state.backoff.delay(forAttempt: state.failures)
            logger.debug("collector not reachable", metadata: ["sync.retry_in": "\(delay)"])
            return delay
        }
        // The configuration first: one small request (a 304 when unchanged), so a kiosk starts on its set early.
        do {
            try await config?.refresh()
        } catch {
            return nil
        }
        let reportDue = state.lastReport.map { ContinuousClock.now - $0 >= configuration.healthReportInterval } ?? true
        do {
            guard try triggered || reportDue || sync.hasPending() else {
                state.failures = 0
                return configuration.watchInterval
            }
        } catch {
            return record(error, &state)
        }
        board.update {
            $0.isSyncing = true
            $0.waitingForTrigger = false
        }
        defer { board.update { $0.isSyncing = false } }
        do {
            let summary = try await sync.syncOnce(progress: progress)
            let finished = sync.now()
            board.update {
                $0.lastSuccess = finished
                $0.lastSummary = summary
                $0.lastError = nil
                $0.lastErrorAt = nil
            }
            state.failures = 0
            state.lastReport = .now
            return configuration.watchInterval
        } catch {
            return record(error, &state)
        }
    }

    /// Notes `error` on the board and says how long to wait before the next pass.
    private func record(_ error: any Error, _ state: inout LoopState) -> Duration? {
        if error is CancellationError { return nil }
        let when = sync.now()
        board.update {
            $0.lastError = "\(error)"
            $0.lastErrorAt = when
        }
        if let syncError = error as? SyncError {
            switch syncError.code {
            case .unauthorized:
                logger.error("sync stopped until triggered: \(syncError.message)")
                board.update { $0.waitingForTrigger = true }
                return nil
            case .busy:
                logger.notice("\(syncError.message); trying again later")
                return sync.configuration.watchInterval
            default:
                break
            }
        }
        state.failures += 1
        let delay = state.backoff.delay(forAttempt: state.failures)
        logger.warning("sync failed: \(error)", metadata: ["sync.retry_in": "\(delay)"])
        return delay
    }

    /// Waits `delay` (nil: indefinitely) or until triggered or shut down; returns whether it was triggered.
    private func pause(_ delay: Duration?) async -> Bool {
        let wakeup = self.wakeup
        let sleep = self.sleep
        return await withGracefulShutdownHandler {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await wakeup.wait()
                    return true
                }
                if let delay {
                    group.addTask {
                        try? await sleep(delay)
                        return false
                    }
                }
                let triggered = await group.next() ?? false
                group.cancelAll()
                return triggered && !Task.isShuttingDownGracefully
            }
        } onGracefulShutdown: {
            wakeup.close()
        }
    }
}

/// A one-slot wake-up signal: ``signal()`` wakes the waiter, or the next one if nobody waits.
final class Wakeup: @unchecked Sendable {
    private let lock = NSLock()
    private var signalled = false
    private var closed = false
    private var waiter: CheckedContinuation<Void, Never>?

    /// Wakes the current waiter, or remembers the signal for the next.
    func signal() {
        let continuation: CheckedContinuation<Void, Never>? = lock.withLock {
            guard let waiter else {
                signalled = true
                return nil
            }
            self.waiter = nil
            return waiter
        }
        continuation?.resume()
    }

    /// Wakes the current waiter and every later one at once (for shutdown).
    func close() {
        lock.withLock { closed = true }
        interrupt()
    }

    /// Wakes the current waiter without leaving a signal behind (for cancellation).
    func interrupt() {
        let continuation: CheckedContinuation<Void, Never>? = lock.withLock {
            defer { waiter = nil }
            return waiter
        }
        continuation?.resume()
    }

    /// Returns once signalled (consuming the signal), closed, or when the task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = lock.withLock {
                    if signalled {
                        signalled = false
                        return true
                    }
                    if closed || Task.isCancelled { return true }
                    waiter = continuation
                    return false
                }
                if resumeNow {
                    continuation.resume()
                }
            }
        } onCancel: {
            interrupt()
        }
    }
}
