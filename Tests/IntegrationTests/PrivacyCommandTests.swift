import Foundation
import Testing

/// The privacy commands as a data-protection officer runs them on a demo data set (issue 15).
@Suite("erase and the erasure log from the command line")
struct PrivacyCommandTests {
    @Test("erase an account (dry run first) and a response; reports still match the export; the log holds no content")
    func eraseFromTheCommandLine() throws {
        let workspace = try Workspace()
        let demo = try workspace.run(
            ["demo", "--output", "demo", "--responses", "150", "--months", "2", "--seed", "7"], timeout: 120)
        try #require(demo.status == 0, "\(demo)")
        let database = ["--database", "demo/collector.sqlite"]
        // An account of the demo's, with its responses' account column.
        let export = try workspace.run(["export"] + database)
        let rows = export.stdout.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let account = try #require(rows.compactMap { $0.count > 9 && !$0[9].isEmpty ? String($0[9]) : nil }.first, "no account in the demo")

        let dry = try workspace.run(["collector", "erase", "--account", account, "--dry-run"] + database)
        #expect(dry.status == 0 && dry.stdout.hasPrefix("Would erase: ") && dry.stdout.contains("account reference"), "\(dry)")
        let erased = try workspace.run(["collector", "erase", "--account", account] + database)
        #expect(erased.status == 0 && erased.stdout.hasPrefix("Erased: "), "\(erased)")
        let after = try workspace.run(["export"] + database)
        #expect(!after.stdout.contains(account), "the account is still in the export")
        let again = try workspace.run(["collector", "erase", "--account", account] + database)
        #expect(again.stdout.contains("Nothing matched"), "\(again)")

        let response = try #require(rows.first.map { String($0[0]) })
        func npsTotal() throws -> Int {
            let json = try workspace.run(["report", "nps", "--format", "json", "--include-suspect", "--include-partial"] + database)
            let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            return (report?["total"] as? [String: Any])?["n"] as? Int ?? -1
        }
        let before = try npsTotal()
        let hasNPS = rows.contains { String($0[0]) == response && $0.count > 13 && $0[13] == "nps" }
        #expect(try workspace.run(["collector", "erase", "--response", response] + database).status == 0)
        #expect(try npsTotal() == before - (hasNPS ? 1 : 0), "the report lost exactly its NPS answer")
        #expect(!(try workspace.run(["export"] + database)).stdout.contains(response))

        let log = try workspace.run(["collector", "erasures", "--json"] + database)
        let records = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]], "\(log)")
        #expect(records.compactMap { $0["kind"] as? String } == ["account", "response"])
        #expect(!log.stdout.contains(account) && !log.stdout.contains(response), "the log holds what was erased")
        let kiosks = try workspace.run(["collector", "kiosks", "--json"] + database)
        let fleet = try #require(try JSONSerialization.jsonObject(with: Data(kiosks.stdout.utf8)) as? [[String: Any]], "\(kiosks)")
        #expect(fleet.allSatisfy { ($0["gaps"] as? [Any])?.isEmpty == true }, "an erased response is not a gap")
        let bad = try workspace.run(["collector", "erase", "--comment-matching", "x", "--site", "s"] + database)
        #expect(bad.status != 0 && bad.stderr.contains("at least 3 characters"), "\(bad)")
    }

    @Test("prune by a retention policy (dry run first): reports keep their figures and say what is gone; subject access as JSON")
    func pruneAndSubjectAccessFromTheCommandLine() throws {
        let workspace = try Workspace()
        let demo = try workspace.run(
            ["demo", "--output", "demo", "--responses", "300", "--months", "6", "--seed", "11"], timeout: 120)
        try #require(demo.status == 0, "\(demo)")
        let database = ["--database", "demo/collector.sqlite"]
        try "retention:\n  comments: 1 month\n  responses: 3 months\n  accounts: 2 months\n"
            .write(to: workspace.url("retention.yaml"), atomically: true, encoding: .utf8)
        // An account with a response in the last weeks, asked about before pruning.
        let export = try workspace.run(["export"] + database)
        let rows = export.stdout.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let accounts = rows.compactMap { $0.count > 9 && !$0[9].isEmpty ? String($0[9]) : nil }
        let account = try #require(accounts.last, "no account in the demo")
        let access = try workspace.run(["collector", "subject-access", "--account", account] + database)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(access.stdout.utf8)) as? [String: Any], "\(access)")
        #expect((answer["responses"] as? [Any])?.isEmpty == false && answer["cases"] is [Any] && answer["healthHistory"] is [Any])
        #expect(answer["account"] as? String == account && answer["comments"] is [Any])
        let written = try workspace.run(["collector", "subject-access", "--account", account, "--output", "access.json"] + database)
        let attributes = try FileManager.default.attributesOfItem(atPath: workspace.url("access.json").path)
        #expect(written.status == 0 && (attributes[.posixPermissions] as? Int) == 0o600, "\(written)")

        func npsTotal() throws -> String {
            try workspace.run(["report", "nps", "--by", "month"] + database).stdout
        }
        let before = try npsTotal()
        let dry = try workspace.run(["collector", "prune", "--retention", "retention.yaml", "--dry-run"] + database)
        #expect(dry.status == 0 && dry.stdout.contains("Would prune: ") && dry.stdout.contains("responses"), "\(dry)")
        #expect(try workspace.run(["export"] + database).stdout == export.stdout, "a dry run changed the export")
        let pruned = try workspace.run(["collector", "prune", "--retention", "retention.yaml"] + database)
        #expect(pruned.status == 0 && pruned.stdout.contains("Pruned: "), "\(pruned)")
        // The figures stay (aggregates), the table says what is gone; the export lost the old rows.
        let after = try npsTotal()
        #expect(after.hasPrefix(before.trimmingCharacters(in: .newlines)) && after.contains("Removed by the retention policy"), "\(after)")
        let exportAfter = try workspace.run(["export"] + database)
        #expect(exportAfter.stdout.count < export.stdout.count && exportAfter.stderr.contains("Removed by the retention policy"))
        let kiosks = try workspace.run(["collector", "kiosks", "--json"] + database)
        let fleet = try #require(try JSONSerialization.jsonObject(with: Data(kiosks.stdout.utf8)) as? [[String: Any]], "\(kiosks)")
        #expect(fleet.allSatisfy { ($0["gaps"] as? [Any])?.isEmpty == true }, "a pruned response is not a gap")
        let log = try workspace.run(["collector", "erasures"] + database)
        #expect(log.stdout.contains("retention") && log.stdout.contains("responses before"), "\(log)")

        try "retention:\n  comments: soon\n".write(
            to: workspace.url("bad.yaml"), atomically: true, encoding: .utf8)
        let bad = try workspace.run(["collector", "prune", "--retention", "bad.yaml"] + database)
        #expect(bad.status != 0 && bad.stderr.contains("bad.yaml:2:13") && bad.stderr.contains("retention.comments"), "\(bad)")
    }

    @Test("a demo stored with --comment-key: reports work without the key; comments, export and access need it")
    func commentKeyFromTheCommandLine() throws {
        let workspace = try Workspace()
        let created = try workspace.run(["collector", "comment-key", "comment.key"])
        let mode = try FileManager.default.attributesOfItem(atPath: workspace.url("comment.key").path)[.posixPermissions] as? Int
        #expect(created.status == 0 && mode == 0o600, "\(created)")
        #expect(try workspace.run(["collector", "comment-key", "comment.key"]).status != 0, "a key file was replaced")
        let demo = try workspace.run(
            ["demo", "--output", "demo", "--responses", "200", "--months", "2", "--seed", "5", "--comment-key", "comment.key"],
            timeout: 120)
        try #require(demo.status == 0, "\(demo)")
        let database = ["--database", "demo/collector.sqlite"]
        let key = ["--comment-key", "comment.key"]
        let report = try workspace.run(["report", "nps"] + database)
        #expect(report.status == 0 && report.stdout.contains("NPS"), "\(report)")
        let refused = try workspace.run(["export"] + database)
        #expect(refused.status != 0 && refused.stderr.contains("--comment-key") && refused.stdout.isEmpty, "\(refused)")
        let export = try workspace.run(["export"] + database + key)
        #expect(export.status == 0 && export.stdout.hasPrefix("response_id,"), "\(export)")
        let rows = export.stdout.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let account = try #require(rows.compactMap { $0.count > 9 && !$0[9].isEmpty ? String($0[9]) : nil }.first, "no account")
        #expect(account.hasPrefix("ACC-"), "the export shows \(account)")
        // Health ties the scores to the CRM's names only with the key.
        let sealedHealth = try workspace.run(["health"] + database)
        #expect(sealedHealth.stdout.contains("acct:"), "\(sealedHealth.stdout.prefix(600))")
        let health = try workspace.run(["health"] + database + key)
        #expect(!health.stdout.contains("acct:"), "\(health.stdout.prefix(600))")
        let access = try workspace.run(["collector", "subject-access", "--account", account] + database)
        #expect(access.status != 0 && access.stderr.contains("--comment-key"), "\(access)")
        let answer = try workspace.run(["collector", "subject-access", "--account", account] + database + key)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.stdout.utf8)) as? [String: Any], "\(answer)")
        #expect((json["responses"] as? [Any])?.isEmpty == false)
        // Nothing a customer typed is in the database file as text.
        let bytes = try Data(contentsOf: workspace.url("demo/collector.sqlite"))
        #expect(bytes.range(of: Data(",\(account),".utf8)) == nil)
        // A comment without commas or quotes, so the CSV row splits into exactly its 15 fields.
        let comment = try #require(
            rows.first { $0.count == 15 && $0[13] == "text" && $0[14].count > 12 && !$0[14].contains("\"") }.map { String($0[14]) },
            "no plain comment in the export")
        #expect(bytes.range(of: Data(comment.utf8)) == nil, "\(comment) is in the database")
    }
}
