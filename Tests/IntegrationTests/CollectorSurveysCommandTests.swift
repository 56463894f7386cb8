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

    @Test("surveys are assigned by scope, only once published, and sites get kiosk settings")
    func assignAndSettings() throws {
        let workspace = try Workspace()
        let database = ["--database", "c.sqlite"]
        let early = try workspace.run(["collector", "surveys", "assign", "retail-visit", "--site", "malmo"] + database)
        #expect(early.status != 0 && early.stderr.contains("survey retail-visit is not published; publish it first"), "\(early)")
        _ = try workspace.run(["collector", "surveys", "publish", "surveys/retail-visit.yaml", "surveys/service-visit.yaml"] + database)

        let assigned = try workspace.run(["collector", "surveys", "assign", "retail-visit", "--site", "malmo"] + database)
        #expect(assigned.status == 0 && assigned.stdout.contains("assigned  retail-visit, the latest version (now 1), to site malmo"), "\(assigned)")
        let again = try workspace.run(["collector", "surveys", "assign", "retail-visit", "--site", "malmo"] + database)
        #expect(again.status == 0 && again.stdout.contains("unchanged"), "\(again)")
        let pinned = try workspace.run(
            ["collector", "surveys", "assign", "service-visit", "--kiosk", "kiosk-7", "--version", "1"] + database)
        #expect(pinned.status == 0 && pinned.stdout.contains("version 1 (pinned), to kiosk kiosk-7"), "\(pinned)")
        let unpublished = try workspace.run(
            ["collector", "surveys", "assign", "service-visit", "--kiosk", "kiosk-7", "--version", "2"] + database)
        #expect(unpublished.status != 0 && unpublished.stderr.contains("survey service-visit version 2 is not published"), "\(unpublished)")
        let badID = try workspace.run(["collector", "surveys", "assign", "retail-visit", "--site", "Malmö showroom"] + database)
        #expect(badID.status != 0 && badID.stderr.contains("--site"), "\(badID)")

        let list = try workspace.run(["collector", "surveys", "list"] + database)
        #expect(list.stdout.contains("site malmo"), "\(list)")
        #expect(list.stdout.contains("kiosk kiosk-7 (pinned)"), "\(list)")

        let wrongScope = try workspace.run(["collector", "surveys", "assign", "retail-visit", "--site", "lund", "--unassign"] + database)
        #expect(wrongScope.status != 0 && wrongScope.stderr.contains("(it is assigned to: site malmo)"), "\(wrongScope)")
        let unassigned = try workspace.run(["collector", "surveys", "assign", "retail-visit", "--site", "malmo", "--unassign"] + database)
        #expect(unassigned.status == 0 && unassigned.stdout.contains("unassigned  retail-visit from site malmo"), "\(unassigned)")

        let settings = try workspace.run(
            ["collector", "settings", "set", "--site", "malmo", "--language", "sv", "--thank-you", "sv=Tack!", "--idle-timeout", "90"]
                + database)
        #expect(settings.status == 0 && settings.stdout.contains("language=sv, idleTimeout=90, thankYou=sv: Tack!"), "\(settings)")
        let badTimeout = try workspace.run(["collector", "settings", "set", "--site", "malmo", "--idle-timeout=-3"] + database)
        #expect(badTimeout.status != 0 && badTimeout.stderr.contains("idleTimeout: must be above 0 seconds"), "\(badTimeout)")
        let badHash = try workspace.run(["collector", "settings", "set", "--site", "malmo", "--staff-pin-hash", "1234"] + database)
        #expect(badHash.status != 0 && badHash.stderr.contains("not a hash from `touchpoint pin hash`"), "\(badHash)")
        let cleared = try workspace.run(["collector", "settings", "clear", "--site", "malmo", "language"] + database)
        #expect(cleared.status == 0 && cleared.stdout.contains("idleTimeout=90, thankYou=sv: Tack!"), "\(cleared)")
        let listed = try workspace.run(["collector", "settings", "list"] + database)
        #expect(listed.stdout.contains("malmo  idleTimeout  90"), "\(listed)")
        #expect(!listed.stdout.contains("language"), "\(listed)")

        let audit = try workspace.run(["collector", "audit"] + database)
        for action in ["survey-assigned", "survey-unassigned", "site-settings-set", "site-settings-cleared"] {
            #expect(audit.stdout.contains(action), "\(action): \(audit)")
        }
    }
}
