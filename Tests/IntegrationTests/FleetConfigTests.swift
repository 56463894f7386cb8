import Foundation
import Testing
import TouchpointCore
import TouchpointStore
#if canImport(Glibc)
import Glibc
#endif

/// Issue 13 end to end: a survey edited in one place reaches the assigned kiosk at its next sync, between two
/// customers, and its responses are stored, not deferred — real collector, real kiosk process, no file copied.
@Suite("Surveys published and assigned at the collector reach a running kiosk")
struct FleetConfigTests {
    @Test("publish, assign, edit: the running kiosk switches to the new version between two customers")
    func publishAssignAndSwitch() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        let collector = try site.startCollector()
        try site.enroll()
        let token = try #require(site.uploadToken)
        let database = ["--database", site.database]
        try #require(site.run(["collector", "surveys", "publish", "surveys/retail-visit.yaml"] + database).status == 0)
        let assigned = try site.run(["collector", "surveys", "assign", "retail-visit", "--site", SyncSite.site] + database)
        try #require(assigned.status == 0, "\(assigned)")
        try #require(site.run(["collector", "settings", "set", "--site", SyncSite.site, "--thank-you", "en=Thanks from the site!"]
            + database).status == 0)

        // The kiosk's own surveys/ has no retail-visit at all: everything it runs of it comes from the collector.
        try FileManager.default.removeItem(at: site.workspace.url("surveys/retail-visit.yaml"))
        let kiosk = try site.start(
            "kiosk", ["kiosk"] + Workspace.kioskFlags + ["--collector", collector.url, "--token", token, "--log-level", "notice"],
            keepInputOpen: true)
        let current = site.workspace.url("survey-cache/current")
        // The kiosk logs an install once the set is both durable and what the kiosk sees.
        try site.wait("the first configuration in the kiosk's cache", timeout: 60) { kiosk.stderr.contains("configuration installed") }
        let firstSet = try String(contentsOf: current, encoding: .utf8)

        // The first customer starts on version 1 …
        kiosk.write("surveys\nstart retail-visit en\n9\n")
        try site.wait("the first customer's session", timeout: 30) { kiosk.stdout.contains("What did you love about your visit?") }
        // … while version 2 is published (the assignment follows the latest) and the kiosk installs it in a sync cycle.
        let original = try String(contentsOf: Repository.surveys.appendingPathComponent("retail-visit.yaml"), encoding: .utf8)
        let edited = original.replacingOccurrences(of: "version: 1", with: "version: 2")
            .replacingOccurrences(of: "en: Your showroom visit", with: "en: Your visit to our showroom")
        try Data(edited.utf8).write(to: site.workspace.url("retail-visit-v2.yaml"))
        let published = try site.run(["collector", "surveys", "publish", "retail-visit-v2.yaml"] + database)
        try #require(published.status == 0, "\(published)")
        try site.wait("version 2 installed in the kiosk's cache", timeout: 60) {
            kiosk.stderr.components(separatedBy: "configuration installed").count == 3
        }
        #expect((try? String(contentsOf: current, encoding: .utf8)) != firstSet)
        // The customer in the middle of their session finishes on version 1; the next one gets version 2.
        kiosk.write("first customer\n5\n2\nstart retail-visit en\n10\nsecond customer\n5\n2\nstatus\n")
        try site.wait("both responses at the collector", timeout: 60) {
            site.files("pending").isEmpty && site.files("sent").count == 2
        }
        let versions = try site.files("sent").map { name -> Int in
            let envelope = try #require(ResponseFile.read(site.workspace.url("responses/sent/\(name)"), key: nil).response)
            return envelope.survey.version
        }
        #expect(versions.sorted() == [1, 2], "\(site.logs)")
        #expect(site.files("rejected").isEmpty)
        #expect(try site.fleetEntry().responseCount == 2, "stored, not deferred:\n\(site.logs)")
        // … and in the reports, both promoters (9 and 10), grouped by survey.
        let report = try site.run(["report", "nps", "--by", "survey", "--min", "1", "--format", "csv"] + database)
        #expect(report.status == 0 && report.stdout.contains("retail-visit,2,"), "\(report)")
        #expect(kiosk.stdout.contains("Thanks from the site!"), "\(site.logs)")
        #expect(kiosk.stdout.contains("Now running the collector's configuration"), "\(site.logs)")
        #expect(kiosk.stdout.contains("from the collector (retail-visit v2)"), "\(site.logs)")

        // The fleet view: the set the kiosk reports running is the one assigned to it now.
        try site.wait("the kiosk reporting version 2 as running", timeout: 60) {
            let fleet = try site.run(["collector", "kiosks"] + database)
            return fleet.stdout.contains("retail-visit v2 (") && fleet.stdout.contains(", current)")
        }
        kiosk.write("quit\n")
        kiosk.closeInput()
        #expect(kiosk.waitForExit(timeout: 60) == 0, "\(site.logs)")
    }
}
