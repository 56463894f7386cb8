import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointSync
import TouchpointProtocol
import TouchpointCollectorServer

/// A dashboard with something in every section, rendered from plain values.
enum DashboardFixture {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18 ...

    static func data() -> DashboardData {
        let monthly: [(String, Double, Double, Int)] = [
            ("2026-06", 12, 14, 48), ("2026-07", 18, 12, 61), ("2026-08", 9, 13, 55),
            ("2026-09", 24, 10, 80), ("2026-10", 31, 9, 96), ("2026-11", 28, 19, 22),
        ]
        let accounts: [DashboardData.AccountPoint] = [
            .init(id: "acme", name: "Acme Fleet", health: 34, mrr: 48_000, zone: .red, owner: "Eva"),
            .init(id: "nordic", name: "Nordic Rentals", health: 58, mrr: 21_000, zone: .yellow),
            .init(id: "berg", name: "Berg & Son", health: 81, mrr: 3_200, zone: .green),
            .init(id: "lind", name: "Lind Taxi", health: 72, mrr: 950, zone: .green),
            .init(id: "holm", name: "Holm Logistics", health: 45, mrr: 7_400, zone: .yellow),
            .init(id: "sol", name: "Sol Cars", health: 22, mrr: 1_300, zone: .red),
            .init(id: "nomrr", name: "No Revenue AB", health: 60, mrr: nil, zone: .yellow),
        ]
        return DashboardData(
            generatedAt: now, minimumGroupSize: 30,
            overall: .init(label: "", score: 23.4, marginOfError: 6.1, count: 412, promoters: 180, passives: 125, detractors: 107),
            npsByTouchpoint: [
                .init(label: "retail", stage: .shop, score: 42, marginOfError: 8.2, count: 220, promoters: 120, passives: 68, detractors: 32),
                .init(label: "service", stage: .own, score: -12.4, marginOfError: 11, count: 170, promoters: 40, passives: 69, detractors: 61),
                .init(label: "delivery", stage: .own, score: 61, marginOfError: 30, count: 12, promoters: 8, passives: 3, detractors: 1,
                      tooSmall: true),
            ],
            npsByMonth: monthly.map { .init(label: $0.0, score: $0.1, marginOfError: $0.2, count: $0.3, tooSmall: $0.3 < 30) },
            scores: [
                .init(touchpoint: "retail", csatShare: 0.78, csatCount: 220),
                .init(touchpoint: "service", cesMean: 3.9, cesScale: 5, cesEasyShare: 0.71, cesCount: 170, csatShare: 0.64, csatCount: 170),
                .init(touchpoint: "test-drive", cesMean: 5.6, cesScale: 7, cesEasyShare: 0.82, cesCount: 25, cesTooSmall: true),
            ],
            comments: [
                FeedComment(
                    responseID: "019a0000-0000-7000-8000-000000000001", completedAt: now.addingTimeInterval(-600), site: "malmo",
                    kiosk: "kiosk-1", touchpoint: "retail", stage: .shop, surveyID: "retail-visit", questionID: "improve",
                    language: "en", text: "<script>alert('x')</script> & \"quotes\"", npsScore: 3),
                FeedComment(
                    responseID: "019a0000-0000-7000-8000-000000000002", completedAt: now.addingTimeInterval(-3600), site: "lund",
                    kiosk: "kiosk-2", touchpoint: "service", stage: .own, surveyID: "service-visit", questionID: "comment",
                    language: "sv", text: "Snabb och trevlig service, bilen var klar i tid.", npsScore: 10, account: "acme"),
            ],
            kiosks: [
                KioskRecord(
                    id: "kiosk-1", site: "malmo", kid: "k1", enrolledAt: now.addingTimeInterval(-86_400 * 30),
                    lastSeenAt: now.addingTimeInterval(-300), responseCount: 1_234, highestSequence: 1_240, gaps: [1_200...1_205],
                    health: BufferHealth(pending: 2, rejected: 1, oldestPendingAt: now.addingTimeInterval(-900))),
                KioskRecord(
                    id: "kiosk-2", site: "lund", kid: "k2", enrolledAt: now.addingTimeInterval(-86_400 * 30),
                    lastSeenAt: now.addingTimeInterval(-7200), responseCount: 88, highestSequence: 88,
                    health: BufferHealth(pending: 0, rejected: 0)),
                KioskRecord(
                    id: "kiosk-3", site: "lund", kid: "k3", enrolledAt: now.addingTimeInterval(-86_400 * 30),
                    lastSeenAt: now.addingTimeInterval(-86_400 * 3), responseCount: 10, highestSequence: 10),
            ],
            accounts: accounts,
            zoneThresholds: .init(green: 70, yellow: 40),
            surveySets: [
                "kiosk-1": KioskSurveySet(
                    running: "sha256:aaaabbbbcccc", expected: "sha256:aaaabbbbcccc", expectedSurveys: ["retail-visit v2"], problem: nil),
                "kiosk-2": KioskSurveySet(
                    running: nil, expected: "sha256:1234567890ab", expectedSurveys: ["service-visit v1"], problem: "<not sealed>"),
            ],
            npsBySite: [
                .init(label: "malmo", score: 35, marginOfError: 9, count: 250, promoters: 130, passives: 80, detractors: 42),
                .init(label: "lund", score: -8, marginOfError: 14, count: 140, promoters: 40, passives: 49, detractors: 51),
            ])
    }
}

@Suite("The dashboard page (pure renderer)")
struct DashboardPageTests {
    @Test func showsTheFiguresOfEverySection() throws {
        let html = DashboardPage.render(DashboardFixture.data())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // NPS per touchpoint and stage, with margins of error and counts.
        for figure in ["+42 ±8", "n = 220", "\u{2212}12 ±11", "n = 170", "+61 ±30", "n = 12 · too few", ">shop<", ">own<"] {
            #expect(html.contains(figure), "missing \(figure)")
        }
        // The overall tile, the trend, CSAT/CES, the fleet, the matrix.
        #expect(html.contains(">+23<"))
        #expect(html.contains("Jun \u{2019}26") && html.contains("Nov \u{2019}26"))
        #expect(html.contains("78% · n 220"))
        #expect(html.contains("71% · mean 3.9/5 · n 170"))
        #expect(html.contains("82% · mean 5.6/7 · n 25 · too few"))
        #expect(html.contains("6 missing: 1200–1205"))
        #expect(html.contains("5 min ago") && html.contains("3 days ago") && html.contains(">stale<"))
        #expect(html.contains("Acme Fleet") && html.contains("Berg &amp; Son"))
        #expect(html.contains("MRR (log scale)"))
        #expect(html.contains("Not plotted: 1 account without MRR or ARR."))
        #expect(html.contains("Snabb och trevlig service"))
        // Charts are inline SVG; nothing is loaded from elsewhere and nothing runs.
        #expect(html.components(separatedBy: "<svg ").count - 1 == 5)
        // NPS by site beside NPS by touchpoint.
        let sites = try #require(html.range(of: "id=\"nps-site\"")).lowerBound
        #expect(try #require(html.range(of: "id=\"nps\"")).lowerBound < sites)
        #expect(html[sites...].contains("NPS per site with 95% error bars") && html[sites...].contains(">lund<"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || !html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"))
        #expect(!html.contains("https://"))
        // The fleet says which survey set each kiosk runs and whether it is the one assigned now.
        #expect(html.contains("retail-visit v2 (aaaabbbb, current)"))
        #expect(html.contains("local surveys/, not current: expected 12345678 (service-visit v1); configuration problem: &lt;not sealed&gt;"))
    }

    @Test func aFullPageOfCommentsLinksToTheOlderOnesKeepingTheRange() throws {
        var data = DashboardFixture.data()
        let comment = try #require(data.comments.first)
        data.comments = (0..<DashboardPage.commentPageSize).map { index in
            var copy = comment
            copy.responseID = String(format: "019a0000-0000-7000-8000-%012d", 99 - index)
            return copy
        }
        data.from = Date(timeIntervalSince1970: 1_790_000_000)
        let html = DashboardPage.render(data)
        #expect(html.contains("id=\"older-comments\" href=\"/?from=\(Timestamp.string(Date(timeIntervalSince1970: 1_790_000_000)))&amp;comments_before=019a0000-0000-7000-8000-000000000088\""))
        #expect(!html.contains("Newest comments"))
        data.comments.removeLast()
        #expect(!DashboardPage.render(data).contains("older-comments"))
    }

    @Test func escapesCustomerText() {
        let html = DashboardPage.render(DashboardFixture.data())
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("alert('x')"))
    }

    @Test func emptyDashboardSaysSoInEverySection() {
        let html = DashboardPage.render(DashboardData(generatedAt: DashboardFixture.now))
        for message in ["No responses yet", "No CSAT or CES answers yet", "No accounts yet", "No comments yet", "No kiosks enrolled yet"] {
            #expect(html.contains(message), "missing \(message)")
        }
        #expect(!html.contains("<svg "))
        #expect(html.contains("all responses"))
    }

    @Test func unavailableSectionsShowWhy() {
        var data = DashboardFixture.data()
        data.unavailable[.reports] = "the report tables are missing"
        let html = DashboardPage.render(data)
        #expect(html.contains("Reports are unavailable: the report tables are missing"))
        #expect(!html.contains("+42 ±8"))
        #expect(html.contains("Acme Fleet"))
    }

    @Test func singleMonthAndLinearRevenueStillDraw() {
        var data = DashboardFixture.data()
        data.npsByMonth = [.init(label: "2026-11", score: -40, marginOfError: nil, count: 3, tooSmall: true)]
        data.accounts = [
            .init(id: "a", name: "Alpha", health: 90, mrr: 1_000, zone: .green),
            .init(id: "b", name: "Beta", health: 10, mrr: 2_000, zone: .red),
        ]
        data.zoneThresholds = nil
        let html = DashboardPage.render(data)
        #expect(html.contains("\u{2212}40"))
        #expect(html.contains(">MRR →<"))
        #expect(html.contains("Alpha") && html.contains("Beta"))
        #expect(!html.contains("nan") && !html.contains("inf"))
    }

    @Test func longNamesAreClippedInChartsButWholeInTooltips() {
        var data = DashboardFixture.data()
        let name = "after-sales-bodyshop-and-paint"
        data.npsByTouchpoint[0].label = name
        data.scores[0].touchpoint = name
        let html = DashboardPage.render(data)
        #expect(html.contains(">after-sales-bodysh…</text>"))  // NPS chart: 19 characters
        #expect(html.contains(">after-sales-b…</text>"))  // CSAT/CES chart: 14 characters
        #expect(html.contains("<title>\(name) (shop): NPS +42"))
        #expect(html.contains("<title>\(name)</title>"))
    }

    @Test func rangeIsShown() {
        var data = DashboardData(generatedAt: DashboardFixture.now)
        data.from = Timestamp.date("2026-10-01T00:00:00Z")
        data.to = Timestamp.date("2026-11-01T00:00:00Z")
        let html = DashboardPage.render(data)
        #expect(html.contains("responses from 2026-10-01 to before 2026-11-01"))
        #expect(html.contains("name=\"from\" value=\"2026-10-01\""))
        #expect(html.contains("name=\"to\" value=\"2026-10-31\""))
    }

    /// Writes the fixture page to `$TOUCHPOINT_DASHBOARD_PREVIEW` when set, to look at it in a browser.
    @Test func writesPreviewWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["TOUCHPOINT_DASHBOARD_PREVIEW"] else { return }
        try DashboardPage.render(DashboardFixture.data()).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(FileManager.default.fileExists(atPath: path))
    }
}

@Suite("The dashboard's filters and period changes")
struct DashboardFilterPageTests {
    @Test func theFiltersShowInTheHeaderTheFormAndEveryLink() throws {
        var data = DashboardFixture.data()
        let from = try #require(Timestamp.date("2026-09-01T00:00:00Z"))
        data.filter = DashboardFilter(from: from, site: "malmo", touchpoint: "service", stage: .own, search: "slow")
        data.filterOptions = [.site: ["lund", "malmo"], .touchpoint: ["retail", "service"], .stage: ["own", "shop"]]
        let comment = try #require(data.comments.first)
        data.comments = (0..<DashboardPage.commentPageSize).map { index in
            var copy = comment
            copy.responseID = String(format: "019a0000-0000-7000-8000-%012d", 99 - index)
            return copy
        }
        let html = DashboardPage.render(data)
        #expect(html.contains("responses since 2026-09-01 · site malmo · touchpoint service · stage own"))
        #expect(html.contains("<option selected>malmo</option>") && html.contains("<option>lund</option>"))
        #expect(html.contains("<option selected>service</option>") && html.contains("<option selected>own</option>"))
        #expect(html.contains("<input type=\"hidden\" name=\"q\" value=\"slow\">"))
        // Paging keeps the range, the filters and the search; the range links keep the filters.
        #expect(html.contains("href=\"/?from=2026-09-01T00:00:00.000Z&amp;site=malmo&amp;touchpoint=service&amp;stage=own&amp;q=slow&amp;comments_before=019a0000-0000-7000-8000-000000000088\""), "\(html)")
        #expect(html.contains("href=\"/?range=all&amp;site=malmo&amp;touchpoint=service&amp;stage=own&amp;q=slow\">All time</a>"))
        #expect(html.contains("href=\"/?site=malmo&amp;touchpoint=service&amp;stage=own&amp;q=slow\">Last 90 days</a>"))
        // The comment search carries the view along and can be cleared.
        #expect(html.contains("Comments containing “slow”"))
        #expect(html.contains("<input type=\"hidden\" name=\"site\" value=\"malmo\"><input type=\"hidden\" name=\"touchpoint\" value=\"service\">"))
        #expect(html.contains("name=\"q\" type=\"search\" placeholder=\"words in comments\" value=\"slow\">"))
        #expect(html.contains("href=\"/?from=2026-09-01T00:00:00.000Z&amp;site=malmo&amp;touchpoint=service&amp;stage=own\">Clear</a>"))
    }

    @Test func changesAgainstThePreviousPeriodAreMarkedOnlyBeyondTheirMargin() throws {
        var data = DashboardFixture.data()
        let from = try #require(Timestamp.date("2026-10-01T00:00:00Z"))
        data.filter = DashboardFilter(from: from)
        data.previousPeriod = (from.addingTimeInterval(-30 * 86_400), from)
        // Overall 23.4 ±6.1 now; before 10 ±5: +13.4 against √(6.1² + 5²) = 7.9: marked.
        data.previousOverall = .init(label: "", score: 10, marginOfError: 5, count: 300)
        let now = try #require(data.npsByTouchpoint.first)
        // The first touchpoint before: 3 points lower with wide margins: within the margin, grey.
        data.previousByTouchpoint[now.label + "/" + (now.stage?.rawValue ?? "")] = .init(
            label: now.label, score: (now.score ?? 0) - 3, marginOfError: 20, count: 40)
        let html = DashboardPage.render(data)
        #expect(html.contains("<span class=\"up\" id=\"overall-nps-change\">▲ +13 (±8)</span> vs the previous period"), "\(html)")
        #expect(html.contains("id=\"changes\""))
        #expect(html.contains("<td class=\"num up\">▲ +13 (±8)</td>"))
        #expect(html.contains("<td class=\"num muted\">▲ +3 (±"), "a change within its margin is grey")
        #expect(html.contains("within the margin)</td>"))
        // No previous figure: no change shown.
        #expect(html.contains("<td class=\"num muted\">–</td>"))
        // Without a start there is no previous period, and no card.
        #expect(!DashboardPage.render(DashboardFixture.data()).contains("id=\"changes\""))
    }

    @Test func aChangeIsMarkedOnlyWhenLargerThanTheMarginOfTheDifference() throws {
        let before = DashboardData.NPSFigure(label: "", score: 20, marginOfError: 6, count: 100)
        let same = try #require(NPSChangeProbe.change(now: 30, margin: 8, before: before))
        #expect(same == (10, 10, false), "10 is not larger than √(8² + 6²) = 10")
        let more = try #require(NPSChangeProbe.change(now: 31, margin: 8, before: before))
        #expect(more == (11, 10, true))
        let fall = try #require(NPSChangeProbe.change(now: 5, margin: 8, before: before))
        #expect(fall == (-15, 10, true))
    }
}

/// Reads ``NPSChange`` through the page (it is internal to the server target): renders a tile and parses its text.
enum NPSChangeProbe {
    static func change(now: Double, margin: Double, before: DashboardData.NPSFigure) -> (Int, Int, Bool)? {
        var data = DashboardData(generatedAt: DashboardFixture.now)
        data.overall = .init(label: "", score: now, marginOfError: margin, count: 100)
        data.filter = DashboardFilter(from: DashboardFixture.now.addingTimeInterval(-86_400))
        data.previousPeriod = (DashboardFixture.now.addingTimeInterval(-2 * 86_400), DashboardFixture.now.addingTimeInterval(-86_400))
        data.previousOverall = before
        let html = DashboardPage.render(data)
        guard let start = html.range(of: "id=\"overall-nps-change\">")?.upperBound,
            let end = html[start...].range(of: "</span>")?.lowerBound
        else { return nil }
        let text = String(html[start..<end])  // ▲ +11 (±10) or ▲ +10 (±10, within the margin)
        let numbers = text.replacingOccurrences(of: "\u{2212}", with: "-").split(whereSeparator: { !"-0123456789".contains($0) })
            .compactMap { Int($0) }
        guard numbers.count >= 2 else { return nil }
        let significant = html.contains("<span class=\"up\" id=\"overall-nps-change\">") || html.contains("<span class=\"down\" id=\"overall-nps-change\">")
        return (numbers[0], numbers[1], significant)
    }
}
