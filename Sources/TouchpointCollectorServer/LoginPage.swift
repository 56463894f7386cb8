import Foundation
import TouchpointCollector

/// The sign-in page and the pages that refuse access, in the dashboard's style (no script).
enum LoginPage {
    /// The sign-in form; `message` says why it is shown again (a wrong password), `next` is where to go after.
    static func form(message: String?, next: String) -> String {
        var html = DashboardPage.head(title: "Touchpoint: sign in", refresh: false)
        html += "<body><header class=\"top\"><div><h1>Touchpoint</h1><p>Customer experience</p></div></header><main>"
        html += "<section class=\"card notice-card\"><h2>Sign in</h2>"
        if let message {
            html += "<p class=\"flag\" role=\"alert\">\(DashboardHTML.escape(message))</p>"
        }
        html += "<form method=\"post\" action=\"/login\">"
        html += "<input type=\"hidden\" name=\"next\" value=\"\(DashboardHTML.escape(next))\">"
        html += "<p><label>Name <input name=\"name\" autocomplete=\"username\" required autofocus></label></p>"
        html += "<p><label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label></p>"
        html += "<p><button type=\"submit\">Sign in</button></p></form></section>"
        return html + "</main></body></html>\n"
    }

    /// The page for a signed-in caller whose role does not reach a route.
    static func forbidden(caller: Caller, needed: Role) -> String {
        var html = DashboardPage.head(title: "Touchpoint: not allowed", refresh: false)
        html += "<body><header class=\"top\"><div><h1>Touchpoint</h1><p>Customer experience</p></div></header><main>"
        html += "<section class=\"card notice-card\"><h2>Not allowed</h2>"
        html += "<p>This page needs the \(needed.rawValue) role; \(DashboardHTML.escape(caller.name)) is \(caller.role.rawValue).</p>"
        html += "<p><a href=\"/\">Back to the dashboard</a></p></section>"
        return html + "</main></body></html>\n"
    }

    /// The sign-out button (a form carrying the session's anti-forgery token), for the dashboard's header.
    static func signOut(user: String, role: Role, csrf: String) -> String {
        "<form class=\"signout\" method=\"post\" action=\"/logout\"><span>\(DashboardHTML.escape(user)) · \(role.rawValue)</span> "
            + "<input type=\"hidden\" name=\"csrf\" value=\"\(DashboardHTML.escape(csrf))\">"
            + "<button type=\"submit\">Sign out</button></form>"
    }
}
