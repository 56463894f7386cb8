import Foundation
import Logging
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointProtocol
import TouchpointJOSE
import TouchpointCollectorPostgres
import TouchpointCollectorSQLite
import TouchpointThrowawayPostgres

/// Sections 4 and 6: report latency over many generated responses, from the aggregates beside the raw rows, on
/// SQLite and on PostgreSQL.
///
/// Responses go through the storage's real `ingest` (so the aggregates are kept exactly as
/// in production) in large batches, without signing: the JWS column holds a placeholder, which reports
/// never read.
enum ReportBench {
    static let sites = [
        "stockholm-city", "stockholm-kista", "goteborg", "malmo", "uppsala", "vasteras", "orebro", "linkoping",
        "helsingborg", "jonkoping", "norrkoping", "lund", "umea", "gavle", "boras", "sodertalje", "eskilstuna",
        "karlstad", "taby", "vaxjo", "halmstad", "sundsvall", "lulea", "trollhattan",
    ]

    /// The surveys answered: id, touchpoint, stage, and whether it has the 1–5 CES question.
    static let surveys: [(id: String, touchpoint: String, stage: JourneyStage, ces: Bool)] = [
        ("retail-visit", "retail", .shop, false), ("service-visit", "service", .own, true),
        ("retail-visit", "delivery", .own, false),
    ]

    static func run(count: Int, in work: URL, logger: Logger) async throws {
        say("4. Reports over \(count) responses (aggregates kept at ingest, beside the same report from raw rows)")
        let path = work.appendingPathComponent("reports.sqlite").path
        let storage = try SQLiteCollectorStorage(path: path, logger: logger)
        defer { try? storage.close() }
        let (first, last) = try await generate(count: count, into: storage)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        say("   database \(String(format: "%.0f MiB", Double(size) / 1_048_576)) (+ WAL)")
        try await measure(storage, first: first, last: last) { try await storage.reportFromRawRows($0) }
    }

    static func runPostgres(count: Int, logger: Logger) async throws {
        say("6. Reports over \(count) responses on PostgreSQL (aggregates kept at ingest, beside the same report from raw rows)")
        note("section 6: a fresh PostgreSQL database…")
        let database = try await ThrowawayPostgres.makeDatabase()
        let storage = try await PostgresCollectorStorage(url: database.url, logger: logger)
        do {
            let (first, last) = try await generate(count: count, into: storage)
            try await measure(storage, first: first, last: last) { try await storage.reportFromRawRows($0) }
        } catch {
            try? await storage.close()
            throw error
        }
        try await storage.close()
    }

    /// Times each report from the aggregates and from raw rows (checking they agree), then the CSV export.
    static func measure(
        _ storage: any CollectorStorage, first: Date, last: Date,
        rawRows: (ReportQuery) async throws -> Report
    ) async throws {
        let lastMonth = first.addingTimeInterval(334 * 86_400)
        let cases: [(String, ReportQuery)] = [
            ("NPS by site × month", ReportQuery(metric: .nps, groupBy: [.site, .month])),
            ("NPS by touchpoint × stage", ReportQuery(metric: .nps, groupBy: [.touchpoint, .stage])),
            ("CES by site, one touchpoint", ReportQuery(metric: .ces, groupBy: [.site], filters: [.touchpoint: "service"])),
            ("CSAT by week, one site", ReportQuery(metric: .csat, groupBy: [.week], filters: [.site: "malmo"])),
            ("NPS by site, last 31 days (partial edge days)", ReportQuery(
                metric: .nps, groupBy: [.site], from: lastMonth.addingTimeInterval(9 * 3600 + 17),
                to: last.addingTimeInterval(-3 * 3600))),
        ]
        say("   " + pad("report", 48) + pad("rows", 6) + pad("aggregates (median of 7)", 26) + "raw rows (median of 3)")
        for (label, query) in cases {
            var aggregated = Samples(capacity: 7)
            var report: Report?
            for _ in 0..<7 {
                let start = nowNanoseconds()
                report = try await storage.report(query)
                aggregated.add(nowNanoseconds() - start)
            }
            var raw = Samples(capacity: 3)
            var recomputed: Report?
            for _ in 0..<3 {
                let start = nowNanoseconds()
                recomputed = try await rawRows(query)
                raw.add(nowNanoseconds() - start)
            }
            let agree = report == recomputed ? "" : "   DISAGREE"
            say("   " + pad(label, 48) + pad("\(report?.rows.count ?? 0)", 6) + pad(ms(aggregated.percentile(50)), 26)
                + ms(raw.percentile(50)) + agree)
        }
        for (label, selection) in [("every answer", AnswerSelection()), ("one site's answers", AnswerSelection(filters: [.site: "malmo"]))] {
            var rows = 0
            var bytes = 0
            var csv = AnswerCSVWriter()
            var writing: UInt64 = 0
            let start = nowNanoseconds()
            try await storage.exportAnswers(selection, chunkSize: 5000) { page in
                let chunk = nowNanoseconds()
                rows += page.count
                bytes += csv.records(page).utf8.count
                writing += nowNanoseconds() - chunk
            }
            let elapsed = secondsSince(start)
            say("   CSV export of \(label): \(rows) rows, \(String(format: "%.0f MiB", Double(bytes) / 1_048_576)) in "
                + "\(seconds(elapsed)) (\(rate(Double(rows) / elapsed)) rows/s; \(seconds(Double(writing) / 1e9)) of it writing CSV)")
        }
    }

    /// Ingests `count` responses spread over 365 days from one kiosk per site; returns the first and last day.
    static func generate(count: Int, into storage: any CollectorStorage) async throws -> (Date, Date) {
        let first = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        let last = first.addingTimeInterval(365 * 86_400)
        for site in sites {
            _ = try await storage.enroll(kiosk: "kiosk-\(site)", site: site, jwk: KioskKey.generate().publicJWK, tokenHash: nil, at: first)
        }
        let keys = try await storage.kiosks().reduce(into: [String: String]()) { $0[$1.id] = $1.kid }
        var generator = BenchRandom(state: 2026)
        let placeholder = FlattenedJWS(payload: "-", protected: "-", signature: "-")
        let batchSize = 10_000
        var sequences: [String: UInt64] = [:]
        let step = 365 * 86_400 / Double(count)
        let started = nowNanoseconds()
        var made = 0
        while made < count {
            let size = min(batchSize, count - made)
            var byKiosk: [String: [VerifiedItem]] = [:]
            for offset in 0..<size {
                let index = made + offset
                let site = sites[Int(generator.next() % UInt64(sites.count))]
                let kiosk = "kiosk-\(site)"
                let survey = surveys[Int(generator.next() % 3)]
                let completed = first.addingTimeInterval((Double(index) * step).rounded())
                sequences[kiosk, default: 0] += 1
                var answers = [Answer(question: "recommend", type: .nps, value: .number(npsAnswer(&generator, site: site)))]
                let satisfaction = 1 + Int(generator.next() % 100 < 70 ? 3 + generator.next() % 2 : generator.next() % 3)
                if survey.ces {
                    answers.append(Answer(question: "service-satisfaction", type: .csat, value: .number(satisfaction)))
                    answers.append(Answer(question: "service-effort", type: .ces, value: .number(1 + Int(generator.next() % 5))))
                } else {
                    answers.append(Answer(question: "visit-satisfaction", type: .csat, value: .number(satisfaction)))
                }
                let roll = generator.next() % 100
                let draft = ResponseDraft(
                    survey: SurveyReference(id: survey.id, version: 1, digest: "sha256:-"), site: site, kiosk: kiosk,
                    touchpoint: survey.touchpoint, stage: survey.stage, language: generator.next() % 3 == 0 ? "en" : "sv",
                    startedAt: completed.addingTimeInterval(-45), completedAt: completed, answers: answers,
                    status: roll == 0 ? .partial : .complete, suspect: roll == 1, mode: .unattended, appVersion: "bench")
                let response = SurveyResponse(
                    draft: draft, id: UUIDv7.make(at: completed, using: &generator), sequence: sequences[kiosk, default: 1])
                byKiosk[kiosk, default: []].append(VerifiedItem(
                    index: byKiosk[kiosk]?.count ?? 0, response: response, jws: placeholder, kid: keys[kiosk] ?? "",
                    contentHash: response.id, cesPoints: survey.ces ? ["service-effort": 5] : [:]))
            }
            for (kiosk, items) in byKiosk.sorted(by: { $0.key < $1.key }) {
                _ = try await storage.ingest(items, health: BufferHealth(pending: 0, rejected: 0), kiosk: kiosk, at: last)
            }
            made += size
            if made % 100_000 == 0 { note("ingested \(made) of \(count)…") }
        }
        let elapsed = secondsSince(started)
        say("   ingest with aggregates: \(count) responses in \(seconds(elapsed)) (\(rate(Double(count) / elapsed)) responses/s, "
            + "batches of \(batchSize / sites.count) per kiosk)")
        return (first, last)
    }

    /// A skewed 0–10 answer: most sites lean positive, a few have more detractors.
    static func npsAnswer(_ generator: inout BenchRandom, site: String) -> Int {
        let lean = site.utf8.reduce(0) { $0 &+ Int($1) } % 5
        let roll = Int(generator.next() % 100)
        switch roll {
        case ..<(40 + lean * 4): return 9 + Int(generator.next() % 2)
        case ..<(70 + lean * 3): return 7 + Int(generator.next() % 2)
        default: return Int(generator.next() % 7)
        }
    }
}

/// A deterministic random source (SplitMix64), so runs generate the same data.
struct BenchRandom: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
