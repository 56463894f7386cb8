import Foundation
import Logging
import Testing
import TouchpointJOSE
import TouchpointProtocol
import TouchpointSync
import TouchpointTesting
#if canImport(Glibc)
import Glibc
#endif

/// Two `touchpoint collector serve` processes on one PostgreSQL database, as a site with two collectors behind a
/// load balancer runs them: kiosks sync to either, a batch can reach both, one can die mid-batch.
@Suite("Two collectors on one PostgreSQL database", .serialized)
struct MultiCollectorTests {
    /// The webhook's name in `feed.yaml`.
    static let webhook = "receiver"

    /// `touchpoint report ces --format json`, only the totals (decoded here, not with the product's type).
    struct CESReport: Decodable {
        struct Row: Decodable {
            var n: Int
            var mean: Double?
            var easy: Int?
        }

        var total: Row
    }

    @Test("""
        two collectors with --feed on one database, four kiosks syncing to both, one batch sent to both at once, \
        one collector killed mid-batch: every response stored once, reports exact, every comment posted once
        """)
    func twoCollectorsOneDatabase() async throws {
        let database = try await PostgresTestServer.requireDatabase()
        let fleet = try KioskFleet(count: 4, database: database.url)
        defer { fleet.stopAll() }
        // The collectors and the webhook receiver run in kiosk-1's workspace (surveys/, feed.yaml).
        let office = fleet.sites[0]

        // The webhook receiver, and a feed with one route for every comment and no pause between posts.
        let receiver = try WebhookReceiver(site: office)
        try """
            webhooks:
              - name: \(Self.webhook)
                url: \(receiver.webhookURL)
                minimumInterval: 0
            """.write(to: office.workspace.url("feed.yaml"), atomically: true, encoding: .utf8)
        let feed = ["--feed", "feed.yaml"]
        let collectorA = try office.startCollector(extra: feed)
        let collectorB = try office.startCollector(extra: feed)
        for site in fleet.sites { try site.enroll() }
        let admin = try office.apiToken(role: "admin")
        func feedStatuses() async -> String {
            var lines: [String] = []
            for (name, collector) in [("A", collectorA), ("B", collectorB)] where collector.child.isRunning {
                let status = await (try? collector.feedStatus(token: admin)).map(\.description) ?? "(no answer)"
                lines.append("feed status at \(name): \(status)")
            }
            return lines.joined(separator: "\n") + "\nreceiver: \(receiver.bodies().count) bodies"
        }
        // The feed starts at the newest stored response: nothing may be stored before its cursor exists.
        try await fleet.poll("the comment feed to start", timeout: 60, detail: feedStatuses) {
            try await collectorA.feedStatus(token: admin).started
        }

        // 1. Three rounds: every kiosk writes 12 responses, then kiosks 1 and 3 sync to A while 2 and 4 sync to B,
        //    all at once; the next round the other way round.
        for round in 0..<3 {
            var syncs: [(kiosk: String, child: ChildProcess)] = []
            for (index, site) in fleet.sites.enumerated() {
                try fleet.write(index, 12)
                let collector = (index + round) % 2 == 0 ? collectorA : collectorB
                syncs.append((site.kioskID, try site.start("sync-once", site.syncArguments(
                    collector.url, ["--once", "--batch-count", "5"]))))
            }
            for (kiosk, sync) in syncs {
                let status = sync.waitForExit(timeout: 120)
                #expect(status == 0, "round \(round + 1), \(kiosk): sync exit \(status.map(String.init) ?? "none")\n\(fleet.logs)")
                #expect(sync.stdout.contains(SyncCollectorTests.summary(stored: 12)),
                        "round \(round + 1), \(kiosk)\n\(sync.log)")
            }
        }

        // 2. kiosk-4's next 30 responses posted as 3 batches, each to A and B at the same moment: both answer
        //    200, and each item is stored by exactly one of them (the other says duplicate).
        let twin = fleet.sites[3]
        try fleet.write(3, 30)
        let twinFiles = twin.files("pending")
        try #require(twinFiles.count == 30, "\(fleet.logs)")
        let envelopes = try twinFiles.map {
            try FlattenedJWS.parse(Data(contentsOf: twin.workspace.url("responses/pending/\($0)")))
        }
        let health = BufferHealth(pending: envelopes.count, rejected: 0, lastSequence: UInt64(fleet.written[3]))
        let batches = stride(from: 0, to: envelopes.count, by: 10).map {
            UploadBatch(kiosk: twin.kioskID, health: health, responses: Array(envelopes[$0..<min($0 + 10, envelopes.count)]))
        }
        let urlA = try #require(URL(string: collectorA.url))
        let urlB = try #require(URL(string: collectorB.url))
        let logger = Logger(label: "touchpoint.tests.multi-collector")
        let token = twin.uploadToken
        let answers = try await HTTPUploadTransport.withTransport(configuration: .init(collectorURL: urlA, token: token), logger: logger) { toA in
            try await HTTPUploadTransport.withTransport(configuration: .init(collectorURL: urlB, token: token), logger: logger) { toB in
                var answers: [(UploadOutcome, UploadOutcome)] = []
                for batch in batches {
                    async let fromA = toA.upload(batch)
                    async let fromB = toB.upload(batch)
                    answers.append(try await (fromA, fromB))
                }
                return answers
            }
        }
        for (number, (answerA, answerB)) in answers.enumerated() {
            guard case .answered(let resultA) = answerA, case .answered(let resultB) = answerB else {
                Issue.record("batch \(number + 1) sent to both: A answered \(answerA), B answered \(answerB)")
                continue
            }
            for (itemA, itemB) in zip(resultA.results, resultB.results) {
                #expect(Set([itemA.status, itemB.status]) == [.stored, .duplicate],
                        "batch \(number + 1) item \(itemA.index): A \(itemA.status) \(itemA.reason ?? ""), B \(itemB.status) \(itemB.reason ?? "")")
            }
        }
        // The kiosk's own sync then finds them all stored.
        let twinSync = try twin.syncOnce(collectorA, ["--batch-count", "10"])
        #expect(twinSync.status == 0 && twinSync.stdout.contains(SyncCollectorTests.summary(stored: 0, duplicate: 30)),
                "\(twinSync)")

        // 3. A killed with SIGKILL while kiosk-2's sync --watch sends to it. First the receiver stops accepting
        //    posts (503, Retry-After 1), and every post it accepted is recorded as delivered: a collector killed
        //    between a webhook's 2xx and recording it posts that row again (at least once, as documented), which
        //    is not what this test is about. Then kiosk-2 finishes against B.
        try await receiver.close()
        try await fleet.poll("every post the receiver accepted to be recorded as delivered", timeout: 60, detail: feedStatuses) {
            try await collectorB.feedStatus(token: admin).webhook(Self.webhook).delivered == receiver.bodies().count
        }
        let victim = fleet.sites[1]
        try fleet.write(1, 80)
        let sentBefore = victim.files("sent").count
        let watch = try victim.start("sync-watch", victim.syncArguments(collectorA.url, ["--watch", "--batch-count", "2"]))
        try fleet.wait("kiosk-2's first batches to A in sent/", timeout: 60) {
            victim.files("sent").count >= sentBefore + 6 || !watch.isRunning
        }
        collectorA.child.send(SIGKILL)
        try #require(collectorA.child.waitForExit(timeout: 60) != nil, "collector A survived SIGKILL")
        let pendingAtKill = victim.files("pending").count
        try #require(pendingAtKill > 0, "kiosk-2's sync finished before A was killed: nothing was tested\n\(fleet.logs)")
        watch.send(SIGINT)
        #expect(watch.waitForExit(timeout: 60) == 0, "sync --watch after SIGINT\n\(fleet.logs)")
        let finish = try victim.syncOnce(collectorB, ["--batch-count", "10"], timeout: 120)
        #expect(finish.status == 0, "\(fleet.logs)")
        #expect(victim.files("pending").isEmpty, "\(victim.files("pending").count) still pending\n\(fleet.logs)")
        try await receiver.open()

        // 4. A restarted on the same database; kiosk-1 syncs to it and kiosk-3 to B at the same time.
        let restartedA = try office.startCollector(extra: feed)
        try fleet.write(0, 10)
        try fleet.write(2, 10)
        let lastSyncs = [
            try fleet.sites[0].start("sync-once", fleet.sites[0].syncArguments(restartedA.url, ["--once", "--batch-count", "5"])),
            try fleet.sites[2].start("sync-once", fleet.sites[2].syncArguments(collectorB.url, ["--once", "--batch-count", "5"])),
        ]
        for sync in lastSyncs {
            #expect(sync.waitForExit(timeout: 120) == 0, "\(sync.log)")
            #expect(sync.stdout.contains(SyncCollectorTests.summary(stored: 10)), "\(sync.log)")
        }

        // Every response stored exactly once: per kiosk as many as written, sequence 1…n, no gaps.
        for (index, site) in fleet.sites.enumerated() {
            let written = fleet.written[index]
            #expect(site.files("pending").isEmpty, "\(site.kioskID): \(site.files("pending").count) pending")
            #expect(site.files("rejected").isEmpty, "\(site.kioskID): rejected \(site.files("rejected").prefix(5))")
            #expect(site.files("sent").count == written, "\(site.kioskID)")
            let entry = try site.fleetEntry()
            #expect(entry.responseCount == written, "\(site.kioskID) (kiosk-2 had \(pendingAtKill) pending at the kill)")
            #expect(entry.highestSequence == UInt64(written), "\(site.kioskID)")
            #expect(entry.gaps.isEmpty, "\(site.kioskID) gaps \(entry.gaps)")
        }

        // The report (from the aggregates both collectors kept) equals a recomputation from what was written.
        let report = try office.run(["report", "ces", "--database", database.url, "--format", "json", "--min", "0"])
        try #require(report.status == 0, "\(report)")
        let ces = try JSONDecoder().decode(CESReport.self, from: Data(report.stdout.utf8)).total
        let total = fleet.total
        #expect(ces.n == total, "\(report.stdout)")
        let mean = Double(fleet.effortSum) / Double(total)
        let reportedMean = try #require(ces.mean, "no mean in\n\(report.stdout)")
        #expect(abs(reportedMean - mean) < 1e-9, "reported mean \(reportedMean), written \(mean)")
        #expect(ces.easy == total, "every effort written was 5–7, i.e. easy")

        // Every comment posted exactly once. A's claim on the row it was posting when killed runs out after
        // PostgresCollectorStorage.claimLease (60 s), hence the generous deadline.
        try await fleet.poll("all \(total) comments at the receiver", timeout: 120, detail: feedStatuses) {
            receiver.bodies().count >= total
        }
        // Idle: nothing pending in the outbox, so nothing more will be posted.
        for (name, collector) in [("B", collectorB), ("restarted A", restartedA)] {
            try await fleet.poll("nothing pending in \(name)'s feed status", timeout: 60, detail: feedStatuses) {
                let status = try await collector.feedStatus(token: admin)
                return status.started && status.webhook(Self.webhook).pending == 0
            }
        }
        let status = try await collectorB.feedStatus(token: admin).webhook(Self.webhook)
        #expect(status.delivered == total && status.failed == 0, "\(status)")
        let bodies = receiver.bodies()
        let posted = bodies.map(KioskFleet.markers(in:))
        #expect(posted.allSatisfy { $0.count == 1 }, "a post without exactly one comment: \(bodies.first { KioskFleet.markers(in: $0).count != 1 } ?? "")")
        let counts = Dictionary(posted.joined().map { ($0, 1) }, uniquingKeysWith: +)
        let repeated = counts.filter { $0.value > 1 }.keys.sorted()
        let missing = Set(fleet.markers).subtracting(counts.keys).sorted()
        let unknown = Set(counts.keys).subtracting(fleet.markers).sorted()
        #expect(repeated.isEmpty, "posted more than once: \(repeated)")
        #expect(missing.isEmpty, "never posted: \(missing.prefix(20)) (\(missing.count) in all)")
        #expect(unknown.isEmpty, "posted but never written: \(unknown.prefix(20))")
        #expect(bodies.count == total)

        fleet.stopAll()
        #expect(fleet.runningChildren.isEmpty, "still running: \(fleet.runningChildren.map(\.name))")
    }
}
