import Foundation
import Hummingbird
import HummingbirdAuth
import HummingbirdBcrypt
import HTTPTypes
import Logging
import NIOPosix
import TouchpointCollector

/// `GET /login`, `POST /login` and `POST /logout`: dashboard sessions for users (bcrypt passwords).
///
/// A session is a cookie (HttpOnly, SameSite=Strict, Secure under TLS) naming a row of the database, so every
/// collector process knows it; it expires after ``CollectorConfiguration/sessionLifetime``. Every sign-in, failed
/// sign-in and sign-out goes to the audit log.
struct LoginController {
    let storage: any CollectorStorage
    let configuration: CollectorConfiguration
    let logger: Logger
    let now: @Sendable () -> Date

    /// The longest form body read (a name, a password and where to go).
    static let maxFormBytes = 16 * 1024

    /// A hash to verify against when the name is unknown, so a wrong name costs as long as a wrong password.
    private static let unknownUserHash = Bcrypt.hash("touchpoint: no such user", cost: Passwords.cost)

    func addRoutes(to router: Router<CollectorRequestContext>) {
        router.get("/login") { request, context in
            if context.identity?.kind == .user {
                return Self.redirect(to: Self.safeNext(request.uri.queryParameters.get("next")))
            }
            return DashboardController.html(.ok, LoginPage.form(message: nil, next: Self.safeNext(request.uri.queryParameters.get("next"))))
        }
        router.post("/login") { request, context in
            try await login(request, context: context)
        }
        router.post("/logout") { request, context in
            await logout(request, context: context)
        }
    }

    private struct LoginForm: Decodable {
        var name: String
        var password: String
        var next: String?
    }

    func login(_ request: Request, context: CollectorRequestContext) async throws -> Response {
        let form: LoginForm
        do {
            let body = try await request.body.collect(upTo: Self.maxFormBytes)
            form = try URLEncodedFormDecoder().decode(LoginForm.self, from: String(buffer: body))
        } catch {
            return DashboardController.html(.badRequest, LoginPage.form(message: "Give a name and a password.", next: "/"))
        }
        let next = Self.safeNext(form.next)
        let remote = context.remoteAddress
        let user = try await storage.user(named: form.name)
        let password = form.password
        let hash = user?.passwordHash ?? Self.unknownUserHash
        let matches = try await Passwords.verify(password, hash: hash)
        guard let user, matches else {
            logger.notice("sign-in refused", metadata: ["user": "\(form.name)"])
            try await storage.recordAudit(AuditEvent(
                at: now(), actor: "anonymous", action: "login-failed", target: form.name, remote: remote))
            return DashboardController.html(.unauthorized, LoginPage.form(message: "Wrong name or password.", next: next))
        }
        context.sessions.createSession(
            LoginSession(user: user.name, csrf: CollectorToken.generate()), expiresIn: configuration.sessionLifetime)
        try await storage.recordLogin(user: user.name, at: now())
        // Sessions that ran out are dropped now and then: at each sign-in.
        _ = try? await storage.removeExpiredSessions(now: now())
        try await storage.recordAudit(AuditEvent(at: now(), actor: "user:\(user.name)", action: "login", remote: remote))
        logger.info("signed in", metadata: ["user": "\(user.name)", "role": "\(user.role)"])
        return Self.redirect(to: next)
    }

    func logout(_ request: Request, context: CollectorRequestContext) async -> Response {
        if let session = context.sessions.session {
            context.sessions.clearSession()
            try? await storage.recordAudit(AuditEvent(
                at: now(), actor: "user:\(session.user)", action: "logout", remote: context.remoteAddress))
        }
        return Self.redirect(to: "/login")
    }

    /// 303 to `location`.
    static func redirect(to location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// 303 to the sign-in page, coming back to the page asked for.
    static func redirectToLogin(from request: Request) -> Response {
        let asked = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        let encoded = asked.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-._~"))) ?? "/"
        return redirect(to: "/login?next=" + encoded)
    }

    /// `next` if it is a path on this site (`/…`, not `//host`), else `/`: the sign-in never sends anyone elsewhere.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"),
            !next.contains(where: { $0.isNewline || $0 == "\0" })
        else { return "/" }
        return next
    }
}

/// Protection against cross-site requests that change state (every method but GET and HEAD):
///
/// - a browser's `Sec-Fetch-Site: cross-site`, or an `Origin` that is not this collector, is refused (403);
/// - a request carrying a dashboard session must also carry the session's anti-forgery token (`csrf` form field or
///   `X-CSRF-Token` header), except the sign-in form itself;
/// - kiosk uploads and API-token callers send no cookies, so they are not exposed and pass.
struct CrossSiteRequestMiddleware: RouterMiddleware {
    typealias Context = CollectorRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method != .get, request.method != .head, request.uri.path != "/v1/responses" else {
            return try await next(request, context)
        }
        if request.headers[Self.fetchSiteHeader] == "cross-site" || !Self.originMatches(request) {
            context.logger.notice("cross-site request refused", metadata: ["path": "\(request.uri.path)"])
            return AccessPolicyMiddleware.refusal(.forbidden, "cross_site", "cross-site requests are refused")
        }
        guard let session = context.sessions.session, request.uri.path != "/login" else {
            return try await next(request, context)
        }
        var request = request
        let presented: String?
        if let header = request.headers[Self.csrfHeader] {
            presented = header
        } else {
            let body = try await request.collectBody(upTo: LoginController.maxFormBytes)
            presented = try? URLEncodedFormDecoder().decode(AntiForgeryForm.self, from: String(buffer: body)).csrf
        }
        guard let presented, CollectorToken.matches(presented, hash: CollectorToken.hash(session.csrf)) else {
            context.logger.notice("request without the session's anti-forgery token refused", metadata: ["path": "\(request.uri.path)"])
            return AccessPolicyMiddleware.refusal(.forbidden, "csrf", "the form is missing its anti-forgery token; reload the page")
        }
        return try await next(request, context)
    }

    /// `X-CSRF-Token`.
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    /// `Sec-Fetch-Site`, which browsers send with every request.
    static let fetchSiteHeader = HTTPField.Name("Sec-Fetch-Site")!

    /// Whether `Origin`, if sent, names this collector (scheme aside, its host and port are the `Host` header's).
    static func originMatches(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin] else { return true }
        guard origin != "null", let url = URL(string: origin), let host = url.host else { return false }
        let authority = url.port.map { "\(host):\($0)" } ?? host
        guard let requestHost = request.head.authority else { return false }
        return authority.lowercased() == requestHost.lowercased()
    }
}

/// The anti-forgery field of a form that changes state.
private struct AntiForgeryForm: Decodable {
    var csrf: String?
}

/// Users' passwords: bcrypt (hummingbird-auth), run off the cooperative threads.
public enum Passwords {
    /// The bcrypt cost of new hashes (2^12 rounds, about a quarter of a second here).
    public static let cost: UInt8 = 12
    /// The shortest password `collector user add` accepts.
    public static let minimumLength = 10

    /// A bcrypt hash of `password`.
    public static func hash(_ password: String, cost: UInt8 = Passwords.cost) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`.
    public static func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
