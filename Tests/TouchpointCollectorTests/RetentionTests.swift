import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointJOSE
import TouchpointCollectorServer
import Synchronization
import Hummingbird
import HummingbirdTesting
import HTTPTypes

/// The retention policy, pruning on a fixed clock and access requests, on both backends (issue 15).
@Suite("Retention and access")
struct RetentionTests {
    let key = KioskKey.generate()
    /// The fixed clock: the day the fixtures are received.
    let now = FeedFixtures.receivedAt
    /// Comments 30 days, responses 90 days, accounts 60 days after their last response.
    let policy = RetentionPolicy(
        comments: RetentionPeriod(30, .days), responses: RetentionPeriod(90, .days), accounts: RetentionPeriod(60, .days))

    /// `response` completed `days` days before ``now``, with an id of that time.
    func dated(_ response: SurveyResponse, daysAgo days: Double) -> SurveyResponse {
        var dated = response
        dated.completedAt = now.addingTimeInterval(-days * 86_400)
        dated.startedAt = dated.completedAt.addingTimeInterval(-30)
        var generator = SeededGenerator(state: response.sequence &* 31)
        dated.id = UUIDv7.make(at: dated.completedAt, using: &generator)
        return dated
    }

    /// Six responses over 200 days: two of account OLD past the response horizon, ACME's inside it, one with a
    /// comment past the comment horizon; detractors open cases.
    func fill(_ storage: any TestStorage) async throws -> [SurveyResponse] {
        try await FeedFixtures.enroll(storage, key: key)
        _ = try await storage.importAccounts(
            AccountImport(accounts: [Account(id: "OLD", owner: "karin"), Account(id: "ACME", owner: "per")]), at: Fixtures.start)
        let responses = [
            dated(FeedFixtures.response(sequence: 1, nps: 3, comment: "Call me on 070-123 45 67", account: "OLD"), daysAgo: 200),
            dated(FeedFixtures.response(sequence: 2, nps: 9, comment: "Lovely staff", account: "old"), daysAgo: 120),
            dated(FeedFixtures.response(service: true, sequence: 3, nps: 5, comment: "Slow desk, ask for Sven", account: "ACME"), daysAgo: 60),
            dated(FeedFixtures.response(sequence: 4, nps: 10), daysAgo: 45),
            dated(FeedFixtures.response(service: true, sequence: 5, nps: 8, comment: "Sven was kind", account: "ACME"), daysAgo: 5),
            dated(FeedFixtures.response(sequence: 6, nps: 6), daysAgo: 1),
        ]
        #expect(try await FeedFixtures.ingest(responses, into: storage, key: key).allSatisfy { $0 == .stored })
        return responses
    }

    /// Every report the aggregates give, by day, so a change anywhere shows.
    func reports(_ storage: any TestStorage) async throws -> [Report] {
        var reports: [Report] = []
        for metric in ReportMetric.allCases {
            for groupBy in [[], [ReportDimension.site, .touchpoint], [.question, .day]] as [[ReportDimension]] {
                reports.append(try await storage.report(
                    ReportQuery(metric: metric, groupBy: groupBy, includeSuspect: true, includePartial: true, minimumCount: 1)))
            }
        }
        return reports
    }

    @Test func horizonsAreUTCMidnightsOfCalendarPeriods() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2026-11-30T15:20:00Z"))
        let horizons = RetentionPolicy(
            comments: RetentionPeriod(6, .months), responses: RetentionPeriod(3, .years), accounts: RetentionPeriod(90, .days)
        ).horizons(at: now)
        #expect(horizons.comments.map(ReportCalendar.day(of:)) == "2026-05-30")
        #expect(horizons.comments.map(ReportCalendar.isMidnight) == true)
        #expect(horizons.responses.map(ReportCalendar.day(of:)) == "2023-11-30")
        #expect(horizons.accounts.map(ReportCalendar.day(of:)) == "2026-09-01")
        #expect(horizons.description == "comments before 2026-05-30, responses before 2023-11-30, accounts inactive since before 2026-09-01")
        // Raw data is said to be gone only for ranges that reach before a horizon.
        #expect(horizons.note(from: nil)?.contains("raw responses before 2023-11-30") == true)
        #expect(horizons.note(from: nil)?.contains("comments before 2026-05-30") == true)
        #expect(horizons.note(from: horizons.comments) == nil)
        let commentsOnly = RetentionHorizons(comments: horizons.comments)
        #expect(commentsOnly.note(from: horizons.responses)?.hasPrefix("Removed by the retention policy: comments before 2026-05-30") == true)
    }

    @Test func aRetentionFileIsReadWithItsProblemsAtFileLineColumn() throws {
        let policy = try RetentionPolicy.parse(
            yaml: "retention:\n  comments: 12 months\n  responses: 3 years\n  accounts: 1 year\n  checkEvery: 6h\n", file: "r.yaml")
        #expect(policy.comments == RetentionPeriod(12, .months) && policy.responses == RetentionPeriod(3, .years))
        #expect(policy.accounts == RetentionPeriod(1, .years) && policy.checkEvery == .seconds(6 * 3600))
        #expect(policy.description == "comments 12 months, responses 3 years, accounts 1 year after their last response")
        #expect(throws: YAMLFileError.self) { try RetentionPolicy.parse(yaml: "retention:\n  comments: soon\n", file: "r.yaml") }
        do {
            _ = try RetentionPolicy.parse(yaml: "retention:\n  comments: 12 months\n  respones: 3 years\n  accounts: 0 days\n", file: "r.yaml")
            Issue.record("a bad file was accepted")
        } catch {
            let text = error.description
            #expect(text.contains("r.yaml:3:3") && text.contains("respones"), "\(text)")
            #expect(text.contains("r.yaml:4:13") && text.contains("retention.accounts must be a period"), "\(text)")
        }
        #expect(throws: YAMLFileError.self) { try RetentionPolicy.parse(yaml: "retention:\n  checkEvery: 1d\n", file: "r.yaml") }
    }

    @Test(arguments: StorageBackend.available) func pruningKeepsTheAggregatesAndRemovesTheRawData(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let responses = try await fill(storage)
            let before = try await reports(storage)
            let healthBefore = try await storage.healthInputs(answersSince: nil, recentSince: Fixtures.start)["ACME"]
            let horizons = policy.horizons(at: now)
            // A dry run says what would go and changes nothing.
            let dry = try await storage.prune(horizons, by: "cli:dpo", at: now, dryRun: true)
            #expect(dry.responses == 2 && dry.comments == 1 && dry.accounts == 1 && dry.cases == 1 && dry.dryRun)
            #expect(try await storage.comments(CommentQuery()).count == 4)
            #expect(try await storage.retentionHorizons().isEmpty)
            #expect(try await storage.erasures().isEmpty)

            let done = try await storage.prune(horizons, by: "cli:dpo", at: now, dryRun: false)
            #expect(done.responses == 2 && done.comments == 1 && done.accounts == 1 && done.cases == 1 && !done.dryRun)
            // Aggregates before == after; the raw rows before the horizons are gone.
            #expect(try await reports(storage) == before)
            let raw = try await storage.reportFromRawRows(ReportQuery(metric: .nps, minimumCount: 1))
            #expect(raw.total.n == 4)
            let exported = try await storage.exportAnswers(AnswerSelection(), after: nil, limit: 1000)
            #expect(Set(exported.map(\.responseID)) == Set(responses[2...].map(\.id)))
            #expect(try await storage.comments(CommentQuery()).map(\.text) == ["Sven was kind"])
            #expect(try await storage.followUpCase(responses[0].id) == nil)
            // ACME (active) keeps its health figures; OLD (inactive) is erased, its CRM row too.
            #expect(try await storage.healthInputs(answersSince: nil, recentSince: Fixtures.start)["ACME"] == healthBefore)
            #expect(try await storage.accounts().map(\.id) == ["ACME"])
            #expect(try await storage.accountRecords("old").responses.isEmpty)
            // Pruned sequence numbers are not missing.
            let kiosk = try #require(try await storage.kiosk("kiosk-1"))
            #expect(kiosk.gaps.isEmpty && kiosk.responseCount == 4 && kiosk.highestSequence == 6)
            #expect(try await storage.retentionHorizons() == horizons)
            let log = try await storage.erasures()
            #expect(log.count == 1 && log[0].kind == "retention" && log[0].summary.accounts == 1 && log[0].targetDigest == horizons.description)
            // A rebuild of the aggregates keeps the pruned days' figures; a second run finds nothing.
            try await storage.rebuildAggregates()
            #expect(try await reports(storage) == before)
            #expect(try await storage.prune(horizons, by: "cli:dpo", at: now, dryRun: false).isEmpty)
            #expect(try await storage.erasures().count == 1)
            #expect(try await storage.retentionNote(from: nil)?.contains(ReportCalendar.day(of: try #require(horizons.responses))) == true)
            // An erasure after pruning recounts the account from what is left, keeping the pruned days.
            _ = try await storage.erase(.response(responses[4].id), by: "cli:dpo", at: now, dryRun: false)
            #expect(try await storage.healthInputs(answersSince: nil, recentSince: Fixtures.start)
                == (try await storage.healthInputsFromRawRows(answersSince: nil, recentSince: Fixtures.start)))
        }
    }

    @Test(arguments: StorageBackend.available) func aSubjectAccessRequestGathersEverythingAboutTheAccount(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let responses = try await fill(storage)
            try await storage.changeCase(responses[2].id, .note("Per phoned the customer"), by: "per", at: now)
            try await storage.recordHealthSnapshots([HealthSnapshot(account: "ACME", zone: .yellow, score: 55, at: now)])
            let report = try await SubjectAccessReport.gather(account: " acme ", from: storage, at: now)
            #expect(report.responses.map(\.id) == [responses[2].id, responses[4].id])
            #expect(report.comments.map(\.text) == ["Slow desk, ask for Sven", "Sven was kind"])
            #expect(report.cases.map(\.id) == [responses[2].id])
            #expect(report.cases.first?.events.contains { $0.detail == "Per phoned the customer" } == true)
            #expect(report.healthHistory.map(\.score) == [55])
            #expect(report.crm?.owner == "per" && report.removedByRetention == nil)
            // As JSON, with the answers unmasked (they go to the data subject).
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            let json = String(decoding: try encoder.encode(report), as: UTF8.self)
            #expect(json.contains("Slow desk, ask for Sven") && json.contains("\"healthHistory\""))
            // After the account's erasure nothing about it is left to give.
            _ = try await storage.erase(.account("ACME"), by: "cli:dpo", at: now, dryRun: false)
            let after = try await SubjectAccessReport.gather(account: "ACME", from: storage, at: now)
            #expect(after.responses.isEmpty && after.comments.isEmpty && after.cases.isEmpty && after.healthHistory.isEmpty && after.crm == nil)
        }
    }

    @Test func theCollectorsWorkerPrunesWhenItStartsAndOnItsSchedule() async throws {
        try await withStorage { storage, _ in
            _ = try await fill(storage)
            let clock = Mutex(now)
            let (slept, sleeping) = AsyncStream<Void>.makeStream()
            let service = RetentionService(
                policy: policy, storage: storage, logger: quietLogger, now: { clock.withLock { $0 } },
                sleep: { _ in
                    sleeping.yield()
                    try await Task.sleep(for: .seconds(3600))
                })
            let running = Task { try await service.run() }
            var waits = slept.makeAsyncIterator()
            _ = await waits.next()
            running.cancel()
            _ = await running.result
            // The first run pruned at once and is in the erasure log under the collector's name.
            #expect(try await storage.retentionHorizons() == policy.horizons(at: now))
            #expect(try await storage.erasures().map(\.actor) == [RetentionService.actor])
            // The next run, a day later, moves the horizons on.
            clock.withLock { $0 = $0.addingTimeInterval(86_400) }
            try await service.check()
            #expect(try await storage.retentionHorizons() == policy.horizons(at: now.addingTimeInterval(86_400)))
        }
    }

    @Test func routesAndTheDashboardSayWhereRawDataIsGone() async throws {
        try await withStorage { storage, _ in
            _ = try await fill(storage)
            let horizons = policy.horizons(at: now)
            _ = try await storage.prune(horizons, by: "cli:dpo", at: now, dryRun: false)
            let analyst = try await TestAccess.token(in: storage, role: .analyst)
            let app = buildApplication(
                configuration: CollectorConfiguration(minimumGroupSize: 1), storage: storage, surveys: try Fixtures.catalog(),
                logger: quietLogger)
            let responsesDay = ReportCalendar.day(of: try #require(horizons.responses))
            try await app.test(.router) { client in
                func get(_ uri: String) async throws -> String {
                    let response = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(analyst)"])
                    #expect(response.status == .ok, "\(uri)")
                    return String(decoding: response.body.readableBytesView, as: UTF8.self)
                }
                for uri in ["/v1/reports/nps", "/v1/reports/choice", "/v1/comments", "/?range=all"] {
                    let text = try await get(uri)
                    #expect(text.contains("Removed by the retention policy: raw responses before \(responsesDay)"), "\(uri)")
                }
                // A range after the horizons holds all its raw data: nothing to say.
                let recent = try await get("/v1/reports/nps?from=\(ReportCalendar.day(of: now.addingTimeInterval(-10 * 86_400)))")
                #expect(!recent.contains("retention"), "\(recent)")
            }
        }
    }
}
