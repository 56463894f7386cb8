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
        // Generated back from 2026-06-15 00:00 UTC over three calendar months: April to June (June's first half).
        let months = Set(reports[0].split(whereSeparator: \.isNewline).dropFirst().compactMap { $0.split(separator: ",").first.map(String.init) })
        #expect(months.isSubset(of: ["2026-04", "2026-05", "2026-06"]) && months.contains("2026-05"), "\(reports[0])")

        let future = try workspace.run(["demo", "--output", "later", "--today", "2999-01-01"])
        #expect(future.status != 0 && future.stderr.contains("--today: 2999-01-01 is after today"), "\(future)")
        let notADay = try workspace.run(["demo", "--output", "later", "--today", "2026-02-30"])
        #expect(notADay.status != 0 && notADay.stderr.contains("is not a day"), "\(notADay)")
    }
}
