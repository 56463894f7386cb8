import Foundation
import Logging
import ServiceLifecycle
import TouchpointCollector

/// The follow-up cases' worker: every ``checkInterval`` it notices the cases that went overdue
/// (``CaseStorage/noticeOverdueCases(rules:links:at:)``), which queues one post per case to its owner's channel.
///
/// Posting is the comment feed's: ``FeedDeliveryService`` delivers those outbox rows like any other.
public final class CaseOverdueService: Service, Sendable {
    /// Owners' channels.
    public let rules: CaseRules
    /// Where cases are opened in a browser, for the posts' links.
    public let links: CaseLinks?
    /// How often overdue cases are looked for (``CaseRules/checkInterval``).
    public var checkInterval: Duration { rules.checkInterval }
    private let storage: any CollectorStorage
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Creates the worker; `now` is the clock due times are compared with, `sleep` waits (it must end early when cancelled).
    public init(
        rules: CaseRules, links: CaseLinks?, storage: any CollectorStorage, logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.rules = rules
        self.links = links
        self.storage = storage
        self.logger = logger
        self.now = now
        self.sleep = sleep
    }

    /// Notices the cases overdue now; returns them.
    @discardableResult
    public func check() async throws -> [FollowUpCase] {
        let noticed = try await storage.noticeOverdueCases(rules: rules, links: links, at: now())
        for followUp in noticed {
            logger.notice("follow-up case overdue", metadata: [
                "case.id": "\(followUp.id)", "case.owner": "\(followUp.owner ?? "-")",
                "feed.webhook": "\(rules.channel(for: followUp.owner) ?? "-")",
            ])
        }
        return noticed
    }

    /// Checks every interval until graceful shutdown or cancellation; a failed check is logged and retried next time.
    public func run() async throws {
        await PeriodicCheck.run(every: checkInterval, sleep: sleep, logger: logger, failure: "cannot look for overdue cases") {
            try await self.check()
        }
        logger.debug("overdue case notices stopped")
    }
}
