import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointJOSE
import TouchpointCollectorServer

/// Responses over three months whose dashboard figures are computed by hand below.
///
/// retail (shop): NPS 10, 10, 9, 8, 3 → 3 promoters, 1 detractor of 5: NPS +40, margin 1.96·√(0.64/5)·100 = ±70.
/// service (own): NPS 9, 6, 6, 7 → 1 promoter, 2 detractors of 4: NPS −25, margin 1.96·√(0.6875/4)·100 = ±81.
/// Overall: 4 promoters, 3 detractors of 9: NPS +11. By month: Sep +100 (n 3), Oct 0 (n 3), Nov −67 (n 3).
/// CSAT: retail 5, 4, 4, 2, 1 → 60%; service 5, 4, 3, 2 → 50%. CES (service, 1–5): 5, 4, 2, 1 → 50% easy, mean 3.0.
enum DashboardBrowserFixture {
    /// Day 0 of the fixture: 2026-09-10 12:00 UTC.
    static let september = Date(timeIntervalSince1970: 1_789_041_600)
    /// The day the route tests read the fixture on (their clock): two days after its last answer, so the
    /// dashboard's default range (the last 90 days) holds every answer whenever the tests run.
    static let now = september.addingTimeInterval(63 * 86_400)

    /// One response: `service` picks service-visit (own) over retail-visit (shop).
    static func response(
        service: Bool, sequence: UInt64, day: Int, nps: Int, csat: Int, ces: Int = 3, comment: String? = nil,
        account: String? = nil
    ) -> SurveyResponse {
        var answers = [Answer(question: "recommend", type: .nps, value: .number(nps))]
        if service {
            answers += [
                Answer(question: "service-satisfaction", type: .csat, value: .number(csat)),
                Answer(question: "service-effort", type: .ces, value: .number(ces)),
                Answer(question: "ready-on-time", type: .yesno, value: .bool(true)),
            ]
            if let comment { answers.append(Answer(question: "comment", type: .text, value: .text(comment))) }
        } else {
            if let comment {
                answers.append(Answer(question: nps <= 6 ? "improve" : "loved", type: .text, value: .text(comment)))
            }
            answers.append(Answer(question: "visit-satisfaction", type: .csat, value: .number(csat)))
        }
        let completed = september.addingTimeInterval(Double(day) * 86_400 + Double(sequence) * 60)
        let draft = ResponseDraft(
            survey: SurveyReference(
                id: service ? "service-visit" : "retail-visit", version: 1, digest: Fixtures.digest(service ? "service-visit" : "retail-visit")),
            site: "malmo", kiosk: "kiosk-1", touchpoint: service ? "service" : "retail", stage: service ? .own : .shop,
            language: "en", startedAt: completed.addingTimeInterval(-40), completedAt: completed, answers: answers,
            status: .complete, suspect: false, mode: .attended, account: account, appVersion: "0.1.0")
        var generator = SeededGenerator(state: sequence &* 6_700_417)
        return SurveyResponse(draft: draft, id: UUIDv7.make(at: completed, using: &generator), sequence: sequence)
    }

    /// The nine responses (sequences 1–8 and 11: the fleet shows the gap 9–10).
    static func responses() -> [SurveyResponse] {
        [
            response(service: false, sequence: 1, day: 0, nps: 10, csat: 5, comment: "Great coffee and a calm showroom", account: "acme"),
            response(service: false, sequence: 2, day: 1, nps: 10, csat: 4, account: "acme"),
            response(service: true, sequence: 3, day: 2, nps: 9, csat: 5, ces: 5),
            response(service: false, sequence: 4, day: 30, nps: 9, csat: 4, account: "acme"),
            response(service: false, sequence: 5, day: 31, nps: 8, csat: 2),
            response(service: true, sequence: 6, day: 32, nps: 6, csat: 4, ces: 4, account: "globex"),
            response(service: false, sequence: 7, day: 60, nps: 3, csat: 1, comment: "<b>Too slow</b> & nobody said hello"),
            response(service: true, sequence: 8, day: 61, nps: 6, csat: 3, ces: 2, comment: "Bilen var inte klar i tid", account: "globex"),
            response(service: true, sequence: 11, day: 62, nps: 7, csat: 2, ces: 1),
        ]
    }
}

@Suite("The dashboard in headless Chromium")
struct DashboardBrowserTests {
    @Test func chromiumRendersTheDashboardWithTheFigures() async throws {
        let chromium = try DashboardChromium.require()
        try await withStorage { storage, directory in
            let key = KioskKey.generate()
            try await FeedFixtures.enroll(storage, key: key)
            let statuses = try await FeedFixtures.ingest(DashboardBrowserFixture.responses(), into: storage, key: key)
            #expect(statuses.allSatisfy { $0 == .stored }, "\(statuses)")
            // Two accounts for the health matrix; CRM interactions today give each a score whenever the test runs.
            let imported = try await storage.importAccounts(
                AccountImport(accounts: [
                    Account(id: "acme", name: "Acme Fleet", mrr: 48_000, owner: "Eva", interactions: 4, lastInteractionAt: Date()),
                    Account(id: "globex", name: "Globex & Co", arr: 14_400, interactions: 1, lastInteractionAt: Date()),
                ]),
                at: Date())
            #expect(imported.inserted == 2)

            var configuration = CollectorConfiguration(host: "127.0.0.1", port: 0, minimumGroupSize: 5)
            let targets = directory.appendingPathComponent("targets.yaml")
            try "nps:\n  sites: { malmo: 20 }\n  touchpoints: { service: 30 }\n".write(to: targets, atomically: true, encoding: .utf8)
            configuration.targetsPath = targets.path
            let app = buildApplication(configuration: configuration, storage: storage, surveys: try Fixtures.catalog(), logger: quietLogger)
            try await storage.addUser(UserRecord(
                name: "eva", passwordHash: try await Passwords.hash("correct horse battery", cost: 4), role: .admin, createdAt: Date()))
            try await app.test(.live) { client in
                let port = try #require(client.port)
                // Every answer (the fixture is older than the default 90 days once the tests run later).
                let url = "http://127.0.0.1:\(port)/?range=all"

                // A person opens the dashboard, is sent to the sign-in form, signs in and lands on the page.
                let screenshot = directory.appendingPathComponent("dashboard.png")
                let domFile = directory.appendingPathComponent("dashboard.html")
                // Then, as a manager: filter to the service touchpoint, open the follow-up cases, open the detractor's
                // case, mark it contacted, then resolved, and look at the figures again.
                let detractor = try #require(try await storage.cases(CaseQuery()).first { $0.trigger == "NPS 3" })
                let steps: [[String: Any]] = [
                    ["fill": "#filters", "fields": ["touchpoint": "service"]],
                    ["navigate": "/cases"],
                    ["navigate": "/cases/\(detractor.id)"],
                    ["click": "#case-contacted"],
                    ["click": "#case-resolve"],
                    ["navigate": "/?range=all"],
                    // A range with a start: the change against the period of the same length before it.
                    ["navigate": "/?from=2026-10-10&to=2026-11-11"],
                ]
                let session = try await chromium.signIn(
                    url: url, name: "eva", password: "correct horse battery", dom: domFile, screenshot: screenshot,
                    steps: steps, in: directory)
                #expect(session.formPage == "/login" && session.url == "/?range=all", "\(session)")
                let cookie = try #require(session.cookies.first { $0.name == "touchpoint_session" }, "\(session.cookies)")
                #expect(cookie.httpOnly == true && cookie.sameSite == "Strict" && cookie.secure == false, "\(cookie)")
                let dom = try String(contentsOf: domFile, encoding: .utf8)
                let drawn = dom.components(separatedBy: "<svg").count - 1
                #expect(drawn == 7, "expected the NPS by touchpoint and by site, trend, CSAT/CES, choices, volume and health charts in the DOM, found \(drawn) SVGs")
                // Targets on the bars (service, and the site), and the yes/no question's shares.
                #expect(dom.components(separatedBy: "class=\"target\"").count - 1 == 2, "the service bar and the site bar")
                #expect(dom.contains("target +30") && dom.contains("target +20"))
                #expect(dom.contains("ready-on-time") && dom.contains("yes 100%") && dom.contains("n = 4"))
                // The heatmap: nine responses, each in its weekday and hour (UTC here).
                #expect(dom.contains("9 responses."), "the heatmap's total")
                #expect(dom.components(separatedBy: "class=\"cell\"").count - 1 == 7 * 24)
                #expect(dom.contains("NPS by site"), "the NPS by site card")
                let dots = dom.components(separatedBy: "class=\"account zone-").count - 1
                #expect(dots == 2, "expected a dot per account on the health matrix, found \(dots)")
                for figure in [
                    "+40 ±70", "n = 5",  // retail, shop
                    "\u{2212}25 ±81", "n = 4 · too few",  // service, own (under the minimum of 5)
                    ">+11<",  // overall
                    "Sep \u{2019}26", "Oct \u{2019}26", "Nov \u{2019}26", ">+100<", ">0<", ">\u{2212}67<",  // the trend
                    "60% · n 5", "50% · n 4 · too few", "50% · mean 3.0/5 · n 4 · too few",  // CSAT and CES
                    "Great coffee and a calm showroom", "Bilen var inte klar i tid",  // comments
                    "kiosk-1", "2 missing: 9–10",  // the fleet, with its sequence gap
                    "Acme Fleet", "Globex &amp; Co", "MRR (log scale)",  // the health matrix (Globex: ARR 14,400 → MRR 1,200)
                ] {
                    let present = dom.contains(figure)
                    #expect(present, "the page lacks \(figure)")
                }
                // Customer text arrives as text, never as markup.
                let escaped = dom.contains("&lt;b&gt;Too slow&lt;/b&gt; &amp; nobody said hello")
                let injected = dom.contains("<b>Too slow</b>")
                #expect(escaped && !injected, "the comment's markup was not escaped")

                try checkSteps(session, dom: domFile, detractor: detractor.id)

                // The screenshot: the page drew, with its dark header, green and blue bars and red and green badges and dots.
                if let keep = ProcessInfo.processInfo.environment["TOUCHPOINT_DASHBOARD_SCREENSHOT"] {
                    try? FileManager.default.removeItem(atPath: keep)
                    try FileManager.default.copyItem(atPath: screenshot.path, toPath: keep)
                }
                let colours = ["1d2330", "1f9d72", "3b6fd8", "d64545"]
                let stats = try await DashboardPNGStats.read(screenshot, counting: colours, in: directory)
                #expect(stats.width == 1280 && stats.height == 2000)
                #expect(stats.distinct > 200, "too few colours for a drawn page: \(stats.distinct)")
                #expect(stats.nonwhite > 0.05, "the screenshot is nearly blank: \(stats.nonwhite)")
                for colour in colours {
                    #expect((stats.counts[colour] ?? 0) > 200, "few pixels of #\(colour): \(stats.counts)")
                }
            }
        }
    }

    /// What each step after signing in showed: the filtered view (kept in its links), the case list, the case, the
    /// case after each form, and the closed-loop figures after.
    func checkSteps(_ session: DashboardChromium.SignedIn, dom: URL, detractor: String) throws {
        func page(_ step: Int) throws -> String {
            try String(contentsOf: URL(fileURLWithPath: dom.path + ".step\(step).html"), encoding: .utf8)
        }
        try #require(session.steps.count == 7, "\(session.steps)")
        // 1: the form's choice is in the address, the header, and every link that keeps the view.
        #expect(session.steps[0].url.contains("touchpoint=service"), "\(session.steps[0].url)")
        let filtered = try page(1)
        #expect(filtered.contains("· touchpoint service"), "the header names the filter")
        #expect(filtered.contains("range=all&amp;touchpoint=service") || filtered.contains("touchpoint=service"), "links keep the filter")
        #expect(filtered.contains("Bilen var inte klar i tid") && !filtered.contains("Great coffee and a calm showroom"),
                "only service comments")
        // 2: the case list; 3: the case, with the customer's words escaped.
        #expect(try page(2).contains("<h2>3 cases</h2>"))
        let shown = try page(3)
        #expect(shown.contains("&lt;b&gt;Too slow&lt;/b&gt; &amp; nobody said hello") && shown.contains("id=\"case-status\">open<"))
        // 4, 5: each form posts and comes back to the case (post/redirect/get).
        #expect(session.steps[3].url == "/cases/\(detractor)" && session.steps[4].url == "/cases/\(detractor)", "\(session.steps)")
        #expect(try page(4).contains("id=\"case-status\">contacted<"))
        let resolved = try page(5)
        #expect(resolved.contains("id=\"case-status\">resolved<") && resolved.contains("<b>eva</b> resolved"))
        // 6: the closed-loop figures moved: one of three closed, within its SLA.
        #expect(try page(6).contains("<td class=\"num\">100% of 1</td>"), "the figures did not move")
        // 7: 2026-10-10 to 2026-11-11 (responses 4–8 and 11: one promoter, three detractors of six: −33) against the
        // 33 days before (1–3: all promoters, +100): down 133, shown on the tile and in What changed.
        let changed = try page(7)
        #expect(changed.contains("id=\"overall-nps-change\">▼ \u{2212}133"), "the tile's change")
        #expect(changed.contains("id=\"changes\"") && changed.contains("against 2026-09-07 to before 2026-10-10"))
    }
}
