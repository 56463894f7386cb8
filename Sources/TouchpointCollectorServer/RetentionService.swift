import Foundation
import Logging
import ServiceLifecycle
import TouchpointCollector

/// The retention policy's worker: on start and then every ``RetentionPolicy/checkEvery`` it prunes what is past the
/// policy's horizons (``RetentionStorage/prune(_:by:at:dryRun:)``), as `touchpoint collector prune` does.
public final class RetentionService: Service, Sendable {
    /// The policy applied.
    public let policy: RetentionPolicy
    private let storage: any CollectorStorage
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Creates the worker; `now` is the clock the horizons are computed from, `sleep` waits (it must end early when
    /// cancelled).
    public init(
        policy: RetentionPolicy, storage: any CollectorStorage, logger: Logger, now: @escaping @Sendable () -> Date = Date.init,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.policy = policy
        self.storage = storage
        self.logger = logger
        self.now = now
        self.sleep = sleep
    }

    /// The actor the erasure log names for the collector's own pruning.
    public static let actor = "collector:retention"

    /// Prunes once; returns what went.
    @discardableResult
    public func check() async throws -> ErasureSummary {
        let date = now()
        let horizons = policy.horizons(at: date)
        let summary = try await storage.prune(horizons, by: Self.actor, at: date, dryRun: false)
        if !summary.isEmpty {
            // Counts and dates only: never what was pruned.
            logger.notice("pruned by the retention policy", metadata: [
                "retention.horizons": "\(horizons.description)", "retention.pruned": "\(summary.description)",
            ])
        }
        return summary
    }

    /// Prunes every interval until graceful shutdown or cancellation; a failed run is logged and retried next time.
    public func run() async throws {
        await PeriodicCheck.run(every: policy.checkEvery, sleep: sleep, logger: logger, failure: "cannot prune by the retention policy") {
            try await self.check()
        }
        logger.debug("retention pruning stopped")
    }
}
