import Foundation
import Testing

/// The closed loop with a real collector process: an unhappy answer opens a case, its feed post links the case,
/// the case goes overdue once to its owner's channel, and `touchpoint cases` / `report cases` move it on (issue 14).
@Suite("Follow-up cases end to end", .serialized)
struct CaseLoopTests {
    @Test("a hard CES opens a case; the post links it; overdue is posted once; contacted and resolved move the figures")
    func closedLoop() async throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        let receiver = try WebhookReceiver(site: site)
        try """
            webhooks:
              - name: cx
                url: \(receiver.webhookURL)
                minimumInterval: 0
            """.write(to: site.workspace.url("feed.yaml"), atomically: true, encoding: .utf8)
        // Due one second after it opens, looked for five times a second: the overdue post comes at once.
        try """
            open: { ces: hard }
            rules:
              - sites: [\(SyncSite.site)]
                owner: anna
                sla: 1s
            channels: { anna: cx }
            checkEvery: 0.2
            """.write(to: site.workspace.url("cases.yaml"), atomically: true, encoding: .utf8)
        let collector = try site.startCollector(
            extra: ["--feed", "feed.yaml", "--cases", "cases.yaml", "--public-url", "https://cx.example.com"])
        try site.enroll()
        // The feed posts what is stored after its first fan-out, which the collector logs.
        try await poll("the feed to start", detail: { site.logs }) { site.logs.contains("comment feed started") }
        let unhappy = try site.writeResponses(1, effort: 2, comment: "The booking page crashed twice")
        try site.writeResponses(1, effort: 6)
        try #require(try site.syncOnce(collector).status == 0, "\(site.logs)")
        let id = try #require(unhappy.first?.response.id)

        func posts() -> [String] { receiver.bodies().map(FleetAlertsTests.text) }
        try await poll("the comment and the overdue notice to be posted", detail: { "\(posts())\n\(site.logs)" }) {
            posts().count >= 2
        }
        let all = posts()
        let comment = try #require(all.first { $0.contains("The booking page crashed twice") }, "\(all)")
        #expect(comment.contains("<https://cx.example.com/cases/\(id)|Follow-up case>"), "\(comment)")
        let overdue = try #require(all.first { $0.contains("Overdue follow-up") }, "\(all)")
        #expect(overdue.contains("CES 2 of 7") && overdue.contains("owner anna"), "\(overdue)")
        #expect(overdue.contains("<https://cx.example.com/cases/\(id)|Open the case>"), "\(overdue)")

        // The case from the command line, then contacted and resolved; the figures follow.
        let list = try site.run(["cases", "list", "--database", site.database])
        #expect(list.status == 0 && list.stdout.contains(id) && list.stdout.contains("OVERDUE") && list.stdout.contains("1 case."), "\(list)")
        let shown = try site.run(["cases", "show", String(id.prefix(13)), "--database", site.database])
        #expect(shown.stdout.contains("CES 2 of 7") && shown.stdout.contains("> The booking page crashed twice"), "\(shown)")
        let before = try site.run(["report", "cases", "--database", site.database, "--format", "csv"])
        #expect(before.stdout.split(whereSeparator: \.isNewline).last == "total,1,1,1,0,,1,0,0.0", "\(before)")
        let contact = try site.run(["cases", "contact", id, "--note", "Called back", "--by", "anna", "--database", site.database])
        #expect(contact.status == 0 && contact.stdout.contains("contacted, owner anna"), "\(contact)")
        let resolve = try site.run(["cases", "resolve", id, "--note", "Booked by phone", "--by", "anna", "--database", site.database])
        #expect(resolve.status == 0 && resolve.stdout.contains("resolved"), "\(resolve)")
        let twice = try site.run(["cases", "resolve", id, "--by", "anna", "--database", site.database])
        #expect(twice.status != 0 && twice.stderr.contains("is resolved"), "\(twice)")
        let after = try site.run(["report", "cases", "--database", site.database, "--by", "owner", "--format", "json"])
        let report = try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any]
        let total = try #require(report?["total"] as? [String: Any], "\(after)")
        #expect(total["open"] as? Int == 0 && total["contacted"] as? Int == 1 && total["closedWithinSLA"] as? Int == 0, "\(after)")
        let rows = try #require(report?["rows"] as? [[String: Any]], "\(after)")
        #expect(rows.map { $0["group"] as? String } == ["anna"], "\(after)")
        let history = try site.run(["cases", "show", id, "--json", "--database", site.database])
        let events = (try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any])?["events"] as? [[String: Any]]
        #expect(events?.compactMap { $0["action"] as? String } == ["opened", "contacted", "resolved"], "\(history)")
        #expect(events?.last?["actor"] as? String == "anna", "\(history)")
        let bad = try site.run(["cases", "list", "--status", "closedish", "--database", site.database])
        #expect(bad.status != 0 && bad.stderr.contains("'closedish' is not a status"), "\(bad)")

        // Posted once: another unhappy customer's overdue notice comes many checks later, and the webhook gets its
        // posts in the order they were queued, so a repeat of the first notice would stand before it.
        let later = try #require(try site.writeResponses(1, effort: 1).first?.response.id)
        try #require(try site.syncOnce(collector).status == 0, "\(site.logs)")
        func overdueNotices(_ caseID: String) -> Int {
            posts().filter { $0.contains("Overdue follow-up") && $0.contains("/cases/\(caseID)|") }.count
        }
        try await poll("the second case's overdue notice", detail: { "\(posts())\n\(site.logs)" }) { overdueNotices(later) == 1 }
        #expect(overdueNotices(id) == 1 && posts().filter { $0.contains("Overdue follow-up") }.count == 2, "\(posts())")
    }
}
