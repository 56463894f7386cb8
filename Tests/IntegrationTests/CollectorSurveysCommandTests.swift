import Foundation
import Testing

/// `touchpoint collector surveys publish|list` with the real binary (issue 13's central surveys).
@Suite("collector surveys publish and list from the command line")
struct CollectorSurveysCommandTests {
    @Test("surveys are checked like survey validate, each version published once and never changed")
    func publishAndList() throws {
        let workspace = try Workspace()
        let database = ["--database", "c.sqlite"]
        let empty = try workspace.run(["collector", "surveys", "list"] + database)
        #expect(empty.status == 0 && empty.stdout.contains("No published surveys"), "\(empty)")

        let published = try workspace.run(
            ["collector", "surveys", "publish", "surveys/retail-visit.yaml", "surveys/service-visit.yaml"] + database)
        #expect(published.status == 0, "\(published)")
        #expect(published.stdout.contains("published  retail-visit v1 (sha256:"), "\(published)")
        #expect(published.stdout.contains("published  service-visit v1 (sha256:"), "\(published)")
        let again = try workspace.run(["collector", "surveys", "publish", "surveys/retail-visit.yaml"] + database)
        #expect(again.status == 0 && again.stdout.contains("unchanged  retail-visit v1"), "\(again)")

        // Other content under a published version: refused, saying which version to use; nothing else published.
        let original = try String(contentsOf: workspace.url("surveys/retail-visit.yaml"), encoding: .utf8)
        let changed = original.replacingOccurrences(of: "en: Your showroom visit", with: "en: Your visit to the showroom")
        try #require(changed != original)
        try Data(changed.utf8).write(to: workspace.url("edited-retail-visit.yaml"))
        let validates = try workspace.run(["survey", "validate", "edited-retail-visit.yaml"])
        #expect(validates.status == 0, "\(validates)")
        let refused = try workspace.run(
            ["collector", "surveys", "publish", "surveys/delivery-handover.yaml", "edited-retail-visit.yaml"] + database)
        #expect(refused.status != 0, "\(refused)")
        #expect(refused.stderr.contains("survey retail-visit version 1 is already published with other content"), "\(refused)")
        #expect(refused.stderr.contains("raise version to 2"), "\(refused)")

        // A file that does not validate: file:line:column, and nothing of the call is published.
        let broken = workspace.url("broken.yaml")
        try Data("id: broken\nversion: one\n".utf8).write(to: broken)
        let problems = try workspace.run(["collector", "surveys", "publish", "surveys/test-drive-booking.yaml", "broken.yaml"] + database)
        #expect(problems.status != 0, "\(problems)")
        #expect(problems.stderr.contains("broken.yaml:"), "\(problems)")
        #expect(problems.stderr.contains("nothing was published"), "\(problems)")

        let list = try workspace.run(["collector", "surveys", "list"] + database)
        #expect(list.status == 0, "\(list)")
        let rows = list.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(rows == ["retail-visit", "service-visit"], "\(list)")
        #expect(list.stdout.contains("cli:"), "\(list)")

        let audit = try workspace.run(["collector", "audit"] + database)
        #expect(audit.stdout.contains("survey-published"), "\(audit)")
    }
}
