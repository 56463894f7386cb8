import Foundation
import Testing

/// `touchpoint demo --today DAY` (issue 14): the same day, seed and counts give the same data set, so the README's
/// figures can be reproduced on any later day.
@Suite("touchpoint demo --today")
struct DemoTodayTests {
    @Test("two demos anchored to the same day give the same reports; a day to come or not a day is refused")
    func anchoredDemosAreTheSame() throws {
        let workspace = try Workspace()
        var reports: [String] = []
        for output in ["first", "second"] {
            let demo = try workspace.run(
                ["demo", "--output", output, "--responses", "80", "--months", "3", "--today", "2026-06-15"], timeout: 120)
            try #require(demo.status == 0, "\(demo)")
            let report = try workspace.run(
                ["report", "nps", "--by", "month,site", "--min", "1", "--format", "csv", "--database", "\(output)/collector.sqlite"])
            try #require(report.status == 0, "\(report)")
            reports.append(report.stdout)
        }
        #expect(reports[0] == reports[1])

        // Each demo kiosk's touchpoint.yaml keeps everything the kiosk writes in the kiosk's own folder (run from
        // anywhere, it writes nothing where it is run).
        let kiosks = workspace.url("first/kiosks")
        for name in try FileManager.default.contentsOfDirectory(atPath: kiosks.path) {
            let folder = kiosks.appendingPathComponent(name).path
            let yaml = try String(contentsOfFile: folder + "/touchpoint.yaml", encoding: .utf8)
            for key in ["responses", "keyFile", "historyFile", "surveyCache"] {
                let line = yaml.split(separator: "\n").first { $0.hasPrefix(key + ": ") }
                #expect(line?.contains("\"" + folder + "/") == true, "\(name): \(key) is not in the kiosk's folder: \(line ?? "missing")")
            }
        }

        // Health takes each CES question's scale from the database: the same scores wherever it runs, with or
        // without a surveys/ folder there (the demo's service survey asks CES on 1–5, the model's default is 1–7).
        try FileManager.default.createDirectory(at: workspace.url("elsewhere"), withIntermediateDirectories: true)
        let here = try workspace.run(["health", "--dry-run", "--format", "json", "--database", "first/collector.sqlite"])
        let there = try workspace.run(
            ["health", "--dry-run", "--format", "json", "--database", "../first/collector.sqlite"], in: "elsewhere")
        try #require(here.status == 0 && there.status == 0, "\(here)\n\(there)")
        // id, zone and score (to 0.01: the two runs are milliseconds apart, and recency decays with time).
        func accounts(_ json: String) throws -> [String] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let accounts = try #require(object["accounts"] as? [[String: Any]])
            return accounts.map { account in
                let score = (account["score"] as? Double).map { String(format: "%.2f", $0) } ?? "none"
                return "\(account["id"] ?? "?") \(account["zone"] ?? "no data") \(score)"
            }
        }
        let (first, second) = (try accounts(here.stdout), try accounts(there.stdout))
        #expect(first == second && !first.isEmpty)
        #expect(here.stdout.contains("/5"), "a 5-point CES question is scored on its own scale")
        // Generated back from 2026-06-15 00:00 UTC over three calendar months: April to June (June's first half).
        let months = Set(reports[0].split(whereSeparator: \.isNewline).dropFirst().compactMap { $0.split(separator: ",").first.map(String.init) })
        #expect(months.isSubset(of: ["2026-04", "2026-05", "2026-06"]) && months.contains("2026-05"), "\(reports[0])")

        let future = try workspace.run(["demo", "--output", "later", "--today", "2999-01-01"])
        #expect(future.status != 0 && future.stderr.contains("--today: 2999-01-01 is after today"), "\(future)")
        let notADay = try workspace.run(["demo", "--output", "later", "--today", "2026-02-30"])
        #expect(notADay.status != 0 && notADay.stderr.contains("is not a day"), "\(notADay)")
    }
}
