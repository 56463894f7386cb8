import Foundation
import TouchpointCore
import TouchpointCollector

/// Renders the follow-up case pages: the list (`/cases`) and one case (`/cases/<id>`) with its forms.
///
/// Pure, like ``DashboardPage``: plain HTML forms (no script) that post back to `/cases/<id>`, each carrying the
/// session's anti-forgery token. Every text from storage (comments, notes) is HTML-escaped.
public enum CasePage {
    /// The filters of the list page, as its query parameters hold them.
    public struct Filter: Sendable, Hashable {
        /// `open` (open and contacted, the default), `overdue`, `closed` or `all`.
        public var show: String = "open"
        /// Only this site.
        public var site: String?
        /// Only this owner (`-`: nobody).
        public var owner: String?

        /// The views of the list, in the order the form offers them.
        public static let views = ["open", "overdue", "closed", "all"]

        /// Creates a filter.
        public init(show: String = "open", site: String? = nil, owner: String? = nil) {
            self.show = show
            self.site = site
            self.owner = owner
        }

        /// The storage query of this filter at `date`.
        public func query(at date: Date) -> CaseQuery {
            var query = CaseQuery(site: site, owner: owner.map { $0 == "-" ? "" : $0 }, limit: CasePage.listLimit)
            switch show {
            case "overdue": query.overdueAt = date
            case "closed": query.statuses = [.resolved, .noAction]
            case "all": break
            default: query.statuses = [.open, .contacted]
            }
            return query
        }

        /// `/cases?…` for this filter.
        public var link: String {
            var items: [(String, String)] = []
            if show != "open" { items.append(("show", show)) }
            if let site { items.append(("site", site)) }
            if let owner { items.append(("owner", owner)) }
            return QueryLink.make("/cases", items)
        }
    }

    /// The most cases the list shows.
    public static let listLimit = 500

    /// The list page: the filter form, the site's closed-loop figures and the cases.
    public static func list(
        _ cases: [FollowUpCase], filter: Filter, figures: CaseReport, sites: [String], signedIn: DashboardData.SignedIn?,
        at date: Date
    ) -> String {
        var html = DashboardPage.head(title: "Follow-up cases", refresh: false)
        html += header("Follow-up cases", signedIn: signedIn)
        html += "<main><section class=\"card\" id=\"case-filter\"><form class=\"filters\" method=\"get\" action=\"/cases\">"
        html += "<label>Show <select name=\"show\">"
        for view in Filter.views {
            html += "<option value=\"\(view)\"\(view == filter.show ? " selected" : "")>\(view)</option>"
        }
        html += "</select></label><label>Site <select name=\"site\"><option value=\"\">all sites</option>"
        for site in sites {
            html += "<option value=\"\(escape(site))\"\(site == filter.site ? " selected" : "")>\(escape(site))</option>"
        }
        html += "</select></label><label>Owner <input name=\"owner\" value=\"\(escape(filter.owner ?? ""))\" placeholder=\"anyone (- for nobody)\"></label>"
        html += "<button type=\"submit\">Show</button> <a href=\"/cases\">Reset</a> · <a href=\"/\">Dashboard</a></form></section>"
        html += figuresCard(figures, title: filter.site.map { "Closed loop at \($0)" } ?? "Closed loop by site", link: false)
        html += "<section class=\"card\" id=\"case-list\"><h2>\(cases.count) case\(cases.count == 1 ? "" : "s")"
        html += cases.count >= listLimit ? " (the newest \(listLimit))" : ""
        html += "</h2>"
        if cases.isEmpty {
            html += "<div class=\"empty\"><p class=\"empty-title\">No cases</p><p>Nothing matches these filters.</p></div>"
        } else {
            html += "<table class=\"fleet\"><thead><tr><th>Opened</th><th>Site</th><th>Touchpoint</th><th>Trigger</th>"
            html += "<th>Owner</th><th>Due</th><th>Status</th></tr></thead><tbody>"
            for followUp in cases {
                html += "<tr><td><a href=\"/cases/\(escape(followUp.id))\">\(escape(DashboardHTML.time(followUp.openedAt)))</a></td>"
                html += "<td>\(escape(followUp.site))</td><td>\(escape(followUp.touchpoint)) (\(followUp.stage.rawValue))</td>"
                html += "<td>\(escape(followUp.trigger))</td><td>\(escape(followUp.owner ?? "–"))</td>"
                html += "<td\(followUp.isOverdue(at: date) ? " class=\"bad-text\"" : "")>\(escape(DashboardHTML.time(followUp.dueAt)))"
                html += followUp.isOverdue(at: date) ? " · overdue" : ""
                html += "</td><td>\(pill(followUp.status))</td></tr>"
            }
            html += "</tbody></table>"
        }
        return html + "</section></main></body></html>\n"
    }

    /// One case: what the customer answered and said, where it stands, its history and the forms to move it on.
    public static func detail(_ followUp: FollowUpCase, signedIn: DashboardData.SignedIn?, message: String? = nil, at date: Date) -> String {
        var html = DashboardPage.head(title: "Case \(followUp.trigger) at \(followUp.site)", refresh: false)
        html += header("Follow-up case", signedIn: signedIn)
        html += "<main>"
        if let message {
            html += "<section class=\"card notice\" id=\"case-message\"><p>\(escape(message))</p></section>"
        }
        html += "<section class=\"card\" id=\"case\"><h2>\(escape(followUp.trigger)) · \(escape(followUp.site)) · "
        html += "\(escape(followUp.touchpoint)) (\(followUp.stage.rawValue)) \(pill(followUp.status, id: "case-status"))"
        html += followUp.isOverdue(at: date) ? " <span class=\"pill bad\">overdue</span>" : ""
        html += "</h2><table class=\"fleet case-facts\"><tbody>"
        var facts: [(String, String)] = [
            ("Case", followUp.id), ("Answered", DashboardHTML.time(followUp.completedAt)),
            ("Kiosk", followUp.kiosk), ("Survey", "\(followUp.surveyID) (\(followUp.language))"),
            ("Opened", DashboardHTML.time(followUp.openedAt)), ("Owner", followUp.owner ?? "nobody"),
            ("Due", DashboardHTML.time(followUp.dueAt)),
        ]
        if let account = followUp.account { facts.append(("Account", account)) }
        if let contact = followUp.firstContactAt { facts.append(("First contact", DashboardHTML.time(contact))) }
        if let closed = followUp.closedAt { facts.append(("Closed", DashboardHTML.time(closed))) }
        if let resolution = followUp.resolution { facts.append((followUp.status == .noAction ? "Reason" : "Resolution", resolution)) }
        if !followUp.scores.isEmpty {
            facts.append(("Scores", followUp.scores.map { "\($0.type.rawValue.uppercased()) \($0.value)" }.joined(separator: " · ")))
        }
        for (label, value) in facts {
            html += "<tr><th>\(escape(label))</th><td id=\"case-\(label.lowercased().replacingOccurrences(of: " ", with: "-"))\">\(escape(value))</td></tr>"
        }
        html += "</tbody></table>"
        if followUp.comments.isEmpty {
            html += "<p class=\"muted\">The customer left no comment.</p>"
        } else {
            html += "<ul class=\"comments case-comments\">"
            for comment in followUp.comments {
                html += "<li><div><p class=\"comment\">\(escape(comment.text))</p><p class=\"meta\">\(escape(comment.question))</p></div></li>"
            }
            html += "</ul>"
        }
        html += "</section><section class=\"card\" id=\"case-actions\"><h2>Act on it</h2>"
        let csrf = signedIn.map { "<input type=\"hidden\" name=\"csrf\" value=\"\(escape($0.csrf))\">" } ?? ""
        func form(_ action: String, _ button: String, field: String?, placeholder: String = "", required: Bool = false) -> String {
            var form = "<form class=\"case-form\" method=\"post\" action=\"/cases/\(escape(followUp.id))\">\(csrf)"
            form += "<input type=\"hidden\" name=\"action\" value=\"\(action)\">"
            if let field {
                form += "<label>\(escape(field)) <textarea name=\"text\" rows=\"2\" placeholder=\"\(escape(placeholder))\"\(required ? " required" : "")></textarea></label>"
            }
            return form + "<button type=\"submit\" id=\"case-\(action)\">\(escape(button))</button></form>"
        }
        if followUp.status == .open {
            html += form("contacted", "Mark contacted", field: "What was said (optional)")
        }
        if !followUp.status.isClosed {
            html += form("resolve", "Resolve", field: "How it was resolved (optional)")
            html += form("no-action", "Close without action", field: "Why", placeholder: "no contact details, a test, …", required: true)
        }
        html += form("note", "Add note", field: "Note", required: true)
        html += "<form class=\"case-form\" method=\"post\" action=\"/cases/\(escape(followUp.id))\">\(csrf)"
        html += "<input type=\"hidden\" name=\"action\" value=\"assign\"><label>Owner <input name=\"text\" required value=\"\(escape(followUp.owner ?? ""))\"></label>"
        html += "<button type=\"submit\" id=\"case-assign\">Assign</button></form></section>"
        html += "<section class=\"card\" id=\"case-history\"><h2>History</h2><ol class=\"history\">"
        for event in followUp.events {
            html += "<li><span class=\"muted\">\(escape(DashboardHTML.time(event.at)))</span> <b>\(escape(event.actor))</b> "
            html += "\(escape(event.action.rawValue))\(event.detail.map { ": " + escape($0) } ?? "")</li>"
        }
        html += "</ol><p><a href=\"\(escape(Filter(site: followUp.site).link))\">All open cases at \(escape(followUp.site))</a> · <a href=\"/cases\">All open cases</a></p></section>"
        return html + "</main></body></html>\n"
    }

    /// A page saying a case cannot be shown or changed, and why.
    public static func problem(_ title: String, _ message: String, back: String) -> String {
        var html = DashboardPage.head(title: "Follow-up case: \(title)", refresh: false)
        html += "<body><header class=\"top\"><div><h1>Touchpoint</h1><p>Follow-up cases</p></div></header><main>"
        html += "<section class=\"card notice-card\"><h2>\(escape(title))</h2><p>\(escape(message))</p>"
        html += "<p><a href=\"\(escape(back))\">Back</a></p></section>"
        return html + "</main></body></html>\n"
    }

    /// The closed-loop figures as a card: per group, opened, open, overdue, median time to first contact, within SLA.
    static func figuresCard(_ report: CaseReport, title: String, link: Bool) -> String {
        var html = "<section class=\"card\" id=\"case-figures\"><h2>\(escape(title))</h2>"
        html += "<p class=\"hint\">Cases opened in the range: still open and overdue now, median hours to the first contact, "
        html += "and the share closed by the due time (of those closed or past due).</p>"
        if report.total.cases == 0 {
            html += "<div class=\"empty\"><p class=\"empty-title\">No follow-up cases</p><p>Every NPS detractor opens one.</p></div>"
            return html + "</section>"
        }
        html += "<table class=\"fleet\"><thead><tr><th>\(report.groupedBy == .site ? "Site" : "Owner")</th><th class=\"num\">Cases</th>"
        html += "<th class=\"num\">Open</th><th class=\"num\">Overdue</th><th class=\"num\">Median h to contact</th>"
        html += "<th class=\"num\">Closed within SLA</th></tr></thead><tbody>"
        for row in report.rows + [report.total] {
            let isTotal = row.group.isEmpty
            let name = isTotal ? "All" : row.group
            let label = link && !isTotal && report.groupedBy == .site
                ? "<a href=\"\(escape(Filter(site: row.group).link))\">\(escape(name))</a>" : escape(name)
            html += "<tr\(isTotal ? " class=\"strong\"" : "") data-group=\"\(escape(row.group))\"><td>\(label)</td>"
            html += "<td class=\"num\">\(row.cases)</td><td class=\"num\">\(row.open)</td>"
            html += "<td class=\"num\(row.overdue > 0 ? " bad-text" : "")\">\(row.overdue)</td>"
            html += "<td class=\"num\">\(row.medianHoursToFirstContact.map(DashboardHTML.decimal) ?? "–")</td>"
            html += "<td class=\"num\">\(row.withinSLAShare.map { "\(Int($0.rounded()))% of \(row.slaKnown)" } ?? "–")</td></tr>"
        }
        html += "</tbody></table>"
        if link { html += "<p><a href=\"/cases\" id=\"open-cases\">Open cases →</a></p>" }
        return html + "</section>"
    }

    private static func header(_ title: String, signedIn: DashboardData.SignedIn?) -> String {
        var html = "<body><header class=\"top\"><div><h1>Touchpoint</h1><p>\(escape(title))</p></div>"
        if let signedIn {
            html += LoginPage.signOut(user: signedIn.user, role: signedIn.role, csrf: signedIn.csrf)
        }
        return html + "</header>"
    }

    private static func pill(_ status: CaseStatus, id: String? = nil) -> String {
        let tone = switch status {
        case .open: "bad"
        case .contacted: "warn"
        case .resolved, .noAction: "good"
        }
        return "<span class=\"pill \(tone)\"\(id.map { " id=\"\($0)\"" } ?? "")>\(status.rawValue)</span>"
    }

    private static func escape(_ text: String) -> String { DashboardHTML.escape(text) }
}
