import Foundation

import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointJOSE
import TouchpointCollectorSQLite

@Suite("Reports from aggregates on a real SQLite database")
struct ReportStorageTests {
    let key = KioskKey.generate()
    let halfDay: TimeInterval = 12 * 3600

    /// Ten responses, one every 12 hours from Monday 2026-11-16 12:00 UTC (see the comments for the scores).
    var handSet: [SurveyResponse] {
        let t = { (sequence: UInt64) in ReportFixtures.monday.addingTimeInterval(Double(sequence) * 12 * 3600) }
        return [
            ReportFixtures.response(sequence: 1, nps: 10, csat: 5, completed: t(1)),  // Mon 12:00
            ReportFixtures.response(sequence: 2, nps: 9, csat: 4, completed: t(2)),  // Tue 00:00
            ReportFixtures.response(sequence: 3, nps: 6, csat: 2, language: "sv", completed: t(3)),  // Tue 12:00
            ReportFixtures.response(sequence: 4, nps: 8, csat: 3, site: "lund", completed: t(4)),  // Wed 00:00
            ReportFixtures.response(sequence: 5, nps: 3, csat: 4, site: "lund", language: "sv", completed: t(5)),  // Wed 12:00
            ReportFixtures.response(service: true, sequence: 6, nps: 10, csat: 5, ces: 5, completed: t(6)),  // Thu 00:00
            ReportFixtures.response(service: true, sequence: 7, nps: 7, csat: 4, ces: 4, completed: t(7)),  // Thu 12:00
            ReportFixtures.response(
                service: true, sequence: 8, nps: 2, csat: 1, ces: 2, site: "lund", language: "sv", completed: t(8)),  // Fri 00:00
            ReportFixtures.response(sequence: 9, nps: 0, csat: 1, completed: t(9), suspect: true),  // Fri 12:00, suspect
            ReportFixtures.response(sequence: 10, nps: 0, site: "lund", completed: t(10), status: .partial),  // Sat, partial
        ]
    }

    /// Stores `handSet` through the ingestor and runs `body`.
    func withHandSet(_ backend: StorageBackend, _ body: (any TestStorage) async throws -> Void) async throws {
        try await withStorage(backend) { storage, _ in
            try await FeedFixtures.enroll(storage, key: key)
            let statuses = try await FeedFixtures.ingest(handSet, into: storage, key: key)
            #expect(statuses == Array(repeating: .stored, count: 10))
            try await body(storage)
        }
    }

    /// The report, after checking that the recomputation from raw rows agrees exactly.
    func report(_ storage: any TestStorage, _ query: ReportQuery) async throws -> Report {
        let report = try await storage.report(query)
        #expect(report == (try await storage.reportFromRawRows(query)), "\(query)")
        return report
    }

    @Test("NPS overall and by site, with counts, bands and the margin of error", arguments: StorageBackend.available)
    func npsBySite(backend: StorageBackend) async throws {
        try await withHandSet(backend) { storage in
            // Counted (suspect 9 and partial 10 left out): 10 9 6 8 3 10 7 2 → 3 promoters, 2 passives, 3 detractors.
            let overall = try await report(storage, ReportQuery(metric: .nps))
            #expect(overall.rows.count == 1)
            #expect(overall.total.n == 8)
            #expect(overall.total.promoters == 3 && overall.total.passives == 2 && overall.total.detractors == 3)
            #expect(overall.total.score == 0)
            // variance (3 + 3) / 8 − 0² = 0.75; 1.96 · √(0.75 / 8) · 100 = 60.0125
            #expect(abs((overall.total.marginOfError ?? 0) - 60.0125) < 1e-3)
            #expect(overall.total.tooSmall)  // 8 < 30

            let bySite = try await report(storage, ReportQuery(metric: .nps, groupBy: [.site], minimumCount: 4))
            #expect(bySite.rows.map { $0.value(.site) } == ["lund", "malmo"])
            // lund: 8 3 2 → 0 promoters, 1 passive, 2 detractors → −66.7; malmo: 10 9 6 10 7 → 3, 1, 1 → 40
            let lund = bySite.rows[0], malmo = bySite.rows[1]
            #expect(lund.n == 3 && lund.promoters == 0 && lund.passives == 1 && lund.detractors == 2)
            #expect(abs((lund.score ?? 0) + 200.0 / 3) < 1e-9)
            #expect(lund.tooSmall)
            #expect(malmo.n == 5 && malmo.score == 40 && !malmo.tooSmall)
            #expect(bySite.total.n == 8)
        }
    }

    @Test("Suspect and partial responses count only when asked for", arguments: StorageBackend.available)
    func flags(backend: StorageBackend) async throws {
        try await withHandSet(backend) { storage in
            let suspect = try await report(storage, ReportQuery(metric: .nps, groupBy: [.site], includeSuspect: true))
            // malmo gains the suspect 0: 10 9 6 10 7 0 → 3, 1, 2 → 16.7
            #expect(suspect.rows.map(\.n) == [3, 6])
            #expect(abs((suspect.rows[1].score ?? 0) - 100.0 / 6) < 1e-9)
            let partial = try await report(storage, ReportQuery(metric: .nps, groupBy: [.site], includePartial: true))
            // lund gains the partial 0: 8 3 2 0 → 0, 1, 3 → −75
            #expect(partial.rows.map(\.n) == [4, 5])
            #expect(partial.rows[0].score == -75)
            let both = try await report(storage, ReportQuery(metric: .nps, includeSuspect: true, includePartial: true))
            #expect(both.total.n == 10)
        }
    }

    @Test("Grouping by several dimensions and equality filters", arguments: StorageBackend.available)
    func groupingAndFilters(backend: StorageBackend) async throws {
        try await withHandSet(backend) { storage in
            let byStage = try await report(storage, ReportQuery(metric: .nps, groupBy: [.stage]))
            // own: 10 7 2 → 0; shop: 10 9 6 8 3 → 0
            #expect(byStage.rows.map { $0.value(.stage) } == ["own", "shop"])
            #expect(byStage.rows.map(\.n) == [3, 5])

            let malmo = try await report(
                storage, ReportQuery(metric: .nps, groupBy: [.touchpoint, .language], filters: [.site: "malmo"]))
            // retail/en: 10 9 → 100; retail/sv: 6 → −100; service/en: 10 7 → 50
            #expect(malmo.rows.map { [$0.value(.touchpoint), $0.value(.language)] } == [["retail", "en"], ["retail", "sv"], ["service", "en"]])
            #expect(malmo.rows.map(\.score) == [100, -100, 50])
            #expect(malmo.filters == ["site": "malmo"])

            let question = try await report(
                storage, ReportQuery(metric: .csat, groupBy: [.question], filters: [.stage: "own", .language: "en"]))
            #expect(question.rows.map { $0.value(.question) } == ["service-satisfaction"])
            #expect(question.rows.first?.n == 2)
            #expect(question.rows.first?.score == 100)

            let nothing = try await report(storage, ReportQuery(metric: .nps, groupBy: [.site], filters: [.site: "kiruna"]))
            #expect(nothing.rows.isEmpty)
            #expect(nothing.total.n == 0 && nothing.total.score == nil)
        }
    }

    @Test("CES mean and easy share use the survey's scale; CSAT is the share of 4–5", arguments: StorageBackend.available)
    func cesAndCSAT(backend: StorageBackend) async throws {
        try await withHandSet(backend) { storage in
            // service-effort is on a 1–5 scale: 5 and 4 are easy, 2 is not → 2 of 3; mean 11 / 3.
            let ces = try await report(storage, ReportQuery(metric: .ces, groupBy: [.survey]))
            #expect(ces.rows.map { $0.value(.survey) } == ["service-visit"])
            let row = try #require(ces.rows.first)
            #expect(row.n == 3 && row.easy == 2)
            #expect(abs((row.mean ?? 0) - 11.0 / 3) < 1e-12)
            #expect(abs((row.easyShare ?? 0) - 200.0 / 3) < 1e-12)
            #expect(row.score == nil && row.promoters == nil)
            #expect(row.scale == 5)

            // One test-drive booking on a 1–7 scale: its 4 is not easy there, though a 4 on 1–5 is.
            let draft = ResponseDraft(
                survey: SurveyReference(id: "test-drive-booking", version: 1, digest: Fixtures.digest("test-drive-booking")),
                site: "malmo", kiosk: "kiosk-1", touchpoint: "test-drive", stage: .shop, language: "en",
                startedAt: ReportFixtures.monday, completedAt: ReportFixtures.monday.addingTimeInterval(60),
                answers: [
                    Answer(question: "booking-effort", type: .ces, value: .number(4)),
                    Answer(question: "booked-online", type: .yesno, value: .bool(true)),
                ],
                status: .complete, suspect: false, mode: .attended, appVersion: "0.1.0")
            var generator = SeededGenerator(state: 77)
            let booking = SurveyResponse(
                draft: draft, id: UUIDv7.make(at: draft.completedAt, using: &generator), sequence: 11)
            #expect(try await FeedFixtures.ingest([booking], into: storage, key: key) == [.stored])
            let mixed = try await report(storage, ReportQuery(metric: .ces, groupBy: [.survey]))
            #expect(mixed.rows.map(\.scale) == [5, 7])
            #expect(mixed.rows.map(\.easy) == [2, 0])
            #expect(mixed.rows.last?.mean == 4)
            // Overall: 4 answers, 2 easy; no mean across the two scales.
            #expect(mixed.total.n == 4 && mixed.total.easy == 2 && mixed.total.easyShare == 50)
            #expect(mixed.total.scale == nil && mixed.total.mean == nil)
            #expect(mixed.table().contains("mixed†"))

            // CSAT: 5 4 2 3 4 5 4 1 → 5 of 8 satisfied = 62.5 %
            let csat = try await report(storage, ReportQuery(metric: .csat))
            #expect(csat.total.n == 8 && csat.total.satisfied == 5 && csat.total.score == 62.5)
        }
    }

    @Test("Days, ISO weeks and months are derived from the UTC day", arguments: StorageBackend.available)
    func timeGroups(backend: StorageBackend) async throws {
        try await withHandSet(backend) { storage in
            let byDay = try await report(storage, ReportQuery(metric: .nps, groupBy: [.day]))
            #expect(byDay.rows.map { $0.value(.day) } == ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"])
            #expect(byDay.rows.map(\.n) == [1, 2, 2, 2, 1])
            #expect(byDay.rows.map(\.score) == [100, 0, -50, 50, -100])
            let byWeek = try await report(storage, ReportQuery(metric: .nps, groupBy: [.site, .week]))
            #expect(byWeek.rows.map { $0.value(.week) } == ["2026-W47", "2026-W47"])
            let byMonth = try await report(storage, ReportQuery(metric: .nps, groupBy: [.month, .day]))
            #expect(byMonth.rows.allSatisfy { $0.value(.month) == "2026-11" })
            #expect(byMonth.rows.count == 5)
        }
    }

    @Test("Time ranges: whole days from aggregates, partial days from raw rows; from inclusive, to exclusive", arguments: StorageBackend.available)
    func timeRanges(backend: StorageBackend) async throws {
        try await withHandSet(backend) { storage in
            let tuesday = ReportFixtures.monday.addingTimeInterval(86_400)
            // Whole days Tue–Thu: responses 2–7 → 9 6 8 3 10 7 → 2, 2, 2 → 0.
            let days = try await report(storage, ReportQuery(
                metric: .nps, from: ReportQuery.parseTime("2026-11-17", isEnd: false), to: ReportQuery.parseTime("2026-11-19", isEnd: true)))
            #expect(days.total.n == 6 && days.total.score == 0)
            // Tue 06:00 – Thu 06:00: responses 3–6 → 6 8 3 10 → 1, 1, 2 → −25.
            let partial = try await report(storage, ReportQuery(
                metric: .nps, groupBy: [.day], from: tuesday.addingTimeInterval(6 * 3600), to: tuesday.addingTimeInterval(54 * 3600)))
            #expect(partial.total.n == 4 && partial.total.score == -25)
            #expect(partial.rows.map(\.n) == [1, 2, 1])
            // Exactly at response 2's time (Tue 00:00) it is in; exactly at response 7's time (Thu 12:00) it is out.
            let edges = try await report(storage, ReportQuery(
                metric: .nps, from: tuesday, to: tuesday.addingTimeInterval(60 * 3600)))
            #expect(edges.total.n == 5)
            // Within one day.
            let within = try await report(storage, ReportQuery(
                metric: .nps, from: tuesday.addingTimeInterval(1), to: tuesday.addingTimeInterval(13 * 3600)))
            #expect(within.total.n == 1 && within.total.score == -100)
            // Open ends.
            let since = try await report(storage, ReportQuery(metric: .nps, from: tuesday.addingTimeInterval(13 * 3600)))
            #expect(since.total.n == 5)
            let until = try await report(storage, ReportQuery(metric: .nps, to: tuesday.addingTimeInterval(13 * 3600)))
            #expect(until.total.n == 3)
        }
    }

    @Test("Aggregates equal a recomputation from raw rows after duplicates and rejected uploads", arguments: StorageBackend.available)
    func aggregatesMatchRawRows(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await FeedFixtures.enroll(storage, key: key)
            var generator = SeededGenerator(state: 42)
            let sites = ["malmo", "lund", "umea"]
            var responses: [SurveyResponse] = []
            for sequence in UInt64(1)...240 {
                let service = Bool.random(using: &generator)
                let roll = Int.random(in: 0..<20, using: &generator)
                let completed = ReportFixtures.monday.addingTimeInterval(Double.random(in: 0..<(75 * 86_400), using: &generator).rounded())
                responses.append(ReportFixtures.response(
                    service: service, sequence: sequence, nps: Int.random(in: 0...10, using: &generator),
                    csat: Int.random(in: 1...5, using: &generator), ces: Int.random(in: 1...5, using: &generator),
                    site: sites[Int.random(in: 0..<3, using: &generator)], language: Bool.random(using: &generator) ? "en" : "sv",
                    completed: completed, status: roll == 0 && !service ? .partial : .complete, suspect: roll == 1))
            }
            for start in stride(from: 0, to: responses.count, by: 60) {
                let statuses = try await FeedFixtures.ingest(Array(responses[start..<start + 60]), into: storage, key: key)
                #expect(statuses.allSatisfy { $0 == .stored })
            }
            let queries = Self.queries
            var before: [Report] = []
            for query in queries {
                before.append(try await storage.report(query))
            }

            // A resend, the same id with other content, a reused sequence, an invalid answer, a foreign key.
            var tampered = responses[3]
            tampered.answers[0] = Answer(question: "recommend", type: .nps, value: .number(tampered.answers[0].value.number == 10 ? 0 : 10))
            let malmo = try #require(responses.first { $0.site == "malmo" })
            let reused = ReportFixtures.response(sequence: malmo.sequence, nps: 10, seed: 99)
            let invalid = ReportFixtures.response(sequence: 500, nps: 11)
            let statuses = try await FeedFixtures.ingest(Array(responses[0..<60]) + [tampered, reused, invalid], into: storage, key: key)
            #expect(statuses == Array(repeating: .duplicate, count: 60) + [.rejected, .rejected, .rejected])
            let foreign = try await FeedFixtures.ingest(
                [ReportFixtures.response(sequence: 600, nps: 0)], into: storage, key: KioskKey.generate())
            #expect(foreign == [.rejected])

            for (query, old) in zip(queries, before) {
                let aggregated = try await storage.report(query)
                #expect(aggregated == old, "the rejected and duplicate items moved \(query)")
                let recomputed = try await storage.reportFromRawRows(query)
                #expect(aggregated == recomputed, "\(query)")
            }

            // And both agree with Scoring over the stored responses themselves.
            let counted = responses.filter { $0.status == .complete && !$0.suspect }
            let report = try await storage.report(ReportQuery(metric: .nps, groupBy: [.site, .month]))
            var expected: [[String]: NPSResult] = [:]
            for site in sites {
                for month in Set(counted.map { String(ReportCalendar.day(of: $0.completedAt).prefix(7)) }) {
                    let values = counted.filter { $0.site == site && ReportCalendar.day(of: $0.completedAt).hasPrefix(month) }
                        .compactMap { $0.answer("recommend")?.number }
                    if !values.isEmpty { expected[[site, month]] = Scoring.nps(values) }
                }
            }
            #expect(report.rows.count == expected.count)
            for row in report.rows {
                let result = try #require(expected[[row.value(.site), row.value(.month)]])
                #expect(row.n == result.count && row.score == result.score && row.marginOfError == result.marginOfError)
            }
            let ces = try await storage.report(ReportQuery(metric: .ces))
            let effort = counted.compactMap { $0.answer("service-effort")?.number }
            #expect(ces.total.mean == Scoring.ces(effort, points: 5).mean)
            #expect(ces.total.easyShare == Scoring.ces(effort, points: 5).easyShare)
        }
    }

    @Test("Rebuilding lost aggregates from raw rows (as the migration does) gives the same reports", arguments: StorageBackend.available)
    func rebuild(backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in try await location.withOpened { storage in
            try await FeedFixtures.enroll(storage, key: key)
            _ = try await FeedFixtures.ingest(handSet, into: storage, key: key)
            var before: [Report] = []
            for query in Self.queries {
                before.append(try await storage.report(query))
            }
            // Lose the aggregates behind the storage's back: reports now miss every answer…
            try await location.execute("DELETE FROM report_tallies")
            #expect(try await storage.report(ReportQuery(metric: .nps)).total.n == 0)
            // …until they are rebuilt from the raw rows.
            try await storage.rebuildAggregates()
            for (query, old) in zip(Self.queries, before) {
                #expect(try await storage.report(query) == old, "\(query)")
            }
        } }
    }

    /// Queries of every metric, grouping and flag, with whole-day and partial-day time ranges.
    static var queries: [ReportQuery] {
        let start = ReportFixtures.monday
        var queries: [ReportQuery] = []
        let groupings: [[ReportDimension]] = [
            [], [.site], [.touchpoint, .stage], [.site, .month], [.week], [.day, .language], [.survey, .question],
        ]
        for metric in ReportMetric.allCases {
            for groupBy in groupings {
                queries.append(ReportQuery(metric: metric, groupBy: groupBy))
            }
            queries.append(ReportQuery(metric: metric, groupBy: [.site], includeSuspect: true, includePartial: true))
            queries.append(ReportQuery(metric: metric, groupBy: [.month], filters: [.site: "lund", .language: "sv"]))
            queries.append(ReportQuery(
                metric: metric, groupBy: [.site], from: start.addingTimeInterval(10 * 86_400), to: start.addingTimeInterval(40 * 86_400)))
            queries.append(ReportQuery(
                metric: metric, groupBy: [.week], from: start.addingTimeInterval(10.3 * 86_400),
                to: start.addingTimeInterval(40.7 * 86_400), includeSuspect: true))
            queries.append(ReportQuery(metric: metric, from: start.addingTimeInterval(20.25 * 86_400)))
        }
        return queries
    }
}
