import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import TouchpointCollector

/// The one place that decides who may call what: each route's requirement, enforced by ``AccessPolicyMiddleware``.
///
/// Anything not listed needs `admin` (deny by default), so a route added without thought is closed.
public enum AccessPolicy {
    /// What a route requires.
    public enum Requirement: Sendable, Hashable {
        /// Anyone: health probes and the login page.
        case open
        /// A kiosk's upload token, checked by the route (``KioskAuthentication``) against the kiosk's enrolment.
        case kiosk
        /// A signed-in user or API token with at least this role.
        case role(Role)
    }

    /// The requirement of `method path`.
    public static func requirement(method: HTTPRequest.Method, path: String) -> Requirement {
        // A path that is not in plain form (dot segments, empty segments, escapes) never matches a lighter rule.
        if path.contains("/.") || path.contains("//") || path.contains("%") || path.contains("\\") {
            return .role(.admin)
        }
        switch (method, path) {
        case (.get, "/healthz"), (.head, "/healthz"), (.get, "/livez"), (.head, "/livez"),
             (.get, "/login"), (.post, "/login"):
            return .open
        case (.post, "/v1/responses"), (.get, "/v1/kiosk/config"), (.head, "/v1/kiosk/config"):
            return .kiosk
        case (.post, "/logout"), (.get, "/"), (.head, "/"):
            return .role(.viewer)
        case (.get, _) where path.hasPrefix("/v1/reports/"):
            return .role(.viewer)
        case (.get, "/v1/comments"), (.get, "/v1/export.csv"), (.get, "/cases"):
            return .role(.analyst)
        case (.get, _) where path.hasPrefix("/cases/"), (.post, _) where path.hasPrefix("/cases/"):
            // Follow-up cases: a customer's comments and what was done about them.
            return .role(.analyst)
        default:
            // /v1/kiosks, /v1/feed/status and anything not named above.
            return .role(.admin)
        }
    }
}

/// Enforces ``AccessPolicy``: no caller → 401 (JSON routes) or the login page (HTML); too small a role → 403.
struct AccessPolicyMiddleware: RouterMiddleware {
    typealias Context = CollectorRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        switch AccessPolicy.requirement(method: request.method, path: request.uri.path) {
        case .open, .kiosk:
            return try await next(request, context)
        case .role(let needed):
            guard let caller = context.identity else {
                if Self.wantsHTML(request) {
                    return LoginController.redirectToLogin(from: request)
                }
                return Self.refusal(.unauthorized, "unauthorized", "sign in, or send an API token as Authorization: Bearer",
                                    challenge: true)
            }
            guard try await RolePolicy<Caller>(needed).isAuthorized(identity: caller, request: request) else {
                context.logger.notice(
                    "access refused: role too small",
                    metadata: ["caller": "\(caller.auditName)", "role": "\(caller.role)", "needed": "\(needed)",
                               "path": "\(request.uri.path)"])
                if Self.wantsHTML(request) {
                    return DashboardController.html(.forbidden, LoginPage.forbidden(caller: caller, needed: needed))
                }
                return Self.refusal(.forbidden, "forbidden", "this needs the \(needed) role; \(caller.auditName) has \(caller.role)")
            }
            return try await next(request, context)
        }
    }

    /// Whether the caller is a browser asking for a page (the dashboard, or an `Accept: text/html` request).
    static func wantsHTML(_ request: Request) -> Bool {
        request.uri.path == "/" || request.uri.path == "/logout" || request.uri.path == "/cases"
            || request.uri.path.hasPrefix("/cases/")
            || (request.headers[.accept]?.contains("text/html") ?? false)
    }

    /// A JSON error response in the upload protocol's shape.
    static func refusal(_ status: HTTPResponse.Status, _ code: String, _ message: String, challenge: Bool = false) -> Response {
        var response = UploadController.error(status, code, message)
        if challenge {
            response.headers[.wwwAuthenticate] = "Bearer realm=\"touchpoint\""
        }
        return response
    }
}
