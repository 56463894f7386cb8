import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointJOSE

/// Erasure by response, by account and by comment text, on both backends (issue 15): what goes, what stays exact.
@Suite("Erasure")
struct ErasureTests {
    let key = KioskKey.generate()
    let now = FeedFixtures.receivedAt.addingTimeInterval(3600)

    /// Stores seven responses (two of account ACME, with comments; detractors that open cases) with the feed started
    /// before them, so their posts are pending.
    func fill(_ storage: any TestStorage) async throws -> [SurveyResponse] {
        try await FeedFixtures.enroll(storage, key: key)
        _ = try await storage.importAccounts(AccountImport(accounts: [Account(id: "ACME", owner: "karin")]), at: Fixtures.start)
        let hook = Webhook(name: "all", url: try #require(URL(string: "https://hooks.example.com/x")), detractors: true)
        #expect(try await storage.fanOut(to: [hook], at: Fixtures.start, limit: 10).started)
        let responses = [
            FeedFixtures.response(sequence: 1, nps: 3, comment: "Call me on 070-123 45 67", account: "ACME"),
            FeedFixtures.response(sequence: 2, nps: 9, comment: "Lovely staff", account: "acme"),
            FeedFixtures.response(service: true, sequence: 3, nps: 5, comment: "Slow desk, ask for Sven"),
            FeedFixtures.response(sequence: 4, nps: 10),
            FeedFixtures.response(service: true, sequence: 5, nps: 8, comment: "Sven was kind"),
            FeedFixtures.response(sequence: 6, nps: 6),
            FeedFixtures.response(sequence: 7, nps: 9, comment: "ok"),
        ]
        #expect(try await FeedFixtures.ingest(responses, into: storage, key: key).allSatisfy { $0 == .stored })
        #expect(try await storage.fanOut(to: [hook], at: FeedFixtures.receivedAt, limit: 100).queued > 0)
        return responses
    }

    /// Every report equals its recomputation from the raw rows left.
    func expectExactReports(_ storage: any TestStorage) async throws {
        for metric in ReportMetric.allCases {
            for groupBy in [[], [ReportDimension.site, .touchpoint], [.question, .day]] as [[ReportDimension]] {
                let query = ReportQuery(metric: metric, groupBy: groupBy, includeSuspect: true, includePartial: true, minimumCount: 1)
                #expect(try await storage.report(query) == (try await storage.reportFromRawRows(query)), "\(metric) \(groupBy)")
            }
        }
        #expect(try await storage.healthInputs(answersSince: nil, recentSince: Fixtures.start)
            == (try await storage.healthInputsFromRawRows(answersSince: nil, recentSince: Fixtures.start)))
    }

    @Test(arguments: StorageBackend.available) func aWholeResponseGoesWithItsCaseAndPostsAndIsKnownAsErased(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let responses = try await fill(storage)
            let target = responses[0]
            let npsBefore = try await storage.report(ReportQuery(metric: .nps, minimumCount: 1)).total
            // A dry run says what would go and changes nothing.
            let dry = try await storage.erase(.response(target.id), by: "cli:dpo", at: now, dryRun: true)
            #expect(dry == ErasureSummary(responses: 1, cases: 1, posts: 1, dryRun: true))
            #expect(try await storage.followUpCase(target.id) != nil)
            #expect(try await storage.erasures().isEmpty)
            let done = try await storage.erase(.response(target.id.uppercased()), by: "cli:dpo", at: now, dryRun: false)
            #expect(done == ErasureSummary(responses: 1, cases: 1, posts: 1))
            // Reports lost exactly its answers and still equal the raw rows.
            let npsAfter = try await storage.report(ReportQuery(metric: .nps, minimumCount: 1)).total
            #expect(npsAfter.n == npsBefore.n - 1 && npsAfter.detractors == (npsBefore.detractors ?? 0) - 1)
            try await expectExactReports(storage)
            #expect(try await storage.followUpCase(target.id) == nil)
            #expect(!(try await storage.comments(CommentQuery()).contains { $0.responseID == target.id }))
            // Its sequence number is erased, not missing; the count follows.
            let kiosk = try #require(try await storage.kiosk("kiosk-1"))
            #expect(kiosk.gaps.isEmpty && kiosk.responseCount == 6 && kiosk.highestSequence == 7)
            // Nothing of the content in the log; a second erasure of the same id finds nothing.
            let log = try await storage.erasures()
            #expect(log.count == 1 && log[0].kind == "response" && log[0].actor == "cli:dpo")
            #expect(log[0].targetDigest == ErasureRequest.response(target.id).targetDigest && !log[0].targetDigest.contains(target.id))
            #expect(try await storage.erase(.response(target.id), by: "cli:dpo", at: now, dryRun: false).isEmpty)
        }
    }

    @Test(arguments: StorageBackend.available) func anAccountLosesItsReferenceCommentsAndHealthButScoresStay(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let responses = try await fill(storage)
            try await storage.changeCase(responses[0].id, .note("Karin called back"), by: "karin", at: now)
            let before = try await storage.report(ReportQuery(metric: .nps, minimumCount: 1))
            let summary = try await storage.erase(.account(" acme "), by: "cli:dpo", at: now, dryRun: false)
            #expect(summary == ErasureSummary(comments: 2, accountReferences: 2, cases: 1, posts: 2))
            // Scores stay; the reference, the comments, the account and its health are gone.
            #expect(try await storage.report(ReportQuery(metric: .nps, minimumCount: 1)) == before)
            try await expectExactReports(storage)
            let texts = try await storage.comments(CommentQuery()).map(\.text)
            #expect(!texts.contains("Lovely staff") && !texts.contains("Call me on 070-123 45 67") && texts.contains("Sven was kind"))
            #expect(try await storage.accounts().isEmpty)
            #expect(try await storage.healthInputs(answersSince: nil, recentSince: Fixtures.start)["ACME"] == nil)
            let followUp = try #require(try await storage.followUpCase(responses[0].id))
            #expect(followUp.account == nil && followUp.comments.isEmpty)
            #expect(followUp.events.filter { $0.action == .note }.allSatisfy { $0.detail == nil })
            #expect(try await storage.erasures().map(\.kind) == ["account"])
        }
    }

    @Test(arguments: StorageBackend.available) func commentsMatchingATextAtASiteGoAlone(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            _ = try await fill(storage)
            #expect(try await storage.erase(.comments(matching: "SVEN", site: "lund"), by: "cli:dpo", at: now, dryRun: false).isEmpty)
            let summary = try await storage.erase(.comments(matching: "SVEN", site: "malmo"), by: "cli:dpo", at: now, dryRun: false)
            #expect(summary.comments == 2 && summary.responses == 0)
            let texts = try await storage.comments(CommentQuery()).map(\.text)
            #expect(!texts.contains { $0.contains("Sven") } && texts.contains("Lovely staff"))
            try await expectExactReports(storage)
        }
    }
}
