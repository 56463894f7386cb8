import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointProtocol
import TouchpointJOSE
import TouchpointCollectorServer

@Suite("The report and export routes")
struct ReportRouterTests {
    let key = KioskKey.generate()

    /// Runs `body` against a router-level test client over a database holding a few responses.
    func withApp(
        configuration: CollectorConfiguration = CollectorConfiguration(), storage custom: (any CollectorStorage)? = nil,
        responses: [SurveyResponse] = [
            ReportFixtures.response(sequence: 1, nps: 10, csat: 5, comment: "Quick, friendly \"staff\", thanks"),
            ReportFixtures.response(sequence: 2, nps: 6, csat: 2, site: "lund"),
            ReportFixtures.response(service: true, sequence: 3, nps: 9, csat: 4, ces: 5),
            ReportFixtures.response(sequence: 4, nps: 0, suspect: true),
        ],
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        try await withStorage { sqlite, _ in
            try await FeedFixtures.enroll(sqlite, key: key)
            let statuses = try await FeedFixtures.ingest(responses, into: sqlite, key: key)
            #expect(statuses.allSatisfy { $0 == .stored }, "\(statuses)")
            let storage: any CollectorStorage = custom ?? sqlite
            let admin = try await TestAccess.token(in: sqlite)
            let app = buildApplication(configuration: configuration, storage: storage, surveys: try Fixtures.catalog(), logger: quietLogger)
            try await app.test(.router) { client in
                try await body(SignedInClient(client, token: admin))
            }
        }
    }

    static func decodeReport(_ buffer: ByteBuffer) throws -> Report {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = Timestamp.date(text) else { throw CollectorError(.notFound, "not a timestamp: \(text)") }
            return date
        }
        return try decoder.decode(Report.self, from: Data(buffer.readableBytesView))
    }

    @Test("GET /v1/reports/nps groups, filters and flags small groups with the configured minimum")
    func npsReport() async throws {
        var configuration = CollectorConfiguration()
        configuration.minimumGroupSize = 2
        try await withApp(configuration: configuration) { client in
            let response = try await client.execute(uri: "/v1/reports/nps?by=site,stage", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let report = try Self.decodeReport(response.body)
            #expect(report.metric == .nps && report.groupBy == [.site, .stage] && report.minimumCount == 2)
            #expect(report.rows.map { [$0.value(.site), $0.value(.stage)] } == [["lund", "shop"], ["malmo", "own"], ["malmo", "shop"]])
            #expect(report.rows.map(\.n) == [1, 1, 1])
            #expect(report.rows.allSatisfy { $0.tooSmall })
            #expect(report.total.n == 3 && !report.total.tooSmall)
            #expect(report.total.promoters == 2 && report.total.detractors == 1)

            let text = String(decoding: response.body.readableBytesView, as: UTF8.self)
            #expect(text.contains(#""group":{"site":"lund","stage":"shop"}"#), "\(text)")
            #expect(text.contains(#""tooSmall":true"#))

            let filtered = try Self.decodeReport(try await client.execute(
                uri: "/v1/reports/nps?site=malmo&includeSuspect=true&min=0&from=2026-11-16&to=2026-11-16", method: .get).body)
            #expect(filtered.total.n == 3 && filtered.total.detractors == 1 && !filtered.total.tooSmall)
            #expect(filtered.from == ReportFixtures.monday && filtered.to == ReportFixtures.monday.addingTimeInterval(86_400))

            let ces = try Self.decodeReport(try await client.execute(uri: "/v1/reports/ces", method: .get).body)
            #expect(ces.total.n == 1 && ces.total.mean == 5 && ces.total.easyShare == 100)
            let csat = try Self.decodeReport(try await client.execute(uri: "/v1/reports/csat?by=touchpoint", method: .get).body)
            #expect(csat.rows.map(\.score) == [50, 100])
        }
    }

    @Test("GET /v1/reports/choice: each yes/no and choice question's options with counts and shares, in the reports' shape")
    func choiceReport() async throws {
        try await withApp { client in
            let response = try await client.execute(uri: "/v1/reports/choice?by=site&min=1", method: .get)
            #expect(response.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect(json["metric"] as? String == "choice")
            // Grouped by question first (options of different questions do not add up), then as asked.
            #expect(json["groupBy"] as? [String] == ["question", "site"])
            let rows = try #require(json["rows"] as? [[String: Any]])
            // The service fixture answers ready-on-time yes; the suspect response is left out.
            let ready = try #require(rows.first { ($0["group"] as? [String: String])?["question"] == "ready-on-time" })
            #expect(ready["n"] as? Int == 1)
            let options = ready["options"] as? [String: [String: Double]]
            #expect(options?["yes"]?["count"] == 1 && options?["yes"]?["share"] == 100)
            #expect((json["total"] as? [String: Any])?["options"] != nil)
            let bad = try await client.execute(uri: "/v1/reports/choice?by=colour", method: .get)
            #expect(bad.status == .badRequest)
        }
    }

    @Test("A bad or unknown parameter is 400 bad_parameter naming it", arguments: [
        ("/v1/reports/nps?by=planet", "by: unknown dimension 'planet'"),
        ("/v1/reports/nps?by=site,site", "by: 'site' is listed twice"),
        ("/v1/reports/ces?colour=red", "colour: unknown parameter"),
        ("/v1/reports/csat?from=yesterday", "from: must be a day"),
        ("/v1/reports/nps?to=2026-02-30", "to: must be a day"),
        ("/v1/reports/nps?from=2026-11-20&to=2026-11-18", "to: must be after from"),
        ("/v1/reports/nps?min=-1", "min: must be a whole number"),
        ("/v1/reports/nps?min=many", "min: must be a whole number"),
        ("/v1/reports/nps?includeSuspect=maybe", "includeSuspect: must be true or false"),
        ("/v1/reports/nps?stage=garage", "stage: must be shop or own"),
        ("/v1/reports/nps?site=", "site: must not be empty"),
        ("/v1/export.csv?by=site", "by: unknown parameter"),
        ("/v1/export.csv?includePartial=yes", "includePartial: must be true or false"),
        ("/v1/export.csv?raw=please", "raw: must be true or false"),
        ("/v1/reports/nps?raw=true", "raw: unknown parameter"),
    ])
    func badParameters(uri: String, message: String) async throws {
        try await withApp { client in
            let response = try await client.execute(uri: uri, method: .get)
            #expect(response.status == .badRequest)
            let error = try JSONDecoder().decode(UploadError.self, from: Data(response.body.readableBytesView))
            #expect(error.error == "bad_parameter")
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }

    @Test("GET /v1/export.csv streams RFC 4180 CSV with the same filters")
    func exportCSV() async throws {
        try await withApp { client in
            let response = try await client.execute(uri: "/v1/export.csv?site=malmo", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
            let records = parseCSV(String(decoding: response.body.readableBytesView, as: UTF8.self))
            #expect(records.first == ExportedAnswer.csvHeader)
            // response 1: recommend, loved, visit-satisfaction; response 3: five answers; suspect 4 left out.
            #expect(records.count == 1 + 3 + 4)
            #expect(records[2][12] == "loved" && records[2][14] == "Quick, friendly \"staff\", thanks")
            #expect(records.dropFirst().allSatisfy { $0[2] == "malmo" && $0.count == 15 })

            let everything = try await client.execute(uri: "/v1/export.csv?includeSuspect=true", method: .get)
            let all = parseCSV(String(decoding: everything.body.readableBytesView, as: UTF8.self))
            // header, 3 + 2 + 4 answers, and the suspect response's 2
            #expect(all.count == 12)
        }
    }

    @Test("GET /v1/export.csv neutralises formulas in comments and typed accounts; raw=true leaves them as stored")
    func exportNeutralisesFormulas() async throws {
        let hyperlink = "=HYPERLINK(\"http://evil.example\",\"Click\")"
        let sum = "@SUM(1+1)*cmd|' /C calc'!A0"
        var response = ReportFixtures.response(sequence: 1, nps: 2, csat: 2, comment: hyperlink)
        response.account = sum
        try await withApp(responses: [response]) { client in
            func export(_ query: String) async throws -> [[String]] {
                let response = try await client.execute(uri: "/v1/export.csv" + query, method: .get)
                #expect(response.status == .ok)
                return parseCSV(String(decoding: response.body.readableBytesView, as: UTF8.self))
            }
            let safe = try await export("")
            #expect(safe.count == 4)
            let comment = try #require(safe.first { $0[12] == "improve" })
            #expect(comment[14] == "'" + hyperlink && comment[9] == "'" + sum)
            #expect(safe.dropFirst().allSatisfy { $0[9] == "'" + sum })
            #expect(safe.first { $0[12] == "recommend" }?[14] == "2")

            let raw = try await export("?raw=true")
            #expect(raw.first { $0[12] == "improve" }?[14] == hyperlink)
            #expect(raw.dropFirst().allSatisfy { $0[9] == sum })
            #expect(try await export("?raw=false") == safe)
        }
    }

    @Test("A failing database is 503 with Retry-After")
    func unavailable() async throws {
        try await withApp(storage: FailingStorage(code: .unavailable)) { client in
            for uri in ["/v1/reports/nps", "/v1/export.csv"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
            }
        }
    }
}
