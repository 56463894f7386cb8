import Foundation
import Testing

/// The insight commands as a person runs them: `touchpoint demo`, then `report`, `export` and `health` on
/// the database it made (the real binary, the real demo path: sessions, signing, sync over HTTP, ingest).
@Suite("demo, report, export and health from the command line")
struct InsightsCommandTests {
    @Test("a small demo, then report, export and health on its database agree with each other")
    func demoThenInsights() throws {
        let workspace = try Workspace()
        let demo = try workspace.run(
            ["demo", "--output", "demo", "--responses", "150", "--months", "2", "--seed", "7"], timeout: 120)
        try #require(demo.status == 0, "\(demo)")
        #expect(demo.stdout.contains("150 responses from"), "\(demo)")
        let database = ["--database", "demo/collector.sqlite"]

        // The JSON report's total n equals the NPS answers the export holds, counted the same way.
        let json = try workspace.run(["report", "nps", "--by", "touchpoint,stage", "--format", "json"] + database)
        try #require(json.status == 0, "\(json)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let total = try #require(report["total"] as? [String: Any])
        let n = try #require(total["n"] as? Int)
        #expect(n > 0)
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.reduce(0) { $0 + (($1["n"] as? Int) ?? 0) } == n)

        let export = try workspace.run(["export", "--output", "answers.csv"] + database)
        try #require(export.status == 0, "\(export)")
        let csv = try String(contentsOf: workspace.url("answers.csv"), encoding: .utf8)
        let header = try #require(csv.split(separator: "\r\n").first).split(separator: ",").map(String.init)
        let type = try #require(header.firstIndex(of: "type"))
        let status = try #require(header.firstIndex(of: "status"))
        let suspect = try #require(header.firstIndex(of: "suspect"))
        // Comments may hold commas, but no demo comment sits before the type/status columns of an NPS row.
        var counted = 0
        for record in csv.split(separator: "\r\n").dropFirst() {
            let fields: [String] = record.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count > type else { continue }
            if fields[type] == "nps", fields[status] == "complete", fields[suspect] == "false" { counted += 1 }
        }
        #expect(counted == n, "report n \(n), export has \(counted) complete, not suspect NPS answers")

        // The table: a header, one line per group, a rule and a total line with the same n.
        let table = try workspace.run(["report", "nps", "--by", "touchpoint"] + database)
        try #require(table.status == 0, "\(table)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("touchpoint") == true, "\(table)")
        let totalLine = try #require(lines.first { $0.hasPrefix("total") }, "\(table)")
        #expect(totalLine.split(separator: " ").contains(Substring("\(n)")), "\(table)")

        // Health: every imported demo account listed with a zone; a bad flag names itself.
        let health = try workspace.run(["health", "--format", "json", "--dry-run"] + database)
        try #require(health.status == 0, "\(health)")
        let accounts = try #require(
            (try JSONSerialization.jsonObject(with: Data(health.stdout.utf8)) as? [String: Any])?["accounts"] as? [[String: Any]])
        #expect(accounts.count >= 25, "\(accounts.count) accounts")
        #expect(accounts.contains { $0["zone"] as? String == "green" || $0["zone"] as? String == "yellow" || $0["zone"] as? String == "red" })
        let bad = try workspace.run(["report", "nps", "--by", "planet"] + database)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--by: unknown dimension 'planet'"), "\(bad)")
    }

    @Test("import-accounts: a file with one bad row is refused whole, with FILE:LINE: column, and nothing changes")
    func importAccountsIsAllOrNothing() throws {
        let workspace = try Workspace()
        let database = ["--database", "c.sqlite"]
        try "id,name,mrr\nACME,Acme Fleet,1000\n".write(to: workspace.url("good.csv"), atomically: true, encoding: .utf8)
        let good = try workspace.run(["collector", "import-accounts", "good.csv"] + database)
        #expect(good.status == 0, "\(good)")
        #expect(good.stdout.contains("1 new, 0 updated"), "\(good)")

        // The first row would rename ACME; the second is bad: neither is written.
        try "id,name,mrr\nacme,Renamed,2000\nGLOBEX,Globex,lots\n".write(
            to: workspace.url("bad.csv"), atomically: true, encoding: .utf8)
        let bad = try workspace.run(["collector", "import-accounts", "bad.csv"] + database)
        #expect(bad.status == 1, "\(bad)")
        #expect(bad.stderr.contains("bad.csv:3: column mrr"), "\(bad)")
        #expect(bad.stderr.contains("Nothing imported."), "\(bad)")

        let health = try workspace.run(["health", "--format", "json", "--dry-run"] + database)
        try #require(health.status == 0, "\(health)")
        let accounts = try #require(
            (try JSONSerialization.jsonObject(with: Data(health.stdout.utf8)) as? [String: Any])?["accounts"] as? [[String: Any]])
        #expect(accounts.map { $0["id"] as? String } == ["ACME"], "\(accounts)")
        #expect(accounts.first?["name"] as? String == "Acme Fleet")
        #expect(accounts.first?["mrr"] as? Double == 1000 || accounts.first?["mrr"] as? Int == 1000, "\(accounts)")
    }
}
