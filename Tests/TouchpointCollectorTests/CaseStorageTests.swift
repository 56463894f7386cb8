import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointJOSE
import TouchpointProtocol

/// Follow-up cases stored in both backends: opened at ingest once, changed with their history, noticed overdue
/// once, linked from feed posts (issue 14).
@Suite("Follow-up cases in storage")
struct CaseStorageTests {
    let key = KioskKey.generate()
    let rules = try! CaseRules.parse(yaml: """
        open: { csat: 2 }
        rules:
          - owner: account
          - sites: [malmo]
            owner: anna
            sla: 24h
        channels: { anna: cx-malmo }
        """, file: "cases.yaml")
    let receivedAt = FeedFixtures.receivedAt

    /// Enrols, imports an account with an owner, and stores a detractor with a comment (account ACME), a retail
    /// promoter (every retail fixture has CSAT 2), a service promoter and a retail detractor without a comment.
    func fill(_ storage: some CollectorStorage) async throws -> [SurveyResponse] {
        try await FeedFixtures.enroll(storage, key: key)
        _ = try await storage.importAccounts(AccountImport(accounts: [Account(id: "ACME", owner: "karin")]), at: Fixtures.start)
        let responses = [
            FeedFixtures.response(sequence: 1, nps: 3, comment: "Nobody <b>greeted</b> us", account: "acme"),
            FeedFixtures.response(sequence: 2, nps: 9),
            FeedFixtures.response(service: true, sequence: 3, nps: 8),
            FeedFixtures.response(sequence: 4, nps: 6),
        ]
        #expect(try await FeedFixtures.ingest(responses, into: storage, key: key, caseRules: rules) == Array(repeating: .stored, count: 4))
        return responses
    }

    @Test(arguments: StorageBackend.available) func eachUnhappyResponseOpensExactlyOneCaseEvenWhenItsBatchIsResent(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let responses = try await fill(storage)
            // The whole batch again (a kiosk that never heard back): duplicates, and no second case.
            #expect(try await FeedFixtures.ingest(responses, into: storage, key: key, caseRules: rules) == Array(repeating: .duplicate, count: 4))
            let cases = try await storage.cases(CaseQuery())
            // Retail responses carry CSAT 2 (the fixture), so both retail promoters' low CSAT opens one too.
            #expect(Set(cases.map(\.id)) == [responses[0].id, responses[1].id, responses[3].id])
            let detractor = try #require(try await storage.followUpCase(responses[0].id))
            #expect(detractor.trigger == "NPS 3 · CSAT 2")
            #expect(detractor.owner == "karin", "the account's owner from the imported accounts")
            #expect(detractor.account == "acme" && detractor.site == "malmo" && detractor.touchpoint == "retail")
            #expect(detractor.openedAt == receivedAt && detractor.completedAt == responses[0].completedAt)
            #expect(detractor.dueAt == receivedAt.addingTimeInterval(48 * 3600), "the file's default SLA for the account rule")
            #expect(detractor.status == .open)
            #expect(detractor.comments == [FeedEvent.Comment(question: "improve", text: "Nobody <b>greeted</b> us")])
            #expect(detractor.scores == [FeedEvent.Score(type: .nps, value: 3), FeedEvent.Score(type: .csat, value: 2)])
            #expect(detractor.events == [CaseEvent(at: receivedAt, actor: "collector", action: .opened, detail: "NPS 3 · CSAT 2; owner karin")])
            let other = try #require(cases.first { $0.id == responses[3].id })
            #expect(other.trigger == "NPS 6 · CSAT 2" && other.owner == "anna" && other.dueAt == receivedAt.addingTimeInterval(86_400))
            let promoter = try #require(cases.first { $0.id == responses[1].id })
            #expect(promoter.trigger == "CSAT 2")
            #expect(try await storage.followUpCase(responses[2].id) == nil)
        }
    }

    @Test(arguments: StorageBackend.available) func changesKeepTheirHistoryAndARefusedOneChangesNothing(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let id = try await fill(storage)[0].id
            let hour: TimeInterval = 3600
            try await storage.changeCase(id, .assign("bo"), by: "eva", at: receivedAt.addingTimeInterval(hour))
            try await storage.changeCase(id, .contacted(note: "Called, apologised"), by: "bo", at: receivedAt.addingTimeInterval(2 * hour))
            try await storage.changeCase(id, .note("Booked a visit"), by: "bo", at: receivedAt.addingTimeInterval(3 * hour))
            let resolved = try await storage.changeCase(id, .resolved(note: "Visit went well"), by: "bo", at: receivedAt.addingTimeInterval(4 * hour))
            #expect(resolved.status == .resolved)
            do {
                try await storage.changeCase(id, .noAction(reason: "oops"), by: "eva", at: receivedAt.addingTimeInterval(5 * hour))
                Issue.record("closed a resolved case")
            } catch let error as CollectorError {
                #expect(error.code == .conflict)
            }
            do {
                try await storage.changeCase("019ab2c4-0000-7000-8000-00000000dead", .note("x"), by: "eva", at: receivedAt)
                Issue.record("changed a case that does not exist")
            } catch let error as CollectorError {
                #expect(error.code == .notFound)
            }
            let stored = try #require(try await storage.followUpCase(id))
            #expect(stored.owner == "bo" && stored.status == .resolved && stored.resolution == "Visit went well")
            #expect(stored.firstContactAt == receivedAt.addingTimeInterval(2 * hour))
            #expect(stored.closedAt == receivedAt.addingTimeInterval(4 * hour))
            #expect(stored.events.map(\.action) == [.opened, .assigned, .contacted, .note, .resolved])
            #expect(stored.events.map(\.actor) == ["collector", "eva", "bo", "bo", "bo"])
            #expect(stored.events[2].detail == "Called, apologised")
            // Filters, as the list and the report use them.
            #expect(try await storage.cases(CaseQuery(statuses: [.resolved])).map(\.id) == [id])
            #expect(try await storage.cases(CaseQuery(statuses: [.open, .contacted])).count == 2)
            #expect(try await storage.cases(CaseQuery(owner: "anna")).count == 2)
            #expect(try await storage.cases(CaseQuery(owner: "")).isEmpty)
            #expect(try await storage.cases(CaseQuery(site: "lund")).isEmpty)
            #expect(try await storage.cases(CaseQuery(overdueAt: receivedAt.addingTimeInterval(25 * hour))).count == 2)
            #expect(try await storage.cases(CaseQuery(overdueAt: receivedAt.addingTimeInterval(hour))).isEmpty)
            #expect(try await storage.cases(CaseQuery(openedFrom: receivedAt.addingTimeInterval(1))).isEmpty)
            #expect(try await storage.cases(CaseQuery(limit: 1)).count == 1)
        }
    }

    @Test(arguments: StorageBackend.available) func anOverdueCaseIsPostedOnceToItsOwnersChannel(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let responses = try await fill(storage)
            let links = CaseLinks(base: try #require(URL(string: "https://cx.example.com")))
            #expect(try await storage.noticeOverdueCases(rules: rules, links: links, at: receivedAt.addingTimeInterval(3600)).isEmpty)
            // A day on: anna's two retail cases are due (24 h); karin's (48 h) is not.
            let day = receivedAt.addingTimeInterval(86_400)
            let noticed = try await storage.noticeOverdueCases(rules: rules, links: links, at: day)
            #expect(Set(noticed.map(\.id)) == [responses[1].id, responses[3].id])
            #expect(try await storage.noticeOverdueCases(rules: rules, links: links, at: day.addingTimeInterval(60)).isEmpty)
            var posts: [OutboxEntry] = []
            while let entry = try await storage.nextPending(webhook: "cx-malmo") {
                posts.append(entry)
                try await storage.record(.delivered, for: entry.id, at: day)
            }
            #expect(posts.count == 2)
            #expect(posts.allSatisfy { $0.event == CaseNotice.overdueEvent })
            let body = try #require(posts.first { $0.responseID == responses[3].id }?.body)
            #expect(body.contains("Overdue follow-up"), "\(body)")
            #expect(body.contains("owner anna"), "\(body)")
            #expect(body.contains("<https://cx.example.com/cases/\(responses[3].id)|Open the case>"), "\(body)")
            // Karin has no channel and there is no "*": her case is noticed when due, but nothing is posted.
            let later = receivedAt.addingTimeInterval(3 * 86_400)
            #expect(try await storage.noticeOverdueCases(rules: rules, links: links, at: later).map(\.id) == [responses[0].id])
            #expect(try await storage.outboxStatus().webhooks.map(\.name) == ["cx-malmo"])
            // A case closed before it is due is never noticed.
            try await storage.changeCase(responses[0].id, .resolved(note: nil), by: "karin", at: later)
            #expect(try await storage.followUpCase(responses[0].id)?.overdueNotifiedAt == later)
        }
    }

    @Test(arguments: StorageBackend.available) func feedPostsLinkTheCaseOfTheirResponse(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let hook = Webhook(name: "all", url: try #require(URL(string: "https://hooks.example.com/x")), detractors: true)
            #expect(try await storage.fanOut(to: [hook], at: Fixtures.start, limit: 10).started)
            let responses = try await fill(storage)
            let links = CaseLinks(base: try #require(URL(string: "https://cx.example.com/")))
            #expect(try await storage.fanOut(to: [hook], caseLinks: links, at: receivedAt, limit: 10).queued == 2)
            var bodies: [String: String] = [:]
            while let entry = try await storage.nextPending(webhook: "all") {
                bodies[entry.responseID] = entry.body
                try await storage.record(.delivered, for: entry.id, at: receivedAt)
            }
            // The detractor's comment post and the other detractor's score post link their cases; the promoters
            // (one with a case for its low CSAT) post nothing here.
            #expect(Set(bodies.keys) == [responses[0].id, responses[3].id])
            for id in [responses[0].id, responses[3].id] {
                let body = try #require(bodies[id])
                #expect(body.contains("<https://cx.example.com/cases/\(id)|Follow-up case>"), "\(body)")
            }
        }
    }

    /// Several collector processes on one database noticing overdue cases at the same moment: each case once.
    @Test(arguments: StorageBackend.postgresOnly) func racingProcessesNoticeEachCaseOnce(backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            let processes = [try await location.open(), try await location.open(), try await location.open()]
            do {
                let responses = try await fill(processes[0])
                let everyone = CaseRules(channels: ["*": "cx"])
                let later = receivedAt.addingTimeInterval(3 * 86_400)
                let noticed = try await withThrowingTaskGroup(of: [FollowUpCase].self) { group in
                    for storage in processes {
                        group.addTask { try await storage.noticeOverdueCases(rules: everyone, links: nil, at: later) }
                    }
                    return try await group.reduce(into: [FollowUpCase]()) { $0 += $1 }
                }
                #expect(noticed.map(\.id).sorted() == [responses[0].id, responses[1].id, responses[3].id].sorted())
                #expect(try await processes[1].outboxStatus().webhooks.map(\.pending) == [3])
            } catch {
                for storage in processes { try? await storage.close() }
                throw error
            }
            for storage in processes { try await storage.close() }
        }
    }
}
