import Foundation
import Testing
import TouchpointCollector
import TouchpointCore

@Suite("Report rows from tallies, and the table and CSV renderings")
struct ReportRenderingTests {
    /// NPS by site from tallies: lund 2 promoters, 1 detractor; malmo 20 promoters, 10 passives, 10 detractors.
    var report: Report {
        Report(
            query: ReportQuery(metric: .nps, groupBy: [.site], minimumCount: 30),
            tallies: [
                ["malmo"]: ReportTally(count: 40, sum: 300, top: 20, middle: 10, bottom: 10, scales: 1 << 10),
                ["lund"]: ReportTally(count: 3, sum: 22, top: 2, middle: 0, bottom: 1, scales: 1 << 10),
            ])
    }

    @Test("Rows are sorted by group, flagged when small, and the total adds every tally")
    func rows() throws {
        let report = report
        #expect(report.rows.map { $0.value(.site) } == ["lund", "malmo"])
        #expect(report.rows.map(\.tooSmall) == [true, false])
        // malmo: (20 − 10) / 40 = 25; variance (20 + 10) / 40 − 0.25² = 0.6875; 1.96 · √(0.6875 / 40) · 100 = 25.69582
        let malmo = report.rows[1]
        #expect(malmo.score == 25)
        #expect(abs((malmo.marginOfError ?? 0) - 25.69582) < 1e-4)
        #expect(report.total.n == 43 && report.total.promoters == 22 && report.total.detractors == 11)
        #expect(!report.total.tooSmall)
    }

    @Test("The table aligns columns, marks small groups with * and explains it")
    func table() {
        let lines = report.table().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // lund: 1.96 · √((1 − (1/3)²) / 3) · 100 = 106.7; total: 25.6 ± 25.0
        #expect(lines[0] == "site    n   NPS   ±95%  promoters  passives  detractors")
        #expect(lines[1] == "lund   3*  33.3  106.7          2         0           1")
        #expect(lines[2] == "malmo  40  25.0   25.7         20        10          10")
        #expect(lines[3].allSatisfy { $0 == "─" } && lines[3].count == lines[0].count)
        #expect(lines[4] == "total  43  25.6   25.0         22        10          11")
        #expect(lines.last == "* fewer than 30 answers: too few to rely on.")
    }

    @Test("CSV has one record per group, unrounded, without the total")
    func csv() {
        let records = parseCSV(report.csv())
        #expect(records.count == 3)
        #expect(records[0] == ["site", "n", "too_small", "nps", "margin_of_error", "promoters", "passives", "detractors"])
        #expect(records[2].prefix(4) == ["malmo", "40", "false", "25"])
        #expect(records[2].suffix(3) == ["20", "10", "10"])
        #expect(abs((Double(records[2][4]) ?? 0) - 25.695816780168713) < 1e-9)
        #expect(records[1][2] == "true")
    }
}
