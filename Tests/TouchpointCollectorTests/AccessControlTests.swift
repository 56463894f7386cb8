import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import Testing
import TouchpointCollector
import TouchpointCollectorServer
import TouchpointJOSE

/// Who may call what: every route with no credentials and with each role, sign-in and sessions, cross-site requests,
/// API token revocation and the audit log; on both storages.
@Suite("Access control: roles, sessions, tokens, audit")
struct AccessControlTests {
    /// A clock the test moves (sessions expire by it), starting on the day the fixture is read
    /// (``DashboardBrowserFixture/now``), so the dashboard's default range holds it whenever the tests run.
    final class TestClock: Sendable {
        private let box = NIOLockedValueBox(DashboardBrowserFixture.now)
        var now: Date { box.withLockedValue { $0 } }
        func advance(_ seconds: TimeInterval) { box.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
    }

    struct Callers {
        var viewer: String, analyst: String, admin: String
    }

    /// The password of the test user `ana` (an analyst).
    static let password = "correct horse battery"

    /// Runs `body` against the router over a database with the dashboard fixture, an API token per role and the
    /// user `ana`.
    func withCollector(
        _ backend: StorageBackend = .sqlite, configuration: CollectorConfiguration = CollectorConfiguration(minimumGroupSize: 5),
        _ body: @escaping @Sendable (any TestClientProtocol, any TestStorage, Callers, TestClock) async throws -> Void
    ) async throws {
        try await withStorage(backend) { storage, _ in
            let key = KioskKey.generate()
            try await FeedFixtures.enroll(storage, key: key)
            try await FeedFixtures.ingest(DashboardBrowserFixture.responses(), into: storage, key: key)
            let callers = Callers(
                viewer: try await TestAccess.token(in: storage, role: .viewer),
                analyst: try await TestAccess.token(in: storage, role: .analyst),
                admin: try await TestAccess.token(in: storage, role: .admin))
            try await storage.addUser(UserRecord(
                name: "ana", passwordHash: try await Passwords.hash(Self.password, cost: 4), role: .analyst, createdAt: Date()))
            let clock = TestClock()
            let app = buildApplication(
                configuration: configuration, storage: storage, surveys: try Fixtures.catalog(), logger: quietLogger,
                now: { clock.now })
            try await app.test(.router) { client in
                try await body(client, storage, callers, clock)
            }
        }
    }

    func bearer(_ token: String?) -> HTTPFields {
        guard let token else { return [:] }
        return [.authorization: "Bearer \(token)"]
    }

    func text(_ response: TestResponse) -> String {
        String(decoding: response.body.readableBytesView, as: UTF8.self)
    }

    @Test("every route × no credentials, viewer, analyst, admin → 401/303, 403 or 200", arguments: StorageBackend.available)
    func routeByRoute(backend: StorageBackend) async throws {
        try await withCollector(backend) { client, _, callers, _ in
            // nil: open; otherwise the least role that may call it.
            let routes: [(String, Role?)] = [
                ("/healthz", nil), ("/livez", nil), ("/login", nil),
                ("/", .viewer), ("/v1/reports/nps", .viewer), ("/v1/reports/ces?by=site", .viewer), ("/v1/reports/csat", .viewer),
                ("/v1/reports/choice?by=site", .viewer), ("/cases", .analyst),
                ("/v1/comments", .analyst), ("/v1/export.csv", .analyst),
                ("/v1/kiosks", .admin), ("/v1/feed/status", .admin), ("/v1/alerts", .admin),
            ]
            let tokens: [(Role, String)] = [(.viewer, callers.viewer), (.analyst, callers.analyst), (.admin, callers.admin)]
            for (uri, needed) in routes {
                let anonymous = try await client.execute(uri: uri, method: .get)
                switch (needed, uri) {
                case (nil, _):
                    #expect(anonymous.status == .ok, "\(uri) without credentials")
                case (_, "/"), (_, "/cases"):
                    // Pages: the browser is sent to sign in and back.
                    #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/login?next=" + uri, "\(uri)")
                default:
                    #expect(anonymous.status == .unauthorized, "\(uri) without credentials")
                    #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(uri)")
                    #expect(!text(anonymous).contains("acme") && !text(anonymous).contains("Great coffee"), "\(uri) leaks data")
                }
                for (role, token) in tokens {
                    let answer = try await client.execute(uri: uri, method: .get, headers: bearer(token))
                    let allowed = needed.map { role >= $0 } ?? true
                    #expect(answer.status == (allowed ? .ok : .forbidden), "\(uri) as \(role)")
                }
            }
            // A route nobody named is closed by default: 401 without credentials, 403 below admin, 404 for an admin.
            #expect(try await client.execute(uri: "/v1/nothing-here", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/v1/nothing-here", method: .get, headers: bearer(callers.analyst)).status == .forbidden)
            #expect(try await client.execute(uri: "/v1/nothing-here", method: .get, headers: bearer(callers.admin)).status == .notFound)
            // A path that is not in plain form gets no lighter rule than admin, whatever it resolves to.
            for tricky in ["/v1/reports/../kiosks", "/v1/reports/%2e%2e/kiosks", "/v1/reports//../../v1/kiosks", "/v1/reports/./nps"] {
                let answer = try await client.execute(uri: tricky, method: .get, headers: bearer(callers.viewer))
                #expect(answer.status == .forbidden, "\(tricky) as viewer: \(answer.status)")
            }
            // A token that is not one: 401.
            #expect(try await client.execute(uri: "/v1/reports/nps", method: .get, headers: bearer("not-a-token")).status == .unauthorized)
            // The kiosk routes take a kiosk's own token only: no API token opens them, not even an admin's.
            for token in [callers.viewer, callers.admin] {
                let config = try await client.execute(uri: "/v1/kiosk/config?kiosk=kiosk-1", method: .get, headers: bearer(token))
                #expect(config.status == .unauthorized, "\(config.status)")
            }
        }
    }

    @Test("the dashboard shows each role only its sections: no comments or accounts for a viewer, the fleet only to an admin")
    func dashboardByRole() async throws {
        try await withCollector { client, _, callers, _ in
            let viewer = text(try await client.execute(uri: "/", method: .get, headers: bearer(callers.viewer)))
            #expect(viewer.contains("id=\"overall-nps\""))
            #expect(!viewer.contains("Latest comments") && !viewer.contains("Great coffee"))
            #expect(!viewer.contains("Customer health matrix") && !viewer.contains("Kiosk fleet"))
            let analyst = text(try await client.execute(uri: "/", method: .get, headers: bearer(callers.analyst)))
            #expect(analyst.contains("Latest comments") && analyst.contains("Customer health matrix"))
            #expect(!analyst.contains("Kiosk fleet"))
            let admin = text(try await client.execute(uri: "/", method: .get, headers: bearer(callers.admin)))
            #expect(admin.contains("Latest comments") && admin.contains("Kiosk fleet"))
        }
    }

    /// `POST /login` as a browser sends it; returns the response.
    func signIn(_ client: any TestClientProtocol, name: String, password: String, next: String = "/",
                extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        headers[.contentType] = "application/x-www-form-urlencoded"
        let form = "name=\(name)&password=\(password.replacingOccurrences(of: " ", with: "+"))&next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        return try await client.execute(uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: form))
    }

    /// The `name=value` of the session cookie a response set.
    func sessionCookie(_ response: TestResponse) throws -> (pair: String, attributes: String) {
        let header = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("touchpoint_session=") })
        let pair = String(header.split(separator: ";")[0])
        return (pair, header)
    }

    /// The anti-forgery token in a page's sign-out form.
    func csrf(in page: String) throws -> String {
        let marker = "name=\"csrf\" value=\""
        let start = try #require(page.range(of: marker)).upperBound
        let end = try #require(page[start...].firstIndex(of: "\""))
        return String(page[start..<end])
    }

    @Test("sign in, the cookie's flags, the dashboard, sign out; wrong passwords and sign-ins are in the audit log",
          arguments: StorageBackend.available)
    func signInAndOut(backend: StorageBackend) async throws {
        try await withCollector(backend) { client, storage, _, _ in
            let wrong = try await signIn(client, name: "ana", password: "not the password")
            #expect(wrong.status == .unauthorized && text(wrong).contains("Wrong name or password"))
            #expect(wrong.headers[values: .setCookie].isEmpty)
            let nobody = try await signIn(client, name: "nobody", password: Self.password)
            #expect(nobody.status == .unauthorized)

            let login = try await signIn(client, name: "ana", password: Self.password, next: "/?from=2026-01-01")
            #expect(login.status == .seeOther && login.headers[.location] == "/?from=2026-01-01")
            let cookie = try sessionCookie(login)
            #expect(cookie.attributes.contains("HttpOnly") && cookie.attributes.contains("SameSite=Strict"), "\(cookie.attributes)")
            #expect(cookie.attributes.contains("Path=/") && !cookie.attributes.contains("Secure"), "\(cookie.attributes)")

            let page = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie.pair])
            #expect(page.status == .ok && text(page).contains("Sign out") && text(page).contains("Latest comments"))
            #expect(!text(page).contains("Kiosk fleet"), "an analyst sees no fleet")
            let kiosks = try await client.execute(uri: "/v1/kiosks", method: .get, headers: [.cookie: cookie.pair])
            #expect(kiosks.status == .forbidden)

            // Sign-out needs the page's anti-forgery token.
            let forged = try await client.execute(
                uri: "/logout", method: .post, headers: [.cookie: cookie.pair, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=guess"))
            #expect(forged.status == .forbidden)
            let token = try csrf(in: text(page))
            let logout = try await client.execute(
                uri: "/logout", method: .post, headers: [.cookie: cookie.pair, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(token)"))
            #expect(logout.status == .seeOther && logout.headers[.location] == "/login")
            let after = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie.pair])
            #expect(after.status == .seeOther, "the session outlived sign-out")

            let actions = try await storage.auditLog(since: nil, limit: 100).map { "\($0.actor) \($0.action) \($0.target ?? "")" }
            #expect(actions.contains("anonymous login-failed ana") && actions.contains("anonymous login-failed nobody"), "\(actions)")
            #expect(actions.contains("user:ana login ") && actions.contains("user:ana logout "), "\(actions)")
            let stored = try await storage.auditLog(since: nil, limit: 100)
            #expect(!stored.contains { "\($0)".contains(Self.password) || "\($0)".contains("not the password") })
        }
    }

    @Test("a session ends when it expires, and sign-in never sends the browser to another site")
    func sessionExpiryAndNext() async throws {
        var configuration = CollectorConfiguration(minimumGroupSize: 5)
        configuration.sessionLifetime = .seconds(600)
        try await withCollector(configuration: configuration) { client, _, _, clock in
            let login = try await signIn(client, name: "ana", password: Self.password, next: "//evil.example/")
            #expect(login.headers[.location] == "/")
            let cookie = try sessionCookie(login)
            #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie.pair]).status == .ok)
            clock.advance(599)
            #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie.pair]).status == .ok)
            clock.advance(2)
            let expired = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie.pair])
            #expect(expired.status == .seeOther && expired.headers[.location] == "/login?next=/")
        }
    }

    @Test("cross-site POSTs are refused: another Origin, Sec-Fetch-Site cross-site")
    func crossSiteRequests() async throws {
        try await withCollector { client, _, _, _ in
            let foreign = try await signIn(client, name: "ana", password: Self.password, extra: [.origin: "https://evil.example"])
            #expect(foreign.status == .forbidden)
            let fetched = try await signIn(
                client, name: "ana", password: Self.password, extra: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(fetched.status == .forbidden)
            let login = try await signIn(client, name: "ana", password: Self.password)
            let cookie = try sessionCookie(login)
            let page = text(try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie.pair]))
            let logout = try await client.execute(
                uri: "/logout", method: .post,
                headers: [.cookie: cookie.pair, .origin: "https://evil.example", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(try csrf(in: page))"))
            #expect(logout.status == .forbidden)
        }
    }

    @Test("the session cookie is Secure when the collector sits behind TLS")
    func secureCookieBehindTLS() async throws {
        var configuration = CollectorConfiguration(minimumGroupSize: 5)
        configuration.allowPlainHTTP = true
        try await withCollector(configuration: configuration) { client, _, _, _ in
            let login = try await signIn(client, name: "ana", password: Self.password)
            #expect(try sessionCookie(login).attributes.contains("Secure"))
        }
    }

    @Test("a revoked API token is refused; reading comments and exporting are audited with counts, never content",
          arguments: StorageBackend.available)
    func tokenRevocationAndAudit(backend: StorageBackend) async throws {
        try await withCollector(backend) { client, storage, callers, _ in
            let comments = try await client.execute(uri: "/v1/comments?limit=3", method: .get, headers: bearer(callers.analyst))
            #expect(comments.status == .ok)
            #expect(try await client.execute(uri: "/v1/export.csv?site=malmo", method: .get, headers: bearer(callers.analyst)).status == .ok)
            let events = try await storage.auditLog(since: nil, limit: 10)
            let read = try #require(events.first { $0.action == "comments" })
            #expect(read.actor == "token:test-analyst" && read.count == 3 && read.target == "limit=3")
            #expect(events.contains { $0.action == "export" && $0.actor == "token:test-analyst" && $0.target == "site=malmo" })
            #expect(!events.contains { "\($0)".contains("Great coffee") })

            let tokens = try await storage.apiTokens()
            #expect(tokens.first { $0.name == "test-analyst" }?.lastUsedAt != nil)
            #expect(try await storage.revokeAPIToken(named: "test-analyst", at: Date()))
            #expect(try await client.execute(uri: "/v1/reports/nps", method: .get, headers: bearer(callers.analyst)).status == .unauthorized)
            #expect(try await client.execute(uri: "/v1/reports/nps", method: .get, headers: bearer(callers.viewer)).status == .ok)
        }
    }
}
