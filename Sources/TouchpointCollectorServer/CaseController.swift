import Foundation
import Hummingbird
import Logging
import TouchpointCore
import TouchpointCollector

/// The follow-up case pages: `GET /cases` (the list, with filters), `GET /cases/<id>` (one case) and
/// `POST /cases/<id>` (a form: contacted, resolve, no-action, note, assign), each for `analyst` and up.
///
/// A change is made as the signed-in user (or the API token), recorded in the case's history, and answered with a
/// redirect back to the case (post/redirect/get), so reloading the page never repeats it.
struct CaseController {
    let storage: any CollectorStorage
    let logger: Logger
    var now: @Sendable () -> Date = { Date() }

    /// The largest form accepted.
    static let maxFormBytes = 16 * 1024

    func addRoutes(to router: Router<CollectorRequestContext>) {
        router.get("/cases") { request, context in
            await list(request, context: context)
        }
        router.get("/cases/:id") { request, context in
            await detail(context.parameters.get("id") ?? "", context: context)
        }
        router.post("/cases/:id") { request, context in
            await change(context.parameters.get("id") ?? "", request: request, context: context)
        }
    }

    /// The list page, or 400 naming a bad parameter.
    func list(_ request: Request, context: CollectorRequestContext) async -> Response {
        let values = request.queryValues
        let known = ["show", "site", "owner"]
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            return DashboardController.html(.badRequest, CasePage.problem(
                "Bad address", "\(unknown): unknown parameter (known: \(known.joined(separator: ", ")))", back: "/cases"))
        }
        func value(_ name: String) -> String? {
            values[name].map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let filter = CasePage.Filter(show: value("show") ?? "open", site: value("site"), owner: value("owner"))
        guard CasePage.Filter.views.contains(filter.show) else {
            return DashboardController.html(.badRequest, CasePage.problem(
                "Bad address", "show: must be one of \(CasePage.Filter.views.joined(separator: ", ")), not '\(filter.show)'", back: "/cases"))
        }
        let date = now()
        do {
            // One read: the list, the sites and the figures all come from every case (newest first).
            let all = try await storage.cases(CaseQuery())
            let query = filter.query(at: date)
            let cases = Array(all.filter(query.matches).prefix(query.limit ?? all.count))
            let sites = Set(all.map(\.site)).sorted()
            // The figures of the site chosen by owner, or of every site by site.
            let figures = filter.site.map { site in CaseReport.make(all.filter { $0.site == site }, by: .owner, at: date) }
                ?? CaseReport.make(all, by: .site, at: date)
            return DashboardController.html(.ok, CasePage.list(
                cases, filter: filter, figures: figures, sites: sites, signedIn: signedIn(context), at: date))
        } catch {
            return unavailable(error)
        }
    }

    /// One case, or 404.
    func detail(_ id: String, context: CollectorRequestContext, message: String? = nil) async -> Response {
        do {
            guard let valid = Self.validID(id), var followUp = try await storage.followUpCase(valid) else {
                return DashboardController.html(.notFound, CasePage.problem("No such case", "There is no follow-up case \(id).", back: "/cases"))
            }
            // Personal data in the customer's words is for admins only (PersonalDataParameter).
            if !PersonalDataParameter.showsOnPages(to: context.identity) {
                followUp.comments = followUp.comments.map { FeedEvent.Comment(question: $0.question, text: PersonalData.mask($0.text).text) }
            }
            // Who read a customer's comments: the audit log (never the text).
            try await storage.recordAudit(AuditEvent(
                at: now(), actor: context.identity?.auditName ?? "anonymous", action: "case-read", target: followUp.id,
                count: followUp.comments.count, remote: context.remoteAddress))
            return DashboardController.html(.ok, CasePage.detail(followUp, signedIn: signedIn(context), message: message, at: now()))
        } catch {
            return unavailable(error)
        }
    }

    private struct ChangeForm: Decodable {
        var action: String
        var text: String?
    }

    /// Applies a posted form; 303 back to the case, or a page saying what was wrong (400, 404, 409).
    func change(_ id: String, request: Request, context: CollectorRequestContext) async -> Response {
        guard let id = Self.validID(id) else {
            return DashboardController.html(.notFound, CasePage.problem("No such case", "There is no follow-up case \(id).", back: "/cases"))
        }
        let back = "/cases/\(id)"
        let form: ChangeForm
        do {
            let body = try await request.body.collect(upTo: Self.maxFormBytes)
            form = try URLEncodedFormDecoder().decode(ChangeForm.self, from: String(buffer: body))
        } catch {
            return DashboardController.html(.badRequest, CasePage.problem(
                "Cannot read the form", "The form must carry an action (contacted, resolve, no-action, note or assign).", back: back))
        }
        let text = form.text.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
        let change: CaseChange
        switch form.action {
        case "contacted": change = .contacted(note: text)
        case "resolve": change = .resolved(note: text)
        case "no-action": change = .noAction(reason: form.text ?? "")
        case "note": change = .note(form.text ?? "")
        case "assign": change = .assign(form.text ?? "")
        default:
            return DashboardController.html(.badRequest, CasePage.problem(
                "Unknown action", "action: must be contacted, resolve, no-action, note or assign, not '\(form.action)'", back: back))
        }
        let actor = context.identity.map { $0.kind == .user ? $0.name : $0.auditName } ?? "anonymous"
        do {
            try await storage.changeCase(id, change, by: actor, at: now())
            logger.info("follow-up case changed", metadata: ["case.id": "\(id)", "case.action": "\(form.action)", "caller": "\(actor)"])
            return LoginController.redirect(to: back)
        } catch let error as CollectorError where error.code == .notFound {
            return DashboardController.html(.notFound, CasePage.problem("No such case", error.message, back: "/cases"))
        } catch let error as CollectorError where error.code == .conflict {
            return DashboardController.html(.conflict, CasePage.problem("Not changed", error.message, back: back))
        } catch let error as CollectorError where error.code == .invalidInput {
            return DashboardController.html(.badRequest, CasePage.problem("Not changed", error.message, back: back))
        } catch {
            return unavailable(error)
        }
    }

    /// `id` lowercased if it is a response id (a UUID), else nil.
    static func validID(_ id: String) -> String? {
        UUID(uuidString: id) == nil ? nil : id.lowercased()
    }

    private func signedIn(_ context: CollectorRequestContext) -> DashboardData.SignedIn? {
        guard let caller = context.identity, caller.kind == .user, let session = context.sessions.session else { return nil }
        return DashboardData.SignedIn(user: caller.name, role: caller.role, csrf: session.csrf)
    }

    private func unavailable(_ error: any Error) -> Response {
        logger.error("storage failed while serving a case page", metadata: ["error": "\(error)"])
        var headers = HTTPFields()
        headers[.retryAfter] = String(UploadController.retryAfterSeconds)
        return DashboardController.html(
            .serviceUnavailable,
            CasePage.problem("Unavailable", "The collector cannot read its database now; retry in a moment.", back: "/cases"),
            headers: headers)
    }
}

