import Foundation
import Logging
import ServiceLifecycleTestKit
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointProtocol
import TouchpointJOSE
import TouchpointCollectorSQLite
import TouchpointCollectorServer
import TouchpointTesting

/// The outbox against a real HTTP receiver on 127.0.0.1: failures, retries, limits, routing and restarts.
@Suite("Comment feed delivery")
struct OutboxDeliveryTests {
    let key = KioskKey.generate()
    let logs = FeedLogCapture.Lines()
    /// The secret part of every test webhook URL; it must never be logged.
    static let secret = "T0SECRET/B0SECRET/xoxsecrettoken42"

    /// Short waits so retries happen within a test; the rate limit is off unless a test sets it. The connect and
    /// request timeouts are generous: a post to the local receiver must not time out (and be posted twice) just
    /// because the machine is busy.
    static let options = FeedDeliveryService.Options(
        pollInterval: .milliseconds(20), connectTimeout: .seconds(60), requestTimeout: .seconds(60),
        backoff: Backoff(base: .milliseconds(50), factor: 2, cap: .milliseconds(200)), batchSize: 2)

    func webhook(
        _ name: String, port: Int, route: FeedRoute = FeedRoute(), comments: Bool = true, detractors: Bool = false,
        interval: Duration = .zero
    ) throws -> Webhook {
        Webhook(
            name: name, url: try #require(URL(string: "http://127.0.0.1:\(port)/services/\(name)/\(Self.secret)")),
            route: route, comments: comments, detractors: detractors, minimumInterval: interval)
    }

    func service(
        _ webhooks: [Webhook], storage: some FeedStorage, options: FeedDeliveryService.Options = Self.options
    ) -> FeedDeliveryService {
        FeedDeliveryService(
            configuration: FeedConfiguration(webhooks: webhooks), storage: storage, options: options,
            logger: FeedLogCapture.logger(logs))
    }

    /// Enrols the kiosk and starts the feed (so responses ingested afterwards are posted).
    func prepare(_ storage: any TestStorage, _ webhooks: [Webhook]) async throws {
        try await FeedFixtures.enroll(storage, key: key)
        let start = try await storage.fanOut(to: webhooks, at: Date(), limit: 10)
        #expect(start.started)
    }

    /// Neither a webhook's secret nor a comment's text reaches the logs.
    func expectCleanLogs(comments: [String]) {
        let lines = logs.all
        #expect(!lines.isEmpty, "the feed logged nothing at trace level")
        for line in lines {
            #expect(!line.contains(Self.secret) && !line.contains("xoxsecrettoken42"), "secret logged: \(line)")
            for comment in comments {
                #expect(!line.contains(comment), "comment text logged: \(line)")
            }
        }
    }

    @Test(arguments: StorageBackend.available) func receiverDownThenUpDeliversOnce(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let refusing = try RefusingPort()
            defer { withExtendedLifetime(refusing) {} }
            let port = refusing.port
            let hook = try webhook("service", port: port)
            try await prepare(storage, [hook])
            let receiver = WebhookReceiver()
            try await FeedFixtures.whileRunning(service([hook], storage: storage)) {
                let statuses = try await FeedFixtures.ingest(
                    [FeedFixtures.response(service: true, sequence: 1, nps: 4, comment: "Nobody called me back")],
                    into: storage, key: key)
                #expect(statuses == [.stored])
                // Connection refused: the row stays pending with the error, and is retried.
                #expect(try await FeedFixtures.eventually {
                    let summary = try await storage.outboxStatus().webhook("service")
                    return summary.pending == 1 && summary.lastError != nil
                })
                let failing = try await storage.outboxStatus().webhook("service")
                #expect(failing.lastError?.contains("127.0.0.1") == true)
                #expect(failing.lastError?.contains(Self.secret) == false)
                refusing.release()
                let delivered = try await receiver.serve(port: port) { _ in
                    try await FeedFixtures.eventually { try await storage.outboxStatus().webhook("service").delivered == 1 }
                }
                #expect(delivered)
            }
            #expect(receiver.requests.count == 1)
            #expect(receiver.requests.first?.text.contains("Nobody called me back") == true)
            #expect(receiver.requests.first?.path == "/services/service/\(Self.secret)")
            let summary = try await storage.outboxStatus().webhook("service")
            #expect(summary.delivered == 1 && summary.pending == 0 && summary.failed == 0)
            #expect(try await storage.nextPending(webhook: "service") == nil)
            expectCleanLogs(comments: ["Nobody called me back"])
        }
    }

    @Test(arguments: StorageBackend.available) func serverErrorIsRetriedThenDeliveredOnce(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let receiver = WebhookReceiver(script: [WebhookReceiver.Reply(status: 500, body: "oops")])
            try await receiver.serve { port in
                let hook = try webhook("shop", port: port)
                try await prepare(storage, [hook])
                try await FeedFixtures.whileRunning(service([hook], storage: storage)) {
                    try await FeedFixtures.ingest(
                        [FeedFixtures.response(sequence: 1, nps: 10, comment: "Lovely coffee")], into: storage, key: key)
                    #expect(try await FeedFixtures.eventually { try await storage.outboxStatus().webhook("shop").delivered == 1 })
                }
            }
            #expect(receiver.requests.map(\.status) == [500, 200])
            #expect(receiver.requests.allSatisfy { $0.text.contains("Lovely coffee") })
            #expect(try await storage.outboxStatus().webhook("shop").pending == 0)
            expectCleanLogs(comments: ["Lovely coffee"])
        }
    }

    @Test(arguments: StorageBackend.available) func aLongAnswerStillCountsAsDelivered(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let long = String(repeating: "ok ", count: 50_000)
            let receiver = WebhookReceiver(script: [WebhookReceiver.Reply(status: 200, body: long)])
            try await receiver.serve { port in
                let hook = try webhook("shop", port: port)
                try await prepare(storage, [hook])
                try await FeedFixtures.whileRunning(service([hook], storage: storage)) {
                    try await FeedFixtures.ingest(
                        [FeedFixtures.response(sequence: 1, nps: 10, comment: "Fine")], into: storage, key: key)
                    #expect(try await FeedFixtures.eventually { try await storage.outboxStatus().webhook("shop").delivered == 1 })
                }
            }
            #expect(receiver.requests.count == 1)
        }
    }

    @Test(arguments: StorageBackend.available) func tooManyRequestsWaitsForRetryAfter(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let receiver = WebhookReceiver(script: [
                WebhookReceiver.Reply(status: 429, headers: ["Retry-After": "2"], body: "rate_limited")
            ])
            try await receiver.serve { port in
                let hook = try webhook("shop", port: port)
                try await prepare(storage, [hook])
                try await FeedFixtures.whileRunning(service([hook], storage: storage)) {
                    try await FeedFixtures.ingest(
                        [FeedFixtures.response(sequence: 1, nps: 2, comment: "Too slow")], into: storage, key: key)
                    #expect(try await FeedFixtures.eventually { try await storage.outboxStatus().webhook("shop").delivered == 1 })
                }
            }
            let requests = receiver.requests
            #expect(requests.map(\.status) == [429, 200])
            if requests.count == 2 {
                // The backoff alone would have retried within 200 ms; Retry-After says 2 s.
                #expect(requests[1].arrivedAt - requests[0].arrivedAt >= .seconds(2))
            }
        }
    }

    @Test(arguments: StorageBackend.available) func postsToOneWebhookAreSpacedByItsInterval(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let receiver = WebhookReceiver()
            let interval = Duration.milliseconds(300)
            try await receiver.serve { port in
                let hook = try webhook("shop", port: port, interval: interval)
                try await prepare(storage, [hook])
                try await FeedFixtures.whileRunning(service([hook], storage: storage)) {
                    let responses = (1...4).map { FeedFixtures.response(sequence: UInt64($0), nps: 9, comment: "Comment \($0)") }
                    try await FeedFixtures.ingest(responses, into: storage, key: key)
                    #expect(try await FeedFixtures.eventually { try await storage.outboxStatus().webhook("shop").delivered == 4 })
                }
            }
            let arrivals = receiver.requests.map(\.arrivedAt)
            #expect(arrivals.count == 4)
            for (earlier, later) in zip(arrivals, arrivals.dropFirst()) {
                #expect(later - earlier >= interval, "posts \(later - earlier) apart")
            }
            // Oldest first.
            #expect(receiver.requests.map(\.text).map { $0.contains("Comment 1") } == [true, false, false, false])
        }
    }

    @Test(arguments: StorageBackend.available) func commentsAreRoutedByTouchpointAndStage(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let receiver = WebhookReceiver()
            try await receiver.serve { port in
                let hooks = [
                    try webhook("service", port: port, route: FeedRoute(touchpoints: ["service"])),
                    try webhook("shop", port: port, route: FeedRoute(stages: [.shop])),
                    try webhook("alerts", port: port, comments: false, detractors: true),
                ]
                try await prepare(storage, hooks)
                try await FeedFixtures.whileRunning(service(hooks, storage: storage)) {
                    try await FeedFixtures.ingest([
                        FeedFixtures.response(service: true, sequence: 1, nps: 10, comment: "Fast service"),
                        FeedFixtures.response(sequence: 2, nps: 3, comment: "No parking"),
                        FeedFixtures.response(service: true, sequence: 3, nps: 1),
                        FeedFixtures.response(sequence: 4, nps: 8),
                    ], into: storage, key: key)
                    #expect(try await FeedFixtures.eventually { receiver.delivered.count == 4 })
                    // Nothing else is queued.
                    let status = try await storage.outboxStatus()
                    #expect(status.webhooks.map { $0.pending + $0.delivered } == [2, 1, 1])  // alerts, service, shop
                }
            }
            func texts(_ name: String) -> [String] {
                receiver.requests.filter { $0.path.hasPrefix("/services/\(name)/") }.map(\.text)
            }
            #expect(texts("service").count == 1 && texts("service").first?.contains("Fast service") == true)
            #expect(texts("shop").count == 1 && texts("shop").first?.contains("No parking") == true)
            // The alert channel gets both detractors, the one with a comment showing it.
            let alerts = texts("alerts")
            #expect(alerts.count == 2)
            #expect(alerts.allSatisfy { $0.hasPrefix("Detractor: ") })
            #expect(alerts.contains { $0.contains("NPS 3 (detractor)") && $0.contains("> No parking") })
            #expect(alerts.contains { $0.contains("NPS 1 (detractor)") && $0.contains("service-visit") })
        }
    }

    @Test(arguments: StorageBackend.available) func aResentBatchPostsNothingTwice(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let receiver = WebhookReceiver()
            try await receiver.serve { port in
                let hook = try webhook("shop", port: port)
                try await prepare(storage, [hook])
                let batch = [
                    FeedFixtures.response(sequence: 1, nps: 5, comment: "Cold showroom"),
                    FeedFixtures.response(sequence: 2, nps: 9, comment: "Great test drive"),
                ]
                try await FeedFixtures.whileRunning(service([hook], storage: storage)) {
                    #expect(try await FeedFixtures.ingest(batch, into: storage, key: key) == [.stored, .stored])
                    #expect(try await FeedFixtures.eventually { try await storage.outboxStatus().webhook("shop").delivered == 2 })
                    // The kiosk did not hear the answer and sends the same batch again.
                    #expect(try await FeedFixtures.ingest(batch, into: storage, key: key) == [.duplicate, .duplicate])
                    let again = try await storage.fanOut(to: [hook], at: Date(), limit: 100)
                    #expect(again.responses == 0 && again.queued == 0)
                }
            }
            #expect(receiver.requests.count == 2)
            let summary = try await storage.outboxStatus().webhook("shop")
            #expect(summary.delivered == 2 && summary.pending == 0)
        }
    }

    @Test(arguments: StorageBackend.available) func aRestartLosesNothingAndPostsNothingTwice(backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            // The first post succeeds, then the webhook fails until the collector has restarted.
            let receiver = WebhookReceiver(
                script: [WebhookReceiver.Reply(status: 200)], then: WebhookReceiver.Reply(status: 503, body: "down"))
            try await receiver.serve { port in
                let hook = try webhook("shop", port: port)
                let first = try await location.open()
                try await prepare(first, [hook])
                try await FeedFixtures.whileRunning(service([hook], storage: first)) {
                    try await FeedFixtures.ingest(
                        (1...3).map { FeedFixtures.response(sequence: UInt64($0), nps: 6, comment: "Note \($0)") },
                        into: first, key: key)
                    #expect(try await FeedFixtures.eventually {
                        let summary = try await first.outboxStatus().webhook("shop")
                        return summary.delivered == 1 && summary.pending == 2 && summary.lastError?.contains("503") == true
                    })
                }
                try await first.close()

                receiver.answer(WebhookReceiver.Reply(status: 200))
                try await location.withOpened { second in
                    #expect(try await second.outboxStatus().webhook("shop").pending == 2)
                    let delivered = try await FeedFixtures.whileRunning(service([hook], storage: second)) {
                        try await FeedFixtures.eventually { try await second.outboxStatus().webhook("shop").delivered == 3 }
                    }
                    #expect(delivered)
                }
            }
            let delivered = receiver.delivered.map(\.text)
            #expect(delivered.count == 3)
            for number in 1...3 {
                #expect(delivered.filter { $0.contains("Note \(number)") }.count == 1, "note \(number) delivered once")
            }
        }
    }

    @Test(arguments: StorageBackend.available) func aClientErrorFailsTheRowWithoutRetrying(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let receiver = WebhookReceiver(script: [WebhookReceiver.Reply(status: 404, body: "no_service")])
            let observed = IdleCountingFeedStorage(storage)
            try await receiver.serve { port in
                let hook = try webhook("shop", port: port)
                try await prepare(storage, [hook])
                try await FeedFixtures.whileRunning(service([hook], storage: observed)) {
                    try await FeedFixtures.ingest([
                        FeedFixtures.response(sequence: 1, nps: 6, comment: "First"),
                        FeedFixtures.response(sequence: 2, nps: 6, comment: "Second"),
                    ], into: storage, key: key)
                    #expect(try await FeedFixtures.eventually {
                        let summary = try await storage.outboxStatus().webhook("shop")
                        return summary.failed == 1 && summary.delivered == 1
                    })
                    // Both outcomes are recorded; the loop now looks for work twice more and finds none, so
                    // whatever it would have done with the failed row it has done by then.
                    let idle = observed.idleLooks("shop")
                    #expect(try await FeedFixtures.eventually { observed.idleLooks("shop") >= idle + 2 })
                }
            }
            #expect(receiver.requests.map(\.status) == [404, 200])
            #expect(receiver.requests.first?.text.contains("First") == true)
            let summary = try await storage.outboxStatus().webhook("shop")
            #expect(summary.lastError == "HTTP 404: no_service")
            expectCleanLogs(comments: ["First", "Second"])
            #expect(logs.all.contains { $0.contains("refused") && $0.contains("feed.webhook=shop") })
        }
    }

    @Test(arguments: StorageBackend.available) func aSlowWebhookTimesOutAndIsRetried(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            // The first answer never comes while the service runs; later ones come at once.
            let receiver = WebhookReceiver(script: [WebhookReceiver.Reply(status: 200, held: true)])
            var options = Self.options
            options.requestTimeout = .seconds(1)
            try await receiver.serve { port in
                let hook = try webhook("shop", port: port)
                try await prepare(storage, [hook])
                try await FeedFixtures.whileRunning(service([hook], storage: storage, options: options)) {
                    try await FeedFixtures.ingest(
                        [FeedFixtures.response(sequence: 1, nps: 9, comment: "Quick")], into: storage, key: key)
                    #expect(try await FeedFixtures.eventually { try await storage.outboxStatus().webhook("shop").delivered == 1 })
                }
            }
            // The first post timed out on our side, so it was posted again (at least once; a machine under
            // load may time out a retry too), and delivered once.
            #expect(receiver.requests.count >= 2)
            #expect(receiver.requests.allSatisfy { $0.text.contains("Quick") })
            let summary = try await storage.outboxStatus().webhook("shop")
            #expect(summary.delivered == 1 && summary.pending == 0 && summary.failed == 0)
        }
    }

    @Test(arguments: StorageBackend.available) func gracefulShutdownFinishesThePostInFlight(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            // The webhook answers only when the test says so.
            let receiver = WebhookReceiver(script: [WebhookReceiver.Reply(status: 200, held: true)])
            try await receiver.serve { port in
                let hook = try webhook("shop", port: port)
                try await prepare(storage, [hook])
                let feed = service([hook], storage: storage)
                try await testGracefulShutdown { trigger in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await feed.run() }
                        try await FeedFixtures.ingest(
                            [FeedFixtures.response(sequence: 1, nps: 9, comment: "Last one")], into: storage, key: key)
                        // The post is in flight: it has arrived and its answer is held.
                        try #require(try await receiver.waitForRequests(1))
                        #expect(try await storage.outboxStatus().webhook("shop").delivered == 0)
                        // Every graceful-shutdown handler has run when this returns; only then does the answer come.
                        trigger.triggerGracefulShutdown()
                        receiver.release()
                        try await group.waitForAll()
                    }
                }
            }
            // The post was finished and recorded before the service returned.
            let summary = try await storage.outboxStatus().webhook("shop")
            #expect(summary.delivered == 1 && summary.pending == 0)
            #expect(receiver.requests.count == 1)
        }
    }

    @Test(arguments: StorageBackend.available) func oneWebhookDownDoesNotHoldUpAnother(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let refusing = try RefusingPort()
            defer { withExtendedLifetime(refusing) {} }
            let closed = refusing.port
            let receiver = WebhookReceiver()
            try await receiver.serve { port in
                let hooks = [try webhook("down", port: closed), try webhook("up", port: port)]
                try await prepare(storage, hooks)
                try await FeedFixtures.whileRunning(service(hooks, storage: storage)) {
                    try await FeedFixtures.ingest(
                        (1...3).map { FeedFixtures.response(sequence: UInt64($0), nps: 2, comment: "Issue \($0)") },
                        into: storage, key: key)
                    #expect(try await FeedFixtures.eventually {
                        let status = try await storage.outboxStatus()
                        return status.webhook("up").delivered == 3 && status.webhook("down").lastError != nil
                    })
                }
            }
            let status = try await storage.outboxStatus()
            #expect(status.webhook("down").pending == 3 && status.webhook("down").delivered == 0)
            #expect(receiver.requests.count == 3)
        }
    }

    @Test(arguments: StorageBackend.available) func rowsOfAnUnconfiguredWebhookStayPending(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let refusing = try RefusingPort()
            defer { withExtendedLifetime(refusing) {} }
            let port = refusing.port
            let old = try webhook("old", port: port)
            try await prepare(storage, [old])
            let statuses = try await FeedFixtures.ingest(
                [FeedFixtures.response(sequence: 1, nps: 9, comment: "Hm")], into: storage, key: key)
            #expect(statuses == [.stored])
            #expect(try await storage.fanOut(to: [old], at: Date(), limit: 10).queued == 1)
            let receiver = WebhookReceiver()
            try await receiver.serve { port in
                let current = try webhook("new", port: port)
                try await FeedFixtures.whileRunning(service([current], storage: storage)) {
                    try await FeedFixtures.ingest(
                        [FeedFixtures.response(sequence: 2, nps: 10, comment: "Yes")], into: storage, key: key)
                    #expect(try await FeedFixtures.eventually { try await storage.outboxStatus().webhook("new").delivered == 1 })
                }
            }
            // Only the configured webhook was posted to; the old one's row waits for it to come back.
            #expect(receiver.requests.map(\.path) == ["/services/new/\(Self.secret)"])
            #expect(try await storage.outboxStatus().webhook("old").pending == 1)
            #expect(logs.all.filter { $0.contains("no longer configured") && $0.contains("feed.webhook=old") }.count == 1)
        }
    }
}
