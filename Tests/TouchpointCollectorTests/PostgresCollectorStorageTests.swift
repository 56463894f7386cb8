import Foundation
import Synchronization
import Testing
import TouchpointCollector
import TouchpointCollectorPostgres
import TouchpointCore
import TouchpointJOSE
import TouchpointProtocol
import TouchpointStore

/// What only the PostgreSQL storage has: URLs, connection errors, and several processes on one database
/// (two storages = two connection pools = two collector processes).
@Suite("PostgreSQL collector storage: connections and several processes")
struct PostgresCollectorStorageTests {
    let key = KioskKey.generate()
    let now = Fixtures.start.addingTimeInterval(86_400)

    @Test func urlsParseAndNeverShowThePassword() throws {
        let url = try PostgresDatabaseURL("postgresql://collector:p%40ss@db.example:6543/touchpoint?sslmode=require")
        #expect(url.host == "db.example" && url.port == 6543 && url.user == "collector" && url.database == "touchpoint")
        #expect(url.password == "p@ss" && url.tls == .require)
        #expect(url.description == "postgres://collector:***@db.example:6543/touchpoint?sslmode=require")
        #expect(!url.description.contains("p@ss") && !url.description.contains("p%40ss"))
        let plain = try PostgresDatabaseURL("postgres://collector@127.0.0.1/touchpoint")
        #expect(plain.port == 5432 && plain.password == nil && plain.tls == .disable)
        for bad in ["mysql://u@h/db", "postgres://h:5432/db", "postgres://u@h:5432", "postgres://u@h/db?sslmode=maybe", "not a url"] {
            #expect(throws: CollectorError.self, "\(bad)") { try PostgresDatabaseURL(bad) }
        }
    }

    @Test func anUnreachableServerIsUnavailableAndNamed() async throws {
        // Port 1 on the loopback address: nothing listens there, the connection is refused at once.
        do {
            _ = try await PostgresCollectorStorage(url: "postgres://collector:hunter2@127.0.0.1:1/touchpoint", logger: quietLogger)
            Issue.record("expected an error")
        } catch let error as CollectorError {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("cannot reach the PostgreSQL server at 127.0.0.1:1"), "\(error)")
            #expect(!error.description.contains("hunter2"))
            // The cause says what happened (postgres-nio's own description is a placeholder).
            #expect(error.description.contains("Connection refused"), "\(error)")
        }
    }

    @Test(arguments: StorageBackend.postgresOnly) func refusedCredentialsAreSaidSo(backend: StorageBackend) async throws {
        let server = try await TestPostgres.serverURL()
        let url = "postgres://no_such_collector:hunter2@\(server.host):\(server.port)/\(server.database)"
        do {
            _ = try await PostgresCollectorStorage(url: url, logger: quietLogger)
            Issue.record("expected an error")
        } catch let error as CollectorError {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("refused the credentials of user no_such_collector"), "\(error)")
            #expect(error.message.contains("\(server.host):\(server.port)"))
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.contains("no_such_collector"), "\(error)")
            #expect(!error.description.contains("Generic description"), "\(error)")
        }
    }

    @Test(arguments: StorageBackend.postgresOnly) func aMissingDatabaseIsNamed(backend: StorageBackend) async throws {
        let server = try await TestPostgres.serverURL()
        let url = "postgres://\(server.user)@\(server.host):\(server.port)/no_such_database_here"
        await #expect {
            _ = try await PostgresCollectorStorage(url: url, logger: quietLogger)
        } throws: { error in
            (error as? CollectorError)?.message.contains("has no database no_such_database_here") == true
        }
    }

    @Test(arguments: StorageBackend.postgresOnly) func twoCollectorsStartingAtOnceMigrateOnce(backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            async let first = location.open()
            async let second = location.open()
            let storages = try await [first, second]
            try await storages[0].enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK)
            #expect(try await storages[1].kiosks().map(\.id) == ["kiosk-1"])
            for storage in storages {
                try await storage.close()
            }
            // Opening again finds nothing to do and keeps the data.
            let reopened = try await location.withOpened { storage in try await storage.kiosks().map(\.id) }
            #expect(reopened == ["kiosk-1"])
        }
    }

    @Test(arguments: StorageBackend.postgresOnly) func closedStorageIsUnavailable(backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            let storage = try await location.open()
            try await storage.close()
            await #expect {
                _ = try await storage.kiosks()
            } throws: { error in
                (error as? CollectorError)?.code == .unavailable
            }
        }
    }

    // MARK: Several processes

    /// Two storages on one fresh database, closed afterwards.
    func withTwoProcesses(_ body: (any TestStorage, any TestStorage) async throws -> Void) async throws {
        try await withStorageLocation(.postgres) { location in
            try await location.withOpened { first in
                try await location.withOpened { second in
                    try await body(first, second)
                }
            }
        }
    }

    /// `responses` signed and sent as one upload batch through ``ResponseIngestor``; the results with their reasons.
    func ingestResults(_ responses: [SurveyResponse], into storage: any TestStorage) async throws -> [ItemResult] {
        let kiosk = responses.first?.kiosk ?? "kiosk-1"
        let signer = kiosk == "kiosk-1" ? key : try #require(FeedFixtures.siteKeys[kiosk])
        let batch = UploadBatch(
            kiosk: kiosk, health: BufferHealth(pending: 0, rejected: 0),
            responses: try responses.map { try Fixtures.signed($0, key: signer) })
        let ingestor = ResponseIngestor(storage: storage, surveys: try Fixtures.surveys(), logger: quietLogger)
        return try await ingestor.ingest(batch, at: now).results
    }

    @Test(arguments: StorageBackend.postgresOnly) func theSameBatchAtTwoCollectorsIsStoredOnce(backend: StorageBackend) async throws {
        try await withTwoProcesses { first, second in
            try await first.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK)
            for round in 0..<5 {
                let responses = (1...20).map { Fixtures.response(sequence: UInt64(round * 20 + $0)) }
                let items = try Fixtures.verified(responses, key: key)
                async let left = first.ingest(items, health: Fixtures.health, kiosk: "kiosk-1", at: now)
                async let right = second.ingest(items, health: Fixtures.health, kiosk: "kiosk-1", at: now)
                let (a, b) = try await (left, right)
                for (x, y) in zip(a, b) {
                    #expect(Set([x.status, y.status]) == [.stored, .duplicate], "\(x) \(y)")
                }
            }
            let record = try #require(try await second.kiosk("kiosk-1"))
            #expect(record.responseCount == 100 && record.highestSequence == 100 && record.gaps.isEmpty)
            for metric in ReportMetric.allCases {
                let query = ReportQuery(metric: metric, groupBy: [.site, .day])
                let report = try await first.report(query)
                #expect(report == (try await second.reportFromRawRows(query)))
                #expect(report.total.n == (metric == .ces ? 0 : 100))
            }
        }
    }

    @Test(arguments: StorageBackend.postgresOnly) func concurrentBatchesAddUpInTheAggregates(backend: StorageBackend) async throws {
        try await withTwoProcesses { first, second in
            try await FeedFixtures.enroll(first, key: key)
            // Every other batch comes from the kiosk at lund (the collector holds responses to their kiosk's site).
            let lund = try #require(FeedFixtures.siteKeys[FeedFixtures.kiosk(at: "lund")])
            try await first.enroll(kiosk: FeedFixtures.kiosk(at: "lund"), site: "lund", jwk: lund.publicJWK, tokenHash: nil, at: Fixtures.start)
            let accounts = ["ACME", "Initech", "Umbrella"]
            var generator = SeededGenerator(state: 7)
            var batches: [[SurveyResponse]] = []
            for batch in 0..<8 {
                batches.append((1...15).map { offset in
                    let sequence = UInt64(batch * 15 + offset)
                    // A retail comment goes with a detractor's or a promoter's score (the survey hides it for 7–8).
                    return FeedFixtures.response(
                        service: Bool.random(using: &generator), sequence: sequence, nps: [0, 3, 6, 9, 10][Int.random(in: 0..<5, using: &generator)],
                        comment: sequence % 3 == 0 ? "Comment \(sequence)" : nil, site: ["malmo", "lund"][batch % 2],
                        account: accounts[Int.random(in: 0..<3, using: &generator)])
                })
            }
            // Eight batches at once, half through each process: they share every aggregate row.
            try await withThrowingTaskGroup(of: [ItemResult].self) { group in
                for (index, batch) in batches.enumerated() {
                    let storage = index % 2 == 0 ? first : second
                    group.addTask { try await ingestResults(batch, into: storage) }
                }
                for try await results in group {
                    #expect(results.map(\.status) == Array(repeating: .stored, count: 15), "\(results.compactMap(\.reason))")
                }
            }
            #expect(try await first.kiosk("kiosk-1")?.responseCount == 60)
            #expect(try await first.kiosk(FeedFixtures.kiosk(at: "lund"))?.responseCount == 60)
            for metric in ReportMetric.allCases {
                for groupBy in [[], [ReportDimension.site], [.day, .survey]] {
                    let query = ReportQuery(metric: metric, groupBy: groupBy)
                    #expect(try await first.report(query) == (try await second.reportFromRawRows(query)), "\(query)")
                }
            }
            let recent = now.addingTimeInterval(-3 * 86_400)
            let inputs = try await second.healthInputs(answersSince: nil, recentSince: recent)
            #expect(inputs == (try await first.healthInputsFromRawRows(answersSince: nil, recentSince: recent)))
            #expect(inputs.values.map(\.responses).reduce(0, +) == 120)
        }
    }

    @Test(arguments: StorageBackend.postgresOnly) func twoFeedsDeliverEachPostOnce(backend: StorageBackend) async throws {
        try await withTwoProcesses { first, second in
            let hooks = [
                Webhook(name: "all", url: try #require(URL(string: "http://127.0.0.1:9/all")), route: FeedRoute(),
                        comments: true, detractors: true, minimumInterval: .zero),
            ]
            try await FeedFixtures.enroll(first, key: key)
            #expect(try await first.fanOut(to: hooks, at: now, limit: 10).started)
            let responses = (1...60).map { FeedFixtures.response(sequence: UInt64($0), nps: [0, 5, 9, 10][$0 % 4], comment: "Note \($0)") }
            let delivered = DeliveredIDs()
            // Both "processes" ingest (in small batches) and run the feed loop at the same time.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, storage) in [first, second].enumerated() {
                    group.addTask {
                        for start in stride(from: index * 30, to: index * 30 + 30, by: 5) {
                            let results = try await ingestResults(Array(responses[start..<start + 5]), into: storage)
                            #expect(results.allSatisfy { $0.status == .stored }, "\(results.compactMap(\.reason))")
                        }
                    }
                    group.addTask {
                        var idleRounds = 0
                        // The deadline only bounds a failing test: the loop ends when everything is posted.
                        let deadline = ContinuousClock.now + .seconds(120)
                        while idleRounds < 3 {
                            guard ContinuousClock.now < deadline else {
                                Issue.record("the feed loop did not go idle")
                                return
                            }
                            let fanned = try await storage.fanOut(to: hooks, at: now, limit: 7)
                            var posted = 0
                            while let entry = try await storage.nextPending(webhook: "all") {
                                delivered.add(entry.id)
                                try await storage.record(.delivered, for: entry.id, at: now)
                                posted += 1
                            }
                            let done = try await first.kiosk("kiosk-1")?.responseCount == 60
                            idleRounds = done && fanned.responses == 0 && posted == 0 ? idleRounds + 1 : 0
                            await Task.yield()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let status = try await first.outboxStatus().webhook("all")
            // Every response has a comment: one post each (a detractor's comment carries its score, no second post).
            let expected = responses.count
            #expect(status.delivered == expected && status.pending == 0 && status.failed == 0)
            let ids = delivered.all
            #expect(ids.count == expected, "delivered \(ids.count) posts for \(expected) rows")
            #expect(Set(ids).count == ids.count, "a row was delivered twice")
        }
    }

    @Test(arguments: StorageBackend.postgresOnly) func aDeadProcessesClaimIsTakenOverAfterItsLease(backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            try await location.withOpened { first in
                try await location.withOpened { second in
                    let hooks = [
                        Webhook(name: "all", url: try #require(URL(string: "http://127.0.0.1:9/all")), route: FeedRoute(),
                                comments: true, detractors: false, minimumInterval: .zero),
                    ]
                    try await FeedFixtures.enroll(first, key: key)
                    _ = try await first.fanOut(to: hooks, at: now, limit: 10)
                    _ = try await FeedFixtures.ingest([FeedFixtures.response(sequence: 1, nps: 9, comment: "Hello")], into: first, key: key)
                    #expect(try await second.fanOut(to: hooks, at: now, limit: 10).queued == 1)
                    let claimed = try #require(try await first.nextPending(webhook: "all"))
                    // Asking again (e.g. after waiting for the rate limit) returns the same row to its claimant…
                    #expect(try await first.nextPending(webhook: "all")?.id == claimed.id)
                    // …and nothing to the other process while the lease runs.
                    #expect(try await second.nextPending(webhook: "all") == nil)
                    // The first process "dies": its lease runs out.
                    try await location.execute("UPDATE feed_outbox SET claimed_until = now() - interval '1 second'")
                    let taken = try #require(try await second.nextPending(webhook: "all"))
                    #expect(taken.id == claimed.id)
                    try await second.record(.delivered, for: taken.id, at: now)
                    #expect(try await first.nextPending(webhook: "all") == nil)
                    #expect(try await first.outboxStatus().webhook("all").delivered == 1)
                }
            }
        }
    }
}

/// Outbox row ids delivered by several tasks.
final class DeliveredIDs: Sendable {
    private let ids = Mutex<[Int64]>([])

    func add(_ id: Int64) {
        ids.withLock { $0.append(id) }
    }

    var all: [Int64] {
        ids.withLock { $0 }
    }
}
