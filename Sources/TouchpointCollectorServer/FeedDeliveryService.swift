import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import TouchpointProtocol
import TouchpointCollector

/// The comment feed's worker: fills the outbox from stored responses and posts it to the webhooks.
///
/// Until graceful shutdown it runs one loop that moves the outbox cursor (``FeedStorage/fanOut(to:caseLinks:at:limit:)``)
/// every ``Options/pollInterval``, and one loop per webhook, so a webhook that is down never holds up another.
/// A webhook's loop posts its pending rows oldest first, at most one post per ``Webhook/minimumInterval``
/// (measured from the end of the previous post). A 2xx marks the row delivered; a connection error, a timeout,
/// 408, 425, 429 or 5xx retries it after the ``Backoff`` delay (or the webhook's `Retry-After`), holding the
/// webhook's later rows back; any other answer marks it failed. On graceful shutdown a post in flight is
/// finished and recorded; on cancellation it is abandoned and its row stays pending (at least once).
public final class FeedDeliveryService: Service, Sendable {
    /// Timing of the worker; the defaults suit Slack.
    public struct Options: Sendable {
        /// How often new responses are looked for, and how long an idle webhook waits before looking again.
        public var pollInterval: Duration
        /// How long to wait for a connection to a webhook.
        public var connectTimeout: Duration
        /// How long one post (connect, send, answer) may take before it counts as failed.
        public var requestTimeout: Duration
        /// The retry delays after a failed post (a `Retry-After` overrides them).
        public var backoff: Backoff
        /// The most responses turned into outbox rows per transaction.
        public var batchSize: Int

        /// Creates options: poll every second, connect 5 s, post 10 s, backoff 1 s doubling up to 5 minutes.
        public init(
            pollInterval: Duration = .seconds(1), connectTimeout: Duration = .seconds(5),
            requestTimeout: Duration = .seconds(10), backoff: Backoff = Backoff(), batchSize: Int = 500
        ) {
            self.pollInterval = pollInterval
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.backoff = backoff
            self.batchSize = batchSize
        }
    }

    /// The webhooks.
    public let configuration: FeedConfiguration
    /// Where posts link the follow-up case of a response that opened one; nil: no links.
    public let caseLinks: CaseLinks?
    private let storage: any FeedStorage
    private let options: Options
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Creates the worker; `now` stamps outbox rows, `sleep` waits (it must end early when cancelled).
    public init(
        configuration: FeedConfiguration, storage: any FeedStorage, caseLinks: CaseLinks? = nil,
        options: Options = Options(), logger: Logger, now: @escaping @Sendable () -> Date = Date.init,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.configuration = configuration
        self.caseLinks = caseLinks
        self.storage = storage
        self.options = options
        self.logger = logger
        self.now = now
        self.sleep = sleep
    }

    /// Runs until graceful shutdown or cancellation.
    public func run() async throws {
        let clientConfiguration = WebhookPoster.clientConfiguration(connectTimeout: options.connectTimeout)
        try await HTTPClient.withHTTPClient(configuration: clientConfiguration) { client in
            let poster = WebhookPoster(client: client, timeout: options.requestTimeout, now: now)
            await reportUnconfiguredWebhooks()
            await withDiscardingTaskGroup { group in
                group.addTask { await self.fanOutLoop() }
                for webhook in self.configuration.webhooks {
                    group.addTask { await self.deliveryLoop(webhook, poster: poster) }
                }
            }
        }
        logger.debug("comment feed stopped")
    }

    private var stopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    /// Waits `duration`, or less if a graceful shutdown starts.
    private func pause(_ duration: Duration) async {
        let sleep = self.sleep
        try? await cancelWhenGracefulShutdown { try await sleep(duration) }
    }

    /// Logs, once, the webhooks that have pending rows but are no longer configured (their rows are kept).
    private func reportUnconfiguredWebhooks() async {
        let configured = Set(configuration.webhooks.map(\.name))
        do {
            for summary in try await storage.outboxStatus().webhooks
            where summary.pending > 0 && !configured.contains(summary.name) {
                logger.notice(
                    "pending feed posts kept for a webhook that is no longer configured",
                    metadata: ["feed.webhook": "\(summary.name)", "feed.pending": "\(summary.pending)"])
            }
        } catch {
            logger.warning("cannot read the feed outbox", metadata: ["error": "\(error)"])
        }
    }

    /// Moves the cursor: new responses become outbox rows, every poll interval (at once while more wait).
    private func fanOutLoop() async {
        let webhooks = configuration.webhooks
        while !stopping {
            do {
                let result = try await storage.fanOut(to: webhooks, caseLinks: caseLinks, at: now(), limit: options.batchSize)
                if result.started {
                    logger.info("comment feed started: responses stored from now on are posted")
                }
                if result.queued > 0 {
                    logger.debug("feed posts queued", metadata: [
                        "feed.responses": "\(result.responses)", "feed.queued": "\(result.queued)",
                    ])
                }
                if result.more { continue }
            } catch {
                logger.warning("cannot queue feed posts", metadata: ["error": "\(error)"])
            }
            await pause(options.pollInterval)
        }
    }

    /// Posts `webhook`'s pending rows oldest first until shutdown.
    private func deliveryLoop(_ webhook: Webhook, poster: WebhookPoster) async {
        var logger = self.logger
        logger[metadataKey: "feed.webhook"] = "\(webhook.name)"
        logger[metadataKey: "feed.host"] = "\(webhook.host)"
        var backoff = options.backoff
        var lastPostEnd: ContinuousClock.Instant?
        var notBefore: ContinuousClock.Instant?
        while !stopping {
            let entry: OutboxEntry?
            do {
                entry = try await storage.nextPending(webhook: webhook.name)
            } catch {
                logger.warning("cannot read the feed outbox", metadata: ["error": "\(error)"])
                await pause(options.pollInterval)
                continue
            }
            guard let entry else {
                await pause(options.pollInterval)
                continue
            }
            // The rate limit, the retry delay, and the row's own time (which survives a restart).
            let clockNow = ContinuousClock.now
            var wait = Duration.zero
            if let lastPostEnd {
                wait = max(wait, lastPostEnd + webhook.minimumInterval - clockNow)
            }
            if let notBefore {
                wait = max(wait, notBefore - clockNow)
            }
            let untilDue = entry.nextAttemptAt.timeIntervalSince(now())
            if untilDue > 0 {
                wait = max(wait, .seconds(untilDue))
            }
            if wait > .zero {
                await pause(wait)
                continue
            }
            guard let body = entry.body else {
                await record(.failed(error: "the outbox row has no body"), entry, logger: logger)
                continue
            }
            let answer: WebhookPoster.Answer
            do {
                answer = try await poster.post(body, to: webhook)
            } catch {
                logger.debug("feed post abandoned on cancellation; it stays pending", metadata: ["response.id": "\(entry.responseID)"])
                break
            }
            lastPostEnd = .now
            notBefore = nil
            switch answer {
            case .delivered:
                logger.debug("feed post delivered", metadata: ["response.id": "\(entry.responseID)", "feed.event": "\(entry.event)"])
                await record(.delivered, entry, logger: logger)
            case .retry(let reason, let after):
                let attempt = entry.attempts + 1
                let delay = backoff.delay(forAttempt: attempt, retryAfter: after)
                notBefore = .now + delay
                logger.warning("feed post failed; will retry", metadata: [
                    "response.id": "\(entry.responseID)", "feed.reason": "\(reason)", "feed.attempt": "\(attempt)",
                    "feed.retry_in": "\(delay)",
                ])
                await record(.retry(error: reason, next: now().addingTimeInterval(delay.seconds)), entry, logger: logger)
            case .refused(let reason):
                logger.error("feed post refused by the webhook; kept as failed, not retried", metadata: [
                    "response.id": "\(entry.responseID)", "feed.reason": "\(reason)",
                ])
                await record(.failed(error: reason), entry, logger: logger)
            }
        }
    }

    /// Stores an attempt's outcome; if that fails the row stays pending and is posted again (at least once).
    private func record(_ outcome: OutboxOutcome, _ entry: OutboxEntry, logger: Logger) async {
        do {
            try await storage.record(outcome, for: entry.id, at: now())
        } catch {
            logger.error("cannot record a feed delivery; the post may be repeated", metadata: [
                "response.id": "\(entry.responseID)", "error": "\(error)",
            ])
            await pause(options.pollInterval)
        }
    }
}
