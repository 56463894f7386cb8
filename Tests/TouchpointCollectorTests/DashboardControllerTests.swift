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

@Suite("GET / (the dashboard route)")
struct DashboardControllerTests {
    /// Runs `body` against the router over `storage` (a fresh database with the browser fixture when nil).
    func withDashboard(
        storage custom: (any CollectorStorage)? = nil, configuration: CollectorConfiguration = CollectorConfiguration(minimumGroupSize: 5),
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        try await withStorage { sqlite, _ in
            let key = KioskKey.generate()
            try await FeedFixtures.enroll(sqlite, key: key)
            try await FeedFixtures.ingest(DashboardBrowserFixture.responses(), into: sqlite, key: key)
            let app = buildApplication(
                configuration: configuration, storage: custom ?? sqlite, surveys: try Fixtures.catalog(), logger: quietLogger,
                now: { DashboardBrowserFixture.now })
            let admin = try await TestAccess.token(in: sqlite)
            try await app.test(.router) { client in
                try await body(SignedInClient(client, token: admin))
            }
        }
    }

    func text(_ response: TestResponse) -> String {
        String(decoding: response.body.readableBytesView, as: UTF8.self)
    }

    @Test func servesTheDashboardAsHTML() async throws {
        try await withDashboard { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let page = text(response)
            #expect(page.hasPrefix("<!DOCTYPE html>"))
            let figures = ["+40 ±70", "\u{2212}25 ±81", ">+11<", "kiosk-1", "Great coffee and a calm showroom"]
            let missing = figures.filter { !page.contains($0) }
            #expect(missing.isEmpty, "missing \(missing)")
        }
    }

    @Test func aRangeLimitsTheScoresAndComments() async throws {
        try await withDashboard { client in
            // November only: retail 3; service 6, 7 → 0 promoters, 2 detractors of 3: NPS −67.
            let november = try await client.execute(uri: "/?from=2026-11-01&to=2026-11-30", method: .get)
            #expect(november.status == .ok)
            let page = text(november)
            #expect(page.contains("responses from 2026-11-01 to before 2026-12-01"))
            #expect(page.contains(">\u{2212}67<"))
            #expect(page.contains("Bilen var inte klar i tid"))
            #expect(!page.contains("Great coffee"))
            #expect(!page.contains("+40 ±70"))

            let later = try await client.execute(uri: "/?from=2027-01-01", method: .get)
            #expect(later.status == .ok)
            let empty = text(later)
            #expect(empty.contains("No responses yet") && empty.contains("No comments yet"))
            #expect(empty.contains("kiosk-1"))  // the fleet is not limited by the range
        }
    }

    @Test func commentsPageBackByResponseIDWithinTheRange() async throws {
        try await withDashboard { client in
            // Older than the highest possible id: every comment, and a way back to the newest.
            let all = text(try await client.execute(uri: "/?comments_before=ffffffff-ffff-7fff-bfff-ffffffffffff", method: .get))
            #expect(all.contains("Great coffee") && all.contains("Bilen var inte klar i tid"))
            #expect(all.contains("<a href=\"/\">Newest comments</a>"))
            // Older than the lowest: none, within the range given (kept in the link back).
            let none = text(try await client.execute(
                uri: "/?from=2026-11-01&comments_before=00000000-0000-7000-8000-000000000000", method: .get))
            #expect(none.contains("No comments yet") && !none.contains("Great coffee"))
            #expect(none.contains("href=\"/?from=2026-11-01T00:00:00.000Z\">Newest comments</a>"))
            let bad = try await client.execute(uri: "/?comments_before=yesterday", method: .get)
            #expect(bad.status == .badRequest && text(bad).contains("comments_before: must be a response id"))
        }
    }

    @Test func theDefaultRangeIsTheLast90DaysAndFiltersNarrowEveryView() async throws {
        try await withDashboard { client in
            // The clock: 2026-11-12 (two days after the fixture's last answer): from 2026-08-15, today included.
            let page = text(try await client.execute(uri: "/", method: .get))
            #expect(page.contains("the last 90 days (since 2026-08-15)"), "\(page.prefix(3000))")
            #expect(page.contains("id=\"changes\"") && page.contains("against 2026-05-17 to before 2026-08-15"))
            let all = text(try await client.execute(uri: "/?range=all", method: .get))
            #expect(all.contains("Customer experience · all responses") && !all.contains("id=\"changes\""))
            #expect(all.contains(">+11<") && all.contains("Great coffee"))
            // The form offers the values there are answers for.
            #expect(all.contains("<option>retail</option>") && all.contains("<option>service</option>") && all.contains("<option>malmo</option>"))
            // One touchpoint: its NPS, its comments, its cases; the links keep it.
            let service = text(try await client.execute(uri: "/?range=all&touchpoint=service", method: .get))
            #expect(service.contains("Customer experience · all responses · touchpoint service"))
            #expect(service.contains(">\u{2212}25<") && service.contains("Bilen var inte klar i tid") && !service.contains("Great coffee"))
            #expect(service.contains("<td>All</td><td class=\"num\">2</td>"), "the service detractors' cases only")
            #expect(service.contains("href=\"/?touchpoint=service\">Last 90 days</a>"))
            // A site with no answers: empty views, and no kiosks of other sites in the fleet.
            let lund = text(try await client.execute(uri: "/?range=all&site=lund", method: .get))
            #expect(lund.contains("No responses yet") && lund.contains("No comments yet") && !lund.contains(">kiosk-1<"))
            // Searching the comments, in any case, within the filters.
            let search = text(try await client.execute(uri: "/?range=all&q=KLAR", method: .get))
            #expect(search.contains("Bilen var inte klar i tid") && !search.contains("Great coffee") && !search.contains("Too slow"))
            let stage = text(try await client.execute(uri: "/?range=all&stage=shop", method: .get))
            #expect(stage.contains("Great coffee") && !stage.contains("Bilen var inte klar i tid"))
            for (uri, expected) in [
                ("/?range=sometimes", "range: must be all"), ("/?range=all&from=2026-01-01", "range: all goes without from and to"),
                ("/?stage=buy", "stage: must be shop or own"),
            ] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .badRequest && text(response).contains(expected), "\(uri)")
            }
        }
    }

    @Test func badParametersAre400WithAPage() async throws {
        try await withDashboard { client in
            for (uri, expected) in [
                ("/?from=yesterday", "from: must be a day"), ("/?to=2026-13-40", "to: must be a day"),
                ("/?colour=red", "colour: unknown parameter"), ("/?from=2026-11-02&to=2026-11-01", "from: must be before to"),
            ] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let page = text(response)
                #expect(page.contains(expected) && page.contains("That range cannot be shown"), "\(uri): \(page.suffix(400))")
                #expect(!page.contains("http-equiv=\"refresh\""))
            }
        }
    }

    @Test func storageFailureIs503WithAPage() async throws {
        try await withDashboard(storage: FailingStorage(code: .unavailable)) { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "5")
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let page = text(response)
            #expect(page.contains("The dashboard is unavailable") && page.contains("http-equiv=\"refresh\""))
            #expect(!page.contains("the database is not there"))  // the cause is logged, not shown
        }
    }

    @Test func aBrokenHealthModelOnlyHidesTheMatrix() async throws {
        try await withTemporaryDirectory { directory in
            let model = directory.appendingPathComponent("health.yaml")
            try "weights: [not, a, model\n".write(to: model, atomically: true, encoding: .utf8)
            var configuration = CollectorConfiguration(minimumGroupSize: 5)
            configuration.healthModelPath = model.path
            try await withDashboard(configuration: configuration) { client in
                let response = try await client.execute(uri: "/", method: .get)
                #expect(response.status == .ok)
                let page = text(response)
                #expect(page.contains("Account health is unavailable"))
                #expect(page.contains("+40 ±70"))
            }
        }
    }
}
