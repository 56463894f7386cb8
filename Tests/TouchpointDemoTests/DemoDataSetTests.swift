import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
@testable import TouchpointDemo

/// `surveys/` at the repository root.
let bundledSurveys = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("surveys", isDirectory: true)

/// A fixed clock for generation: 2026-11-20 12:00 UTC.
let fixedNow = Date(timeIntervalSince1970: 1_795_176_000)

func bundledCatalog() throws -> [Survey] {
    let catalog = SurveyDirectory.load(bundledSurveys)
    try #require(catalog.problems.isEmpty, "bundled surveys: \(catalog.problems)")
    return catalog.surveys
}

@Suite("Demo data set")
struct DemoDataSetTests {
    @Test("the same seed and clock give the same drafts; another seed gives others")
    func deterministic() throws {
        let surveys = try bundledCatalog()
        let configuration = DemoConfiguration(responses: 300, months: 6, seed: 7)
        let first = try DemoDataSet.generate(surveys: surveys, configuration: configuration, now: fixedNow)
        let second = try DemoDataSet.generate(surveys: surveys, configuration: configuration, now: fixedNow)
        #expect(first.allDrafts == second.allDrafts)
        #expect(first.count == 300)
        var other = configuration
        other.seed = 8
        let third = try DemoDataSet.generate(surveys: surveys, configuration: other, now: fixedNow)
        #expect(third.allDrafts != first.allDrafts)
    }

    @Test("every draft answers its survey validly, inside the period, oldest first per kiosk")
    func valid() throws {
        let surveys = try bundledCatalog()
        let byID = Dictionary(uniqueKeysWithValues: surveys.map { ($0.id, $0) })
        let dataSet = try DemoDataSet.generate(
            surveys: surveys, configuration: DemoConfiguration(responses: 1500, months: 12, seed: 42), now: fixedNow)
        #expect(dataSet.count == 1500)
        for kiosk in dataSet.kiosks {
            let drafts = try #require(dataSet.drafts[kiosk.id])
            #expect(drafts.map(\.completedAt) == drafts.map(\.completedAt).sorted())
            for draft in drafts {
                let survey = try #require(byID[draft.survey.id])
                let response = SurveyResponse(draft: draft, id: "demo", sequence: 1)
                #expect(ResponseValidator.problem(in: response, against: survey) == nil)
                #expect(draft.kiosk == kiosk.id && draft.site == kiosk.site.id && draft.touchpoint == kiosk.touchpoint)
                #expect(draft.startedAt >= dataSet.periodStart && draft.completedAt < fixedNow)
                #expect(draft.startedAt <= draft.completedAt)
                #expect(draft.survey.digest == (try SurveyDigest.digest(of: survey)))
            }
        }
    }

    @Test("one month just after midnight on the first still gives visits in the past")
    func firstOfTheMonth() throws {
        let now = try #require(Timestamp.date("2026-12-01T00:30:00.000Z"))
        let dataSet = try DemoDataSet.generate(
            surveys: try bundledCatalog(), configuration: DemoConfiguration(responses: 200, months: 1), now: now)
        #expect(dataSet.count == 200)
        for draft in dataSet.allDrafts {
            #expect(draft.startedAt >= dataSet.periodStart)
            #expect(draft.completedAt < now)
        }
    }

    @Test("the distribution: many sites, touchpoints, months, both languages, accounts, service below retail")
    func distribution() throws {
        let dataSet = try DemoDataSet.generate(
            surveys: try bundledCatalog(), configuration: DemoConfiguration(responses: 3000, months: 12, seed: 42),
            now: fixedNow)
        let drafts = dataSet.allDrafts
        #expect(Set(drafts.map(\.site)).count == 6)
        #expect(Set(drafts.map(\.touchpoint)) == ["delivery", "retail", "service", "test-drive"])
        let months = Set(drafts.map { Timestamp.string($0.completedAt).prefix(7) })
        #expect(months.count >= 12)
        let languages = Dictionary(grouping: drafts, by: \.language).mapValues(\.count)
        #expect(languages["sv", default: 0] > languages["en", default: 0])
        #expect(languages["en", default: 0] > 300)

        let comments = drafts.flatMap { draft in
            draft.answers.compactMap { answer -> (String, String)? in
                guard case .text(let text) = answer.value else { return nil }
                return (draft.language, text)
            }
        }
        #expect(Set(comments.filter { $0.0 == "sv" }.map(\.1)).count >= 20)
        #expect(Set(comments.filter { $0.0 == "en" }.map(\.1)).count >= 20)

        let accounts = drafts.compactMap(\.account)
        #expect(Double(accounts.count) / Double(drafts.count) > 0.2)
        #expect(Set(accounts).count >= 20)
        #expect(Set(accounts).isSubset(of: Set(dataSet.accounts.map(\.id))))

        func nps(_ touchpoint: String) -> Double? {
            Scoring.nps(drafts.filter { $0.touchpoint == touchpoint }.compactMap { $0.answers.first { $0.type == .nps }?.value.number }).score
        }
        let retail = try #require(nps("retail"))
        let service = try #require(nps("service"))
        #expect(retail > service + 10)

        // Detractors complain: most of the low retail scores come with an answer to the "improve" question.
        let detractors = drafts.filter { $0.touchpoint == "retail" && ($0.answers.first?.value.number ?? 10) <= 6 }
        let complaining = detractors.filter { draft in draft.answers.contains { $0.question == "improve" } }
        #expect(Double(complaining.count) > 0.5 * Double(detractors.count))

        // CSAT leans to 4–5.
        let csat = Scoring.csat(drafts.flatMap { $0.answers.filter { $0.type == .csat }.compactMap(\.value.number) })
        #expect((csat.score ?? 0) > 60)
        #expect(drafts.contains { $0.status == .partial })
        #expect(drafts.contains { $0.suspect })
    }

    @Test("accounts.csv lists 25 accounts under a header, quoting what needs it")
    func accountsCSV() {
        let csv = DemoAccount.csv(DemoAccount.all, now: fixedNow)
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 26)
        #expect(lines[0] == "id,name,mrr,owner,interactions,last_interaction")
        #expect(lines[1] == "ACC-1001,Nordvik Logistik AB,84000,anna.lind,34,2026-11-08")
        #expect(DemoAccount.csv([DemoAccount(id: "A", name: "Smith, \"Jr\"", mrr: 1, owner: "o", interactions: 2,
                                             mood: 0, activity: 1, silentMonths: 0)], now: fixedNow)
                .hasSuffix("A,\"Smith, \"\"Jr\"\"\",1,o,2,2026-11-04\n"))
    }
}
