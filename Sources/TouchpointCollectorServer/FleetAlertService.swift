import Foundation
import Logging
import ServiceLifecycle
import TouchpointCollector

/// The fleet alerts' worker: every ``FleetAlertConfiguration/checkInterval`` it reads the kiosks, finds their
/// problems (``FleetAlerts/problems(kiosks:thresholds:now:)``) and reconciles the open alerts
/// (``FleetAlertStorage/reconcileAlerts(_:revoked:webhook:at:)``), which queues one post per alert raised or cleared.
///
/// Posting is the comment feed's: ``FeedDeliveryService`` delivers the alert webhook's outbox rows like any other.
/// After a break in the checks (``resumeAfter``; the collector was down, so kiosks could not upload) a kiosk
/// quiet only since before the break is not announced until it has been quiet that long again.
public final class FleetAlertService: Service, Sendable {
    /// What is checked, how often, and where alerts go.
    public let configuration: FleetAlertConfiguration
    private let storage: any CollectorStorage
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Creates the worker; `now` is the check's clock, `sleep` waits (it must end early when cancelled).
    public init(
        configuration: FleetAlertConfiguration, storage: any CollectorStorage, logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.configuration = configuration
        self.storage = storage
        self.logger = logger
        self.now = now
        self.sleep = sleep
    }

    /// A break between checks longer than this means nobody watched the fleet (every collector was down): ten
    /// check intervals, at least 10 minutes.
    public var resumeAfter: Duration { max(configuration.checkInterval * 10, .seconds(600)) }

    /// Checks the fleet once: reads the kiosks, then opens and clears alerts to match their problems.
    @discardableResult
    public func check() async throws -> FleetAlertChanges {
        // The time of the view: taken before the read, so a check from an older view never undoes a newer one.
        let date = now()
        let watchingSince = try await storage.watchFleet(at: date, resumeAfter: resumeAfter)
        let kiosks = try await storage.kiosks()
        let problems = FleetAlerts.problems(
            kiosks: kiosks, thresholds: configuration.thresholds, now: date, watchingSince: watchingSince)
        let revoked = Set(kiosks.filter { $0.revokedAt != nil }.map(\.id))
        let changes = try await storage.reconcileAlerts(problems, revoked: revoked, webhook: configuration.webhook, at: date)
        for alert in changes.raised {
            logger.notice("fleet alert raised", metadata: [
                "kiosk.id": "\(alert.kiosk)", "alert.kind": "\(alert.kind.rawValue)", "alert.detail": "\(alert.detail)",
            ])
        }
        for alert in changes.cleared {
            logger.notice("fleet alert cleared", metadata: ["kiosk.id": "\(alert.kiosk)", "alert.kind": "\(alert.kind.rawValue)"])
        }
        return changes
    }

    /// Checks every interval until graceful shutdown or cancellation; a failed check is logged and retried next time.
    public func run() async throws {
        await PeriodicCheck.run(every: configuration.checkInterval, sleep: sleep, logger: logger, failure: "cannot check the fleet for alerts") {
            try await self.check()
        }
        logger.debug("fleet alerts stopped")
    }
}
