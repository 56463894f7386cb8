import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointJOSE

/// Yes/no and choice questions reported per option (issue 14), on both backends, against a hand count.
@Suite("Choice report")
struct ChoiceReportTests {
    let key = KioskKey.generate()

    func response(_ sequence: UInt64, purpose: String?, ready: Bool? = nil, site: String = "malmo", suspect: Bool = false) -> SurveyResponse {
        var answers = [Answer(question: "recommend", type: .nps, value: .number(8))]
        if let purpose { answers.append(Answer(question: "purpose", type: .choice, value: .option(purpose))) }
        if let ready { answers.append(Answer(question: "ready-on-time", type: .yesno, value: .bool(ready))) }
        var response = Fixtures.response(sequence: sequence, answers: answers)
        response.site = site
        response.suspect = suspect
        return response
    }

    @Test(arguments: StorageBackend.available) func optionsAreCountedPerGroupAndQuestion(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK)
            let responses = [
                response(1, purpose: "offer"), response(2, purpose: "offer"), response(3, purpose: "browse"),
                response(4, purpose: nil, ready: true), response(5, purpose: "test-drive", ready: false),
                response(6, purpose: "offer", ready: true), response(7, purpose: "browse", suspect: true),
            ]
            let stored = try await storage.ingest(try Fixtures.verified(responses, key: key), health: Fixtures.health, kiosk: "kiosk-1", at: Fixtures.start)
            #expect(stored.allSatisfy { $0.status == .stored })
            let report = try await storage.choiceReport(ReportQuery(metric: .nps, minimumCount: 3))
            // Grouped by question unless asked otherwise; the suspect response left out.
            #expect(report.groupBy == [.question])
            #expect(report.rows.map { $0.value(.question) } == ["purpose", "ready-on-time"])
            let purpose = report.rows[0]
            #expect(purpose.n == 5 && !purpose.tooSmall)
            #expect(purpose.options["offer"]?.count == 3 && purpose.options["offer"]?.share == 60)
            #expect(purpose.options["browse"]?.count == 1 && purpose.options["test-drive"]?.share == 20)
            #expect(purpose.ranked.map(\.id) == ["offer", "browse", "test-drive"])
            let ready = report.rows[1]
            #expect(ready.n == 3 && ready.tooSmall == false)
            #expect(ready.options["yes"]?.count == 2 && ready.options["no"]?.count == 1)
            #expect(report.total.n == 8)
            // Filtered to one question and grouped by site: no question column; suspect ones when asked.
            var query = ReportQuery(metric: .nps, groupBy: [.site], minimumCount: 30)
            query.filters[.question] = "purpose"
            query.includeSuspect = true
            let bySite = try await storage.choiceReport(query)
            #expect(bySite.groupBy == [.site] && bySite.rows.map { $0.value(.site) } == ["malmo"])
            #expect(bySite.total.n == 6 && bySite.total.options["browse"]?.count == 2 && bySite.total.tooSmall)
            // Renderings.
            #expect(report.table().contains("purpose        5  offer 3 (60.0%)  browse 1 (20.0%)  test-drive 1 (20.0%)"), "\(report.table())")
            #expect(report.table().contains("(2 questions)"))
            let csv = bySite.csv().split(whereSeparator: \.isNewline).map(String.init)
            #expect(csv.first == "site,option,count,share_percent,n")
            #expect(csv.contains("malmo,offer,3,50.0,6") && csv.contains("total,browse,2,33.3,6"), "\(csv)")
            let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
            #expect(json?["metric"] as? String == "choice")
            let rows = json?["rows"] as? [[String: Any]]
            let options = rows?.first?["options"] as? [String: [String: Double]]
            #expect(options?["offer"]?["count"] == 3 && options?["offer"]?["share"] == 60)
        }
    }
}
