import Logging
import ServiceLifecycle

/// The loop of the collector's periodic workers (fleet alerts, overdue cases): check, wait, again, until graceful
/// shutdown or cancellation; a failed check is logged and retried after the next wait.
enum PeriodicCheck {
    /// Runs `check` every `interval` (waiting with `sleep`, cut short by a graceful shutdown).
    static func run(
        every interval: Duration, sleep: @escaping @Sendable (Duration) async throws -> Void, logger: Logger, failure: String,
        _ check: () async throws -> Void
    ) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await check()
            } catch {
                logger.warning("\(failure)", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await sleep(interval) }
        }
    }
}
