import Foundation
import TouchpointCore
import TouchpointCollector

/// Renders the dashboard as one self-contained HTML page: inline CSS and SVG, no script, no external file.
///
/// Pure: the same ``DashboardData`` gives the same page. Every piece of text from the data (comments are
/// customer input) is HTML-escaped.
public enum DashboardPage {
    /// How often the page reloads itself (a `<meta http-equiv="refresh">`, so wall screens stay current).
    public static let refreshSeconds = 300

    /// A kiosk not seen for this long is shown as stale.
    public static let staleAfter: TimeInterval = 24 * 3600

    /// The dashboard page for `data`.
    public static func render(_ data: DashboardData) -> String {
        var html = head(title: "Touchpoint dashboard", refresh: true)
        html += "<body><header class=\"top\"><div><h1>Touchpoint</h1><p>Customer experience · \(escape(rangeText(data)))</p></div>"
        if let signedIn = data.signedIn {
            html += LoginPage.signOut(user: signedIn.user, role: signedIn.role, csrf: signedIn.csrf)
        }
        html += "</header>"
        html += form(data)
        html += "<main>"
        html += tiles(data)
        html += "<div class=\"grid\">"
        html += npsCard(data)
        html += siteCard(data)
        html += trendCard(data)
        html += scoresCard(data)
        html += changesCard(data)
        html += choicesCard(data)
        html += volumeCard(data)
        if let figures = data.caseFigures {
            html += CasePage.figuresCard(figures, title: "Follow-up: closed loop by site", link: !data.hidden.contains(.comments))
        }
        if !data.hidden.contains(.accounts) { html += healthCard(data) }
        if !data.hidden.contains(.comments) { html += commentsCard(data) }
        if !data.hidden.contains(.kiosks) { html += fleetCard(data) }
        html += "</div></main>"
        html += "<footer>Updated \(escape(DashboardHTML.time(data.generatedAt))) · reloads every \(refreshSeconds / 60) minutes"
        html += " · groups under \(data.minimumGroupSize) answers are flagged <span class=\"flag\">too few</span></footer>"
        return html + "</body></html>\n"
    }

    /// A small page saying the dashboard cannot be shown now, and why in one sentence; it reloads itself.
    public static func unavailable(_ message: String, generatedAt: Date) -> String {
        var html = head(title: "Touchpoint dashboard: unavailable", refresh: true)
        html += "<body><header class=\"top\"><div><h1>Touchpoint</h1><p>Customer experience</p></div></header><main>"
        html += "<section class=\"card notice-card\"><h2>The dashboard is unavailable</h2><p>\(escape(message))</p>"
        html += "<p class=\"muted\">\(escape(DashboardHTML.time(generatedAt))) · this page retries by itself.</p></section>"
        return html + "</main></body></html>\n"
    }

    /// A small page saying the address asks for something the dashboard cannot show, with a way back.
    public static func badRequest(_ message: String) -> String {
        var html = head(title: "Touchpoint dashboard: bad address", refresh: false)
        html += "<body><header class=\"top\"><div><h1>Touchpoint</h1><p>Customer experience</p></div></header><main>"
        html += "<section class=\"card notice-card\"><h2>That range cannot be shown</h2><p>\(escape(message))</p>"
        html += "<p><a href=\"/\">Show all responses</a></p></section>"
        return html + "</main></body></html>\n"
    }

    // MARK: - Sections

    private static func tiles(_ data: DashboardData) -> String {
        var html = "<section class=\"tiles\">"
        if let overall = data.overall, let score = overall.score {
            let colour = DashboardSVG.Colour.nps(score)
            let detail = "\(DashboardHTML.margin(overall.marginOfError)) · n = \(DashboardHTML.count(overall.count))"
            html += tile("NPS", value: DashboardHTML.nps(score), colour: colour, id: "overall-nps", detail: detail,
                         change: NPSChange(now: overall, before: data.previousOverall))
            html += tile("NPS answers",
                         value: "\(DashboardHTML.count(overall.promoters)) · \(DashboardHTML.count(overall.passives)) · \(DashboardHTML.count(overall.detractors))",
                         detail: "promoters · passives · detractors")
        } else {
            html += tile("NPS", value: "–", id: "overall-nps", detail: data.unavailable[.reports] == nil ? "no responses yet" : "reports unavailable")
        }
        let now = data.generatedAt
        let recent = data.kiosks.filter { kiosk in kiosk.lastSeenAt.map { now.timeIntervalSince($0) < staleAfter } ?? false }.count
        let gapped = data.kiosks.filter { !$0.gaps.isEmpty }.count
        html += tile("Kiosks", value: DashboardHTML.count(data.kiosks.count),
                     detail: "\(recent) seen in 24 h" + (gapped > 0 ? " · \(gapped) with gaps" : ""))
        let zones = HealthZone.allCases.map { zone in (zone, data.accounts.filter { $0.zone == zone }.count) }
        html += tile("Accounts", value: DashboardHTML.count(data.accounts.count),
                     detail: zones.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: " · "))
        return html + "</section>"
    }

    private static func npsCard(_ data: DashboardData) -> String {
        var html = card(id: "nps", title: "NPS by touchpoint and stage",
                        hint: "Bars from the zero line; whiskers: 95% margin of error. Dashed bars: fewer than \(data.minimumGroupSize) answers.")
        html += body(data, .reports, unavailable: "Reports are unavailable", isEmpty: data.npsByTouchpoint.isEmpty,
                     empty: ("No responses yet", "Scores appear here once kiosks sync their responses.")) {
            DashboardSVG.npsBars(data.npsByTouchpoint) { data.targets.touchpoints[$0.label] }
        }
        return html + "</section>"
    }

    private static func siteCard(_ data: DashboardData) -> String {
        var html = card(id: "nps-site", title: "NPS by site",
                        hint: "Beside the touchpoints: where the differences come from. Dashed bars: fewer than \(data.minimumGroupSize) answers.")
        html += body(data, .reports, unavailable: "Reports are unavailable", isEmpty: data.npsBySite.isEmpty,
                     empty: ("No responses yet", "Sites appear here once their kiosks sync.")) {
            DashboardSVG.npsBars(data.npsBySite, label: "NPS per site with 95% error bars") { data.targets.sites[$0.label] }
        }
        return html + "</section>"
    }

    private static func trendCard(_ data: DashboardData) -> String {
        var html = card(id: "trend", title: "NPS by month",
                        hint: "Shaded: 95% margin of error. Hollow dots: months with fewer than \(data.minimumGroupSize) answers.")
        html += body(data, .reports, unavailable: "Reports are unavailable", isEmpty: data.npsByMonth.allSatisfy { $0.score == nil },
                     empty: ("No responses yet", "The trend starts with the first month of answers.")) {
            DashboardSVG.trend(data.npsByMonth)
        }
        return html + "</section>"
    }

    private static func scoresCard(_ data: DashboardData) -> String {
        var html = card(id: "scores", title: "CSAT and CES by touchpoint", hint: nil)
        html += "<p class=\"legend\"><span class=\"key\" style=\"background:\(DashboardSVG.Colour.csat)\"></span>CSAT: % satisfied (4–5)"
        html += "<span class=\"key\" style=\"background:\(DashboardSVG.Colour.ces)\"></span>CES: % easy, and the mean answer / scale</p>"
        html += body(data, .reports, unavailable: "Reports are unavailable", isEmpty: data.scores.isEmpty,
                     empty: ("No CSAT or CES answers yet", "Touchpoints whose surveys ask them appear here.")) {
            DashboardSVG.scores(data.scores)
        }
        return html + "</section>"
    }

    private static func healthCard(_ data: DashboardData) -> String {
        var html = card(id: "health", title: "Customer health matrix",
                        hint: "Each dot is an account: health across, revenue up. Top left: high value at risk.")
        html += "<p class=\"legend\">"
        for zone in HealthZone.allCases {
            let count = data.accounts.filter { $0.zone == zone }.count
            html += "<span class=\"dot\" style=\"background:\(DashboardSVG.Colour.zone(zone))\"></span>\(zone.rawValue) \(count)"
        }
        html += "</p>"
        if let reason = data.unavailable[.accounts] {
            html += notice("Account health is unavailable: \(reason)")
        } else if data.accounts.isEmpty && data.unscoredAccounts == 0 {
            html += empty("No accounts yet", "Import them with touchpoint collector import-accounts FILE.csv.")
        } else {
            let withoutMRR = data.accounts.filter { $0.mrr == nil }.count
            if withoutMRR < data.accounts.count {
                html += DashboardSVG.healthMatrix(data.accounts, thresholds: data.zoneThresholds)
            }
            var missing: [String] = []
            if withoutMRR > 0 {
                missing.append("\(withoutMRR) account\(withoutMRR == 1 ? "" : "s") without MRR or ARR")
            }
            if data.unscoredAccounts > 0 {
                missing.append("\(data.unscoredAccounts) account\(data.unscoredAccounts == 1 ? "" : "s") without data to score")
            }
            if !missing.isEmpty {
                html += "<p class=\"muted\">Not plotted: \(missing.joined(separator: "; ")).</p>"
            }
        }
        return html + "</section>"
    }

    /// A card's body: a notice when its section's data could not be read, an empty state when there is nothing
    /// to show, else `content()`.
    private static func body(
        _ data: DashboardData, _ section: DashboardData.Section, unavailable: String, isEmpty: Bool,
        empty emptyState: (title: String, detail: String), content: () -> String
    ) -> String {
        if let reason = data.unavailable[section] {
            return notice("\(unavailable): \(reason)")
        }
        return isEmpty ? empty(emptyState.title, emptyState.detail) : content()
    }

    private static func commentsCard(_ data: DashboardData) -> String {
        var html = card(id: "comments", title: data.filter.search.map { "Comments containing “\($0)”" } ?? "Latest comments", hint: nil)
        // Search within the view: the other parameters ride along as hidden fields.
        html += "<form class=\"filters search\" id=\"comment-search\" method=\"get\" action=\"/\">"
        for (name, value) in data.filter.queryItems where name != "q" {
            html += "<input type=\"hidden\" name=\"\(escape(name))\" value=\"\(escape(value))\">"
        }
        html += "<input name=\"q\" type=\"search\" placeholder=\"words in comments\" value=\"\(escape(data.filter.search ?? ""))\">"
        html += "<button type=\"submit\">Search comments</button>"
        if data.filter.search != nil {
            html += " <a href=\"\(escape(data.filter.link("/", dropping: ["q"])))\">Clear</a>"
        }
        html += "</form>"
        if let reason = data.unavailable[.comments] {
            html += notice("Comments are unavailable: \(reason)")
        } else if data.comments.isEmpty {
            html += empty("No comments yet", "Free-text answers appear here as they arrive.")
        } else {
            html += "<ul class=\"comments\">"
            for comment in data.comments {
                let (badge, kind): (String, String) = switch comment.npsScore {
                case .some(let score) where score >= 9: (String(score), "promoter")
                case .some(let score) where score >= 7: (String(score), "passive")
                case .some(let score): (String(score), "detractor")
                case .none: ("–", "none")
                }
                html += "<li><span class=\"badge \(kind)\" title=\"NPS answer\">\(escape(badge))</span><div>"
                html += "<p class=\"comment\">\(escape(comment.text))</p><p class=\"meta\">"
                var meta = [comment.touchpoint, comment.stage.rawValue, comment.site, comment.kiosk, DashboardHTML.time(comment.completedAt)]
                if let account = comment.account { meta.append("account \(account)") }
                html += meta.map(escape).joined(separator: " · ")
                html += "</p></div></li>"
            }
            html += "</ul>"
        }
        if !data.maskedPersonalData.isEmpty {
            html += "<p class=\"muted\" id=\"masked\">Masked here: \(escape(PersonalData.describe(data.maskedPersonalData))). "
                + "Admins see them.</p>"
        }
        for (index, line) in data.notes.lines.enumerated() {
            html += "<p class=\"muted\" id=\"privacy-note-\(index + 1)\">\(escape(line))</p>"
        }
        // Paging, keeping the range: older comments after a full page, and back to the newest when paging.
        var links: [String] = []
        if data.commentsBefore != nil {
            links.append("<a href=\"\(escape(pageLink(data, commentsBefore: nil)))\">Newest comments</a>")
        }
        if data.comments.count >= commentPageSize, let last = data.comments.last {
            links.append("<a id=\"older-comments\" href=\"\(escape(pageLink(data, commentsBefore: last.responseID)))\">Older comments →</a>")
        }
        if !links.isEmpty { html += "<p class=\"pager\">" + links.joined(separator: " · ") + "</p>" }
        return html + "</section>"
    }

    /// Comments shown per page (the controller asks for this many).
    public static let commentPageSize = 12

    /// `/?…&comments_before=…` for this page's view (range, filters, search).
    static func pageLink(_ data: DashboardData, commentsBefore: String?) -> String {
        data.filter.link("/", extra: commentsBefore.map { [("comments_before", $0)] } ?? [])
    }

    /// When feedback comes in: responses per weekday and hour, in the configured time zone.
    private static func volumeCard(_ data: DashboardData) -> String {
        guard let volume = data.volume else { return "" }
        var html = card(id: "volume", title: "When feedback comes in",
                        hint: "Responses per weekday and hour (\(volume.timeZone.identifier)); darker: more. \(DashboardHTML.count(volume.total)) responses.")
        html += body(data, .reports, unavailable: "Reports are unavailable", isEmpty: volume.total == 0,
                     empty: ("No responses in this view", "The busy hours show once answers arrive.")) {
            DashboardSVG.heatmap(volume)
        }
        return html + "</section>"
    }

    /// Yes/no and choice questions: each option's share with n, per question.
    private static func choicesCard(_ data: DashboardData) -> String {
        guard let choices = data.choices else { return "" }
        var html = card(id: "choices", title: "Yes/no and choice questions",
                        hint: "Share of each option, most chosen first; pale bars: fewer than \(data.minimumGroupSize) answers.")
        html += body(data, .reports, unavailable: "Reports are unavailable", isEmpty: choices.rows.isEmpty,
                     empty: ("No yes/no or choice answers", "Questions of these types appear here once answered.")) {
            DashboardSVG.choices(choices.rows)
        }
        return html + "</section>"
    }

    /// What changed against the previous period of the same length: NPS overall, per site and per touchpoint, each
    /// change marked when it is larger than its margin of error.
    private static func changesCard(_ data: DashboardData) -> String {
        guard let previous = data.previousPeriod else { return "" }
        var html = card(id: "changes", title: "What changed",
                        hint: "NPS now against \(DashboardHTML.day(previous.from)) to before \(DashboardHTML.day(previous.to)), the period of "
                            + "the same length just before. ▲/▼ in colour: a change larger than its 95% margin of error "
                            + "(√(m₁² + m₂²)); grey: within it, so possibly noise.")
        var rows: [(String, DashboardData.NPSFigure, DashboardData.NPSFigure?)] = []
        if let overall = data.overall { rows.append(("All responses", overall, data.previousOverall)) }
        for site in data.npsBySite { rows.append(("Site " + site.label, site, data.previousBySite[site.label])) }
        for touchpoint in data.npsByTouchpoint {
            let stage = touchpoint.stage?.rawValue ?? ""
            rows.append(("\(touchpoint.label) (\(stage))", touchpoint, data.previousByTouchpoint[touchpoint.label + "/" + stage]))
        }
        if rows.isEmpty {
            return html + empty("No responses in this range", "Changes appear once there are answers in both periods.") + "</section>"
        }
        html += "<table class=\"fleet\"><thead><tr><th>Group</th><th class=\"num\">NPS now</th><th class=\"num\">n</th>"
        html += "<th class=\"num\">Before</th><th class=\"num\">n</th><th class=\"num\">Change</th></tr></thead><tbody>"
        for (label, now, before) in rows {
            let change = NPSChange(now: now, before: before)
            html += "<tr data-group=\"\(escape(label))\"><td class=\"strong\">\(escape(label))</td>"
            html += "<td class=\"num\">\(DashboardHTML.nps(now.score))</td><td class=\"num\">\(DashboardHTML.count(now.count))</td>"
            html += "<td class=\"num\">\(DashboardHTML.nps(before?.score))</td><td class=\"num\">\(before.map { DashboardHTML.count($0.count) } ?? "–")</td>"
            html += "<td class=\"num \(change?.significant == true ? (change?.isUp == true ? "up" : "down") : "muted")\">"
            html += "\(escape(change?.text ?? "–"))</td></tr>"
        }
        return html + "</tbody></table></section>"
    }

    private static func fleetCard(_ data: DashboardData) -> String {
        var html = card(id: "fleet", title: "Kiosk fleet",
                        hint: "Backlog: responses waiting on the kiosk at its last sync. Gaps: sequence numbers that never arrived. "
                            + "Surveys: the set the kiosk runs, and whether it is the one assigned to it now.")
        if let reason = data.unavailable[.kiosks] {
            html += notice("The fleet is unavailable: \(reason)")
        } else if data.kiosks.isEmpty {
            html += empty("No kiosks enrolled yet", "Enrol one with touchpoint collector enroll.")
        } else {
            html += "<table class=\"fleet\"><thead><tr><th>Kiosk</th><th>Site</th><th>Last seen</th><th class=\"num\">Responses</th>"
            html += "<th class=\"num\">Backlog</th><th class=\"num\">Rejected</th><th>Oldest pending</th><th>Sequence gaps</th><th>Surveys</th><th>Status</th></tr></thead><tbody>"
            let now = data.generatedAt
            for kiosk in data.kiosks {
                let status: (String, String)
                if kiosk.revokedAt != nil {
                    status = ("revoked", "bad")
                } else if let seen = kiosk.lastSeenAt, now.timeIntervalSince(seen) < staleAfter {
                    status = kiosk.gaps.isEmpty ? ("ok", "good") : ("gaps", "warn")
                } else {
                    status = (kiosk.lastSeenAt == nil ? "never seen" : "stale", "warn")
                }
                html += "<tr><td class=\"strong\">\(escape(kiosk.id))</td><td>\(escape(kiosk.site))</td>"
                if let seen = kiosk.lastSeenAt {
                    html += "<td title=\"\(escape(DashboardHTML.time(seen)))\">\(escape(DashboardHTML.ago(seen, now: now)))</td>"
                } else {
                    html += "<td class=\"muted\">never</td>"
                }
                html += "<td class=\"num\">\(DashboardHTML.count(kiosk.responseCount))</td>"
                if let health = kiosk.health {
                    html += "<td class=\"num\(health.pending > 0 ? " warn-text" : "")\">\(DashboardHTML.count(health.pending))</td>"
                    html += "<td class=\"num\(health.rejected > 0 ? " bad-text" : "")\">\(DashboardHTML.count(health.rejected))</td>"
                    html += "<td>\(escape(health.oldestPendingAt.flatMap(Timestamp.date).map { DashboardHTML.ago($0, now: now) } ?? "–"))</td>"
                } else {
                    html += "<td class=\"num muted\">–</td><td class=\"num muted\">–</td><td class=\"muted\">–</td>"
                }
                html += "<td\(kiosk.gaps.isEmpty ? "" : " class=\"bad-text\"")>\(escape(gapText(kiosk)))</td>"
                if let set = data.surveySets[kiosk.id] {
                    html += "<td class=\"surveys\(set.isCurrent && set.problem == nil ? "" : " warn-text")\" title=\"\(escape(set.summary))\">"
                        + "\(escape(set.summary))</td>"
                } else {
                    html += "<td class=\"muted\">not reported</td>"
                }
                html += "<td><span class=\"pill \(status.1)\">\(status.0)</span></td></tr>"
            }
            html += "</tbody></table>"
        }
        return html + "</section>"
    }

    // MARK: - Pieces

    private static func escape(_ text: String) -> String { DashboardHTML.escape(text) }

    private static func rangeText(_ data: DashboardData) -> String {
        let filter = data.filter
        var text: String
        switch (filter.from, filter.to) {
        case (nil, nil): text = "all responses"
        case (let from?, nil) where filter.isDefaultRange:
            text = "the last \(DashboardFilter.defaultDays) days (since \(DashboardHTML.day(from)))"
        case (let from?, nil): text = "responses since \(DashboardHTML.day(from))"
        case (nil, let to?): text = "responses before \(DashboardHTML.day(to))"
        case (let from?, let to?): text = "responses from \(DashboardHTML.day(from)) to before \(DashboardHTML.day(to))"
        }
        for (name, value) in [("site", filter.site), ("touchpoint", filter.touchpoint), ("stage", filter.stage?.rawValue),
                              ("survey", filter.survey), ("language", filter.language)] {
            if let value { text += " · \(name) \(value)" }
        }
        return text
    }

    /// The filter form: the range and a choice per dimension (values there are answers for), kept in every link.
    private static func form(_ data: DashboardData) -> String {
        let filter = data.filter
        let from = filter.from.map { DashboardHTML.day($0) } ?? ""
        // `to` is exclusive; the form shows the last day included.
        let to = filter.to.map { DashboardHTML.day($0.addingTimeInterval(-1)) } ?? ""
        var html = "<form class=\"range\" id=\"filters\" method=\"get\" action=\"/\">"
        html += "<label>From <input type=\"date\" name=\"from\" value=\"\(escape(from))\"></label>"
        html += "<label>To <input type=\"date\" name=\"to\" value=\"\(escape(to))\"></label>"
        let dimensions: [(ReportDimension, String, String?)] = [
            (.site, "Site", filter.site), (.touchpoint, "Touchpoint", filter.touchpoint), (.stage, "Stage", filter.stage?.rawValue),
            (.survey, "Survey", filter.survey), (.language, "Language", filter.language),
        ]
        for (dimension, label, chosen) in dimensions {
            var values = data.filterOptions[dimension] ?? []
            if let chosen, !values.contains(chosen) { values.append(chosen) }
            html += "<label>\(label) <select name=\"\(dimension.rawValue)\"><option value=\"\">all</option>"
            for value in values {
                html += "<option\(value == chosen ? " selected" : "")>\(escape(value))</option>"
            }
            html += "</select></label>"
        }
        if let search = filter.search {
            html += "<input type=\"hidden\" name=\"q\" value=\"\(escape(search))\">"
        }
        html += "<button type=\"submit\">Show</button>"
        var latest = filter
        latest.from = nil
        latest.to = nil
        latest.allTime = false
        latest.isDefaultRange = true
        var all = latest
        all.isDefaultRange = false
        all.allTime = true
        html += "<a href=\"\(escape(latest.link()))\">Last \(DashboardFilter.defaultDays) days</a>"
        html += "<a href=\"\(escape(all.link()))\">All time</a>"
        html += "<a href=\"/\">Reset</a>"
        return html + "</form>"
    }

    private static func gapText(_ kiosk: KioskRecord) -> String {
        guard !kiosk.gaps.isEmpty else { return "none" }
        let ranges = kiosk.gaps.prefix(3).map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)–\($0.upperBound)" }
        return "\(kiosk.missingCount) missing: " + ranges.joined(separator: ", ") + (kiosk.gaps.count > 3 ? ", …" : "")
    }

    private static func tile(
        _ label: String, value: String, colour: String? = nil, id: String? = nil, detail: String, change: NPSChange? = nil
    ) -> String {
        let style = colour.map { " style=\"color:\($0)\"" } ?? ""
        let identifier = id.map { " id=\"\($0)\"" } ?? ""
        let size = value.count > 11 ? " long" : ""
        var html = "<div class=\"tile\"\(identifier)><p class=\"tile-label\">\(escape(label))</p><p class=\"tile-value\(size)\"\(style)>\(escape(value))</p>"
            + "<p class=\"tile-detail\">\(escape(detail))</p>"
        if let change {
            let tone = change.significant ? (change.isUp ? "up" : "down") : "muted"
            html += "<p class=\"tile-detail\"><span class=\"\(tone)\"\(id.map { " id=\"\($0)-change\"" } ?? "")>\(escape(change.text))</span> vs the previous period</p>"
        }
        return html + "</div>"
    }

    private static func card(id: String, title: String, hint: String?) -> String {
        "<section class=\"card\" id=\"\(id)\"><h2>\(escape(title))</h2>" + (hint.map { "<p class=\"hint\">\(escape($0))</p>" } ?? "")
    }

    private static func empty(_ title: String, _ detail: String) -> String {
        "<div class=\"empty\"><p class=\"empty-title\">\(escape(title))</p><p>\(escape(detail))</p></div>"
    }

    private static func notice(_ text: String) -> String {
        "<div class=\"empty notice\"><p>\(escape(text))</p></div>"
    }

    static func head(title: String, refresh: Bool) -> String {
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + (refresh ? "<meta http-equiv=\"refresh\" content=\"\(refreshSeconds)\">" : "")
            + "<title>\(escape(title))</title><style>\(css)</style></head>"
    }

    private static let css = """
        *{box-sizing:border-box}
        body{margin:0;background:#f3f4f7;color:#1d2330;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
        header.top{display:flex;justify-content:space-between;align-items:center;gap:16px;flex-wrap:wrap;padding:18px 32px;background:#1d2330;color:#fff}
        header.top h1{margin:0;font-size:22px;letter-spacing:.02em}
        header.top p{margin:2px 0 0;color:#c7ccd6}
        form.range{display:flex;gap:10px;align-items:center;flex-wrap:wrap;color:#c7ccd6;font-size:13px;padding:10px 32px;background:#262d3b}
        form.range select{margin-left:4px;padding:4px 6px;border:1px solid #4b5263;border-radius:6px;background:#2a3140;color:#fff;font:inherit}
        form.range input{margin-left:4px;padding:4px 6px;border:1px solid #4b5263;border-radius:6px;background:#2a3140;color:#fff;font:inherit}
        form.range button{padding:5px 12px;border:0;border-radius:6px;background:#3b6fd8;color:#fff;font:inherit;cursor:pointer}
        form.range a{color:#c7ccd6}
        main{max-width:1280px;margin:0 auto;padding:20px 24px 8px}
        .tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:16px;margin-bottom:16px}
        .tile{background:#fff;border:1px solid #e3e5ea;border-radius:10px;padding:14px 18px}
        .tile p{margin:0}
        .tile-label{color:#6b7280;font-size:12px;text-transform:uppercase;letter-spacing:.06em}
        .tile-value{font-size:30px;font-weight:700;line-height:1.25;white-space:nowrap}
        .tile-value.long{font-size:22px;line-height:1.7}
        .tile-detail{color:#6b7280;font-size:13px}
        .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(540px,1fr));gap:16px}
        .card{background:#fff;border:1px solid #e3e5ea;border-radius:10px;padding:16px 20px 18px;min-width:0}
        .card h2{margin:0 0 2px;font-size:16px}
        .hint,.muted{color:#6b7280;font-size:12.5px;margin:0 0 10px}
        #comments,#fleet{grid-column:1/-1}
        .legend{margin:0 0 8px;color:#4b5263;font-size:12.5px;display:flex;gap:6px 14px;flex-wrap:wrap;align-items:center}
        .legend .key{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:-8px;vertical-align:middle}
        .legend .dot{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:-8px}
        svg{display:block;overflow:visible}
        svg text{font-family:inherit}
        .tick{font-size:11px;fill:#6b7280}
        .label{font-size:13.5px;font-weight:600;fill:#1d2330}
        .sub{font-size:11px;fill:#6b7280}
        .warn{font-size:11px;fill:#b7791f;font-weight:600}
        .value{font-size:14px;font-weight:700;fill:#1d2330}
        .value-sm{font-size:11.5px;font-weight:600;fill:#1d2330}
        .axis{font-size:12px;fill:#4b5263}
        .dot-label{font-size:10.5px;fill:#1d2330;paint-order:stroke;stroke:#fff;stroke-width:3px}
        .band-red{font-size:10px;font-weight:700;fill:#d64545;letter-spacing:.08em}
        .band-yellow{font-size:10px;font-weight:700;fill:#b7791f;letter-spacing:.08em}
        .band-green{font-size:10px;font-weight:700;fill:#1f9d72;letter-spacing:.08em}
        .empty{border:1px dashed #d5d8df;border-radius:8px;padding:26px 16px;text-align:center;color:#6b7280;margin-top:8px}
        .empty p{margin:0}
        .empty-title{font-size:15px;font-weight:600;color:#4b5263}
        .notice{background:#fff8e6;border-color:#f0d18a;color:#7a5a10}
        .notice-card{max-width:640px;margin:40px auto}
        ul.comments{list-style:none;margin:4px 0 0;padding:0;columns:2 460px;column-gap:28px}
        ul.comments li{display:flex;gap:12px;padding:10px 0;border-top:1px solid #eef0f3;break-inside:avoid}
        .badge{flex:none;width:30px;height:30px;border-radius:50%;display:flex;align-items:center;justify-content:center;font-weight:700;color:#fff;font-size:13px}
        .badge.promoter{background:#1f9d72}.badge.passive{background:#e0a526}.badge.detractor{background:#d64545}.badge.none{background:#9ca3af}
        .comment{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
        .meta{margin:2px 0 0;color:#6b7280;font-size:12px}
        table.fleet{width:100%;border-collapse:collapse;font-size:13px}
        table.fleet th{text-align:left;color:#6b7280;font-weight:600;font-size:12px;border-bottom:1px solid #e3e5ea;padding:6px 8px}
        table.fleet td{padding:7px 8px;border-bottom:1px solid #f0f1f4}
        table.fleet .num{text-align:right;font-variant-numeric:tabular-nums}
        .strong{font-weight:600}
        .warn-text{color:#b7791f;font-weight:600}.bad-text{color:#c53030;font-weight:600}
        .pill{display:inline-block;padding:1px 9px;border-radius:10px;font-size:12px;font-weight:600}
        .pill.good{background:#e5f5ee;color:#1f7a59}.pill.warn{background:#fdf5d9;color:#8a6212}.pill.bad{background:#fcebeb;color:#b02a2a}
        .flag{color:#b7791f;font-weight:600}
        form.filters{display:flex;gap:14px;align-items:center;flex-wrap:wrap}
        form.filters select,form.filters input,form.case-form textarea,form.case-form input{padding:4px 6px;border:1px solid #c9cdd6;border-radius:6px;font:inherit}
        form.filters button,form.case-form button{padding:5px 12px;border:0;border-radius:6px;background:#3b6fd8;color:#fff;font:inherit;cursor:pointer}
        form.case-form{display:flex;gap:10px;align-items:flex-end;margin:8px 0;flex-wrap:wrap}
        form.case-form label{display:flex;flex-direction:column;gap:2px;font-size:12.5px;color:#4b5263}
        form.case-form textarea{width:420px;max-width:100%}
        table.case-facts th{width:140px;border:0}
        ol.history{margin:4px 0 10px;padding-left:20px}
        td.up{color:#1f7a59;font-weight:700}td.down{color:#b02a2a;font-weight:700}
        .tile-detail .up{color:#1f7a59;font-weight:700}.tile-detail .down{color:#b02a2a;font-weight:700}
        footer{max-width:1280px;margin:0 auto;padding:8px 24px 24px;color:#6b7280;font-size:12px}
        """
}

/// The change of an NPS against the previous period, and whether it is larger than its margin of error.
struct NPSChange: Sendable, Hashable {
    /// Now minus before, in NPS points.
    var delta: Double
    /// The 95% margin of error of the difference: √(m₁² + m₂²) of the two independent periods.
    var margin: Double?

    /// The change from `before` to `now`; nil when either has no score.
    init?(now: DashboardData.NPSFigure, before: DashboardData.NPSFigure?) {
        guard let current = now.score, let earlier = before?.score else { return nil }
        delta = current - earlier
        if let m1 = now.marginOfError, let m2 = before?.marginOfError, m1.isFinite, m2.isFinite {
            margin = (m1 * m1 + m2 * m2).squareRoot()
        }
    }

    /// Whether the change is larger than its margin of error.
    var significant: Bool { margin.map { abs(delta) > $0 } ?? false }
    /// Whether the score went up.
    var isUp: Bool { delta > 0 }

    /// `▲ +6 (±4)` or `▼ −2 (±9, within the margin)`.
    var text: String {
        let arrow = delta > 0 ? "▲" : delta < 0 ? "▼" : "="
        let amount = DashboardHTML.nps(delta)
        guard let margin else { return "\(arrow) \(amount)" }
        return "\(arrow) \(amount) (±\(Int(margin.rounded()))\(significant ? "" : ", within the margin"))"
    }
}
