import Foundation
import Testing
import TouchpointCollector
import TouchpointCollectorPostgres
import TouchpointCollectorSQLite
import TouchpointCore
import TouchpointJOSE
import TouchpointProtocol

@Suite("Migrating a SQLite collector to PostgreSQL")
struct CollectorMigrationTests {
    let retired = KioskKey.generate()
    let malmo = KioskKey.generate()
    let lund = KioskKey.generate()
    let now = Fixtures.start.addingTimeInterval(86_400)
    let webhooks = [
        Webhook(name: "all", url: URL(string: "http://127.0.0.1:9/services/all")!),
        Webhook(name: "lund", url: URL(string: "http://127.0.0.1:9/services/lund")!, route: FeedRoute(sites: ["lund"])),
    ]

    /// `responses` signed with `key` as verified items carrying their surveys' CES scales, as the ingestor makes them.
    func items(_ responses: [SurveyResponse], key: KioskKey) throws -> [VerifiedItem] {
        let catalog = try Fixtures.catalog()
        return try Fixtures.verified(responses, key: key).map { item in
            var item = item
            if let survey = catalog.survey(item.response.survey.id) {
                item.cesPoints = VerifiedItem.cesPoints(of: survey)
            }
            return item
        }
    }

    /// Fills a SQLite collector through its real APIs: two kiosks, a revoked key, complete, partial, suspect and
    /// anonymous responses with comments and accounts, accounts, health snapshots and a fanned-out feed.
    /// Returns kiosk-1's stored items.
    func fill(_ storage: SQLiteCollectorStorage) async throws -> [VerifiedItem] {
        try await storage.enroll(
            kiosk: "kiosk-1", site: "malmo", jwk: retired.publicJWK, tokenHash: CollectorToken.hash("t0ken"), at: Fixtures.start)
        try await storage.enroll(kiosk: "kiosk-2", site: "lund", jwk: lund.publicJWK, tokenHash: nil, at: Fixtures.start)
        let csv = "id,name,mrr,owner,interactions,last_interaction\nacme,Acme AB,1000,Anna Berg,3,2026-11-01\nglobex,Globex,250,,0,\n"
        _ = try await storage.importAccounts(try AccountCSV.parse(text: csv, file: "accounts.csv"), at: Fixtures.start)
        // The feed starts before the comments arrive, so they are queued.
        #expect(try await storage.fanOut(to: webhooks, at: Fixtures.start, limit: 100).started)

        var first = [
            FeedFixtures.response(sequence: 1, nps: 9, comment: "Lovely staff", account: "acme"),
            FeedFixtures.response(service: true, sequence: 2, nps: 3, comment: "Too slow", account: "globex"),
            FeedFixtures.response(sequence: 3, nps: 7),
        ]
        first[2].status = .partial
        var all = try items(first, key: retired)
        all[1].followUp = CaseOpening(trigger: "NPS 3", owner: "Anna Berg", dueAt: now.addingTimeInterval(86_400))
        #expect(try await storage.ingest(all, health: Fixtures.health, kiosk: "kiosk-1", at: now).allSatisfy { $0.status == .stored })
        try await storage.changeCase(first[1].id, .contacted(note: "Called, apologised"), by: "eva", at: now.addingTimeInterval(60))
        _ = try await storage.revoke(kiosk: "kiosk-1", at: now)
        try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: malmo.publicJWK, tokenHash: nil, at: now)

        var second = [
            FeedFixtures.response(sequence: 4, nps: 10, comment: "Great", account: "acme"),
            FeedFixtures.response(service: true, sequence: 5, nps: 0, comment: "Never again", account: "initech"),
        ]
        second[1].suspect = true
        let secondItems = try items(second, key: malmo)
        #expect(try await storage.ingest(secondItems, health: Fixtures.health, kiosk: "kiosk-1", at: now).allSatisfy { $0.status == .stored })
        let lundItems = try items([
            FeedFixtures.response(sequence: 11, nps: 2, comment: "Cold in here", site: "lund", kiosk: "kiosk-2"),
            FeedFixtures.response(service: true, sequence: 12, nps: 8, site: "lund", kiosk: "kiosk-2", account: "acme"),
        ], key: lund)
        #expect(try await storage.ingest(lundItems, health: BufferHealth(pending: 0, rejected: 0), kiosk: "kiosk-2", at: now).allSatisfy {
            $0.status == .stored
        })
        all += secondItems
        // An erased response: its place in kiosk-2's sequence and the erasure log move too.
        let erased = try await storage.erase(.response(lundItems[1].response.id), by: "cli:dpo", at: now, dryRun: false)
        #expect(erased.responses == 1)
        // A response pruned by the retention policy: its horizon and kiosk-2's pruned sequence numbers move too.
        var early = FeedFixtures.response(sequence: 10, nps: 9, site: "lund", kiosk: "kiosk-2")
        early.completedAt = Fixtures.start.addingTimeInterval(-10 * 86_400)
        early.startedAt = early.completedAt.addingTimeInterval(-30)
        var generator = SeededGenerator(state: 10)
        early.id = UUIDv7.make(at: early.completedAt, using: &generator)
        #expect(try await storage.ingest(try items([early], key: lund), health: Fixtures.health, kiosk: "kiosk-2", at: now).map(\.status) == [.stored])
        let pruned = try await storage.prune(
            RetentionHorizons(responses: Fixtures.start.addingTimeInterval(-86_400)), by: "cli:dpo", at: now, dryRun: false)
        #expect(pruned.responses == 1)

        _ = try await storage.recordAccountHealth(model: .builtIn, at: now)
        // Who may read: a user with a session, a revoked and a live API token, the audit log.
        try await storage.addUser(UserRecord(name: "ana", passwordHash: "$2b$04$notarealhash", role: .analyst, createdAt: Fixtures.start))
        try await storage.recordLogin(user: "ana", at: now)
        try await storage.putSession(idHash: "session-hash", user: "ana", value: "{\"user\":\"ana\",\"csrf\":\"c\"}", expiresAt: now.addingTimeInterval(3600))
        try await storage.addAPIToken(APITokenRecord(name: "powerbi", tokenHash: "hash-1", role: .viewer, createdAt: Fixtures.start, lastUsedAt: now))
        try await storage.addAPIToken(APITokenRecord(name: "old", tokenHash: "hash-2", role: .admin, createdAt: Fixtures.start))
        #expect(try await storage.revokeAPIToken(named: "old", at: now))
        try await storage.recordAudit(AuditEvent(at: now, actor: "user:ana", action: "login", remote: "127.0.0.1"))
        try await storage.recordAudit(AuditEvent(at: now, actor: "token:powerbi", action: "export", count: 12))
        _ = try await storage.publish([
            PublishedSurvey(id: "retail-visit", version: 1, digest: Fixtures.digest("retail-visit", version: 1),
                            source: "id: retail-visit\nversion: 1\n", publishedAt: now, publishedBy: "cli:ana"),
        ])
        #expect(try await storage.assign(SurveyAssignment(survey: "retail-visit", site: "malmo"), at: now, by: "cli:ana"))
        #expect(try await storage.assign(SurveyAssignment(survey: "retail-visit", kiosk: "kiosk-2", version: 1), at: now, by: "cli:ana"))
        #expect(try await storage.setSiteSettings(
            KioskSettings(language: "sv", thankYou: LocalizedText(["sv": "Tack!"])), site: "malmo", at: now, by: "cli:ana"))
        try await storage.recordConfigServed(kiosk: "kiosk-1", touchpoint: "service", version: "sha256:v1", at: now)
        let fanned = try await storage.fanOut(to: webhooks, at: now, limit: 100)
        #expect(fanned.queued >= 5)
        let delivered = try #require(try await storage.nextPending(webhook: "all"))
        try await storage.record(.delivered, for: delivered.id, at: now)
        let failed = try #require(try await storage.nextPending(webhook: "lund"))
        try await storage.record(.failed(error: "HTTP 404: no_service"), for: failed.id, at: now)
        // Fleet alerts: one raised and cleared, one still open (their posts queued for "all").
        let quiet = FleetProblem(kiosk: "kiosk-2", site: "lund", kind: .notSeen, detail: "not seen for 3 h")
        let gap = FleetProblem(kiosk: "kiosk-1", site: "malmo", kind: .gap, subject: "7-8", detail: "2 responses lost")
        #expect(try await storage.reconcileAlerts([quiet, gap], webhook: "all", at: Fixtures.start).raised.count == 2)
        #expect(try await storage.reconcileAlerts([gap], webhook: "all", at: now).cleared.count == 1)
        return all
    }

    /// Everything a collector answers from its database, to compare the two storages.
    struct Answers: Equatable {
        var kiosks: [KioskRecord]
        var keys: [String: EnrolledKey]
        var reports: [Report]
        var rawReports: [Report]
        var answers: [ExportedAnswer]
        var comments: [FeedComment]
        var outbox: OutboxStatus
        var accounts: [Account]
        var snapshots: [String: HealthSnapshot]
        var inputs: [String: HealthInputs]
        var rawInputs: [String: HealthInputs]
        var users: [UserRecord]
        var tokens: [APITokenRecord]
        var audit: [AuditEvent]
        var session: String?
        var published: [PublishedSurvey]
        var plan: FleetPlan
        var alerts: [FleetAlert]
        var cases: [FollowUpCase]
        var erasures: [ErasureRecord]
    }

    func answers(_ storage: some TestStorage, kids: Set<String>) async throws -> Answers {
        var queries: [ReportQuery] = []
        for metric in ReportMetric.allCases {
            queries += [
                ReportQuery(metric: metric, minimumCount: 1),
                ReportQuery(metric: metric, groupBy: [.site, .day, .question], minimumCount: 1),
                ReportQuery(metric: metric, groupBy: [.touchpoint, .stage], includeSuspect: true, includePartial: true, minimumCount: 1),
            ]
        }
        var reports: [Report] = []
        var rawReports: [Report] = []
        for query in queries {
            reports.append(try await storage.report(query))
            rawReports.append(try await storage.reportFromRawRows(query))
        }
        return Answers(
            kiosks: try await storage.kiosks(), keys: try await storage.keys(kids), reports: reports, rawReports: rawReports,
            answers: try await storage.exportAnswers(
                AnswerSelection(includeSuspect: true, includePartial: true), after: nil, limit: 1_000),
            comments: try await storage.comments(CommentQuery(limit: 100)), outbox: try await storage.outboxStatus(),
            accounts: try await storage.accounts(), snapshots: try await storage.latestHealthSnapshots(),
            inputs: try await storage.healthInputs(answersSince: nil, recentSince: Fixtures.start),
            rawInputs: try await storage.healthInputsFromRawRows(answersSince: nil, recentSince: Fixtures.start),
            users: try await storage.users(), tokens: try await storage.apiTokens(), audit: try await storage.auditLog(since: nil, limit: 100),
            session: try await storage.session(idHash: "session-hash", now: now)?.value,
            published: try await storage.publishedSurveys(), plan: try await storage.fleetPlan(),
            alerts: try await storage.fleetAlerts(clearedSince: .distantPast),
            cases: try await fullCases(storage), erasures: try await storage.erasures())
    }

    func fullCases(_ storage: some TestStorage) async throws -> [FollowUpCase] {
        var cases: [FollowUpCase] = []
        for listed in try await storage.cases(CaseQuery()) {
            if let full = try await storage.followUpCase(listed.id) { cases.append(full) }
        }
        #expect(cases.count == 1 && cases.first?.events.count == 2)
        return cases
    }

    @Test func copiesEverythingThenRefusesANonEmptyTarget() async throws {
        try await withTemporaryDirectory { directory in
            let sqlite = try SQLiteCollectorStorage(path: directory.appendingPathComponent("collector.sqlite").path, logger: quietLogger)
            let stored = try await fill(sqlite)
            let kids: Set = [retired.keyID, malmo.keyID, lund.keyID]
            let expected = try await answers(sqlite, kids: kids)
            #expect(expected.kiosks.count == 2 && expected.keys.count == 3 && expected.comments.count == 5 && expected.published.count == 1
                && expected.alerts.count == 2)
            #expect(expected.plan.assignments.count == 2 && expected.plan.settings.count == 1)
            #expect(expected.snapshots.count >= 2 && expected.outbox.webhooks.count == 2)

            try await TestPostgres.withDatabase { url in
                let postgres = try await PostgresCollectorStorage(url: url, logger: quietLogger)
                do {
                    let source = try sqlite.exportSnapshot()
                    let copied = try await postgres.load(from: source, pageSize: 2)
                    for table in StoredTable.all {
                        let count = try await source.rowCount(of: table)
                        #expect(count > 0, "\(table.name) is empty in the fixture")
                        #expect(copied[table.name] == count, "\(table.name)")
                        #expect(try await postgres.rowCount(of: table) == count, "\(table.name)")
                    }
                    #expect(try await answers(postgres, kids: kids) == expected)

                    // The same batch again is a duplicate; the feed continues where SQLite's stopped.
                    let again = try await postgres.ingest(stored, health: Fixtures.health, kiosk: "kiosk-1", at: now)
                    #expect(again.map(\.status) == Array(repeating: .duplicate, count: stored.count))
                    #expect(try await postgres.fanOut(to: webhooks, at: now, limit: 100).queued == 0)
                    let next = try items(
                        [FeedFixtures.response(sequence: 6, nps: 1, comment: "Broken door", site: "malmo")], key: malmo)
                    #expect(try await postgres.ingest(next, health: Fixtures.health, kiosk: "kiosk-1", at: now).map(\.status) == [.stored])
                    #expect(try await postgres.fanOut(to: webhooks, at: now, limit: 100).queued == 1)
                    let pending = try #require(try await postgres.nextPending(webhook: "all"))
                    try await postgres.record(.delivered, for: pending.id, at: now)

                    // A second migration into the now non-empty database is refused and changes nothing.
                    let before = try await answers(postgres, kids: kids)
                    await #expect {
                        try await postgres.load(from: try sqlite.exportSnapshot())
                    } throws: { error in
                        (error as? CollectorError)?.code == .conflict
                    }
                    #expect(try await answers(postgres, kids: kids) == before)
                    try await postgres.close()
                } catch {
                    try? await postgres.close()
                    throw error
                }
            }
            try sqlite.close()
        }
    }
}
