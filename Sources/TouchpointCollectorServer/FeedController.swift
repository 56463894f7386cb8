import Foundation
import Hummingbird
import Logging
import TouchpointCore
import TouchpointCollector

/// The feed routes: `GET /v1/comments` (newest first, filterable) and `GET /v1/feed/status` (the outbox).
struct FeedController {
    let storage: any CollectorStorage
    let configuration: CollectorConfiguration
    let logger: Logger

    /// The query parameters `GET /v1/comments` accepts.
    static let parameters = ["limit", "before", "since", "site", "touchpoint", "stage", "survey", "language", "q", "personalData"]

    /// Adds the routes.
    func addRoutes(to router: Router<CollectorRequestContext>) {
        router.get("/v1/comments") { request, context in
            await comments(request, caller: context.identity, remote: context.remoteAddress)
        }
        router.get("/v1/feed/status") { _, _ in
            do {
                return UploadController.json(.ok, try await storage.outboxStatus())
            } catch {
                return unavailable(error)
            }
        }
    }

    /// `{"comments": [...]}`, or 400 naming the bad parameter.
    func comments(_ request: Request, caller: Caller? = nil, remote: String? = nil) async -> Response {
        let query: CommentQuery
        switch Self.query(request.queryValues) {
        case .success(let parsed): query = parsed
        case .failure(let problem):
            return UploadController.error(.badRequest, "bad_parameter", problem.message)
        }
        let showPersonalData: Bool
        switch PersonalDataParameter.shows(request.queryValues, caller: caller) {
        case .success(let shows): showPersonalData = shows
        case .failure(let refusal): return refusal.response
        }
        do {
            var comments = try await storage.comments(query)
            var masked: [PersonalData.Kind: Int] = [:]
            if !showPersonalData {
                masked = FeedComment.maskPersonalData(in: &comments)
            }
            // Who read comment text, and how many: the audit log (never the text).
            try await storage.recordAudit(AuditEvent(
                at: Date(), actor: caller?.auditName ?? "anonymous", action: "comments", target: request.uri.query,
                count: comments.count, remote: remote))
            return UploadController.json(.ok, CommentPage(
                comments: comments, masked: Dictionary(uniqueKeysWithValues: masked.map { ($0.key.rawValue, $0.value) }),
                retention: try await storage.retentionNote(from: query.since)))
        } catch {
            return unavailable(error)
        }
    }

    /// Parses `GET /v1/comments` parameters; unknown names and bad values are problems naming the parameter.
    static func query(_ values: [String: String]) -> Result<CommentQuery, ParameterProblem> {
        func problem(_ name: String, _ text: String) -> Result<CommentQuery, ParameterProblem> {
            .failure(ParameterProblem(parameter: name, message: "\(name): \(text)"))
        }
        if let unknown = values.keys.sorted().first(where: { !parameters.contains($0) }) {
            return problem(unknown, "unknown parameter (known: \(parameters.joined(separator: ", ")))")
        }
        var query = CommentQuery()
        if let text = values["limit"] {
            guard let limit = Int(text), (1...CommentQuery.maximumLimit).contains(limit) else {
                return problem("limit", "must be a whole number from 1 to \(CommentQuery.maximumLimit), not '\(text)'")
            }
            query.limit = limit
        }
        if let text = values["before"] {
            if let date = Timestamp.date(text) {
                query.before = .time(date)
            } else if UUID(uuidString: text) != nil {
                query.before = .response(text.lowercased())
            } else {
                return problem("before", "must be a response id or an ISO 8601 time such as 2026-11-23T18:30:00Z, not '\(text)'")
            }
        }
        if let text = values["since"] {
            guard let date = Timestamp.date(text) else {
                return problem("since", "must be an ISO 8601 time such as 2026-11-23T18:30:00Z, not '\(text)'")
            }
            query.since = date
        }
        if let text = values["stage"] {
            guard let stage = JourneyStage(rawValue: text) else {
                return problem("stage", "must be shop or own, not '\(text)'")
            }
            query.stage = stage
        }
        for name in ["site", "touchpoint", "survey", "language"] {
            guard let text = values[name] else { continue }
            guard !text.isEmpty else { return problem(name, "must not be empty") }
            switch name {
            case "site": query.site = text
            case "touchpoint": query.touchpoint = text
            case "language": query.language = text
            default: query.survey = text
            }
        }
        if let text = values["q"] {
            guard text.count <= 200 else { return problem("q", "at most 200 characters") }
            query.text = text
        }
        return .success(query)
    }

    /// The body of `GET /v1/comments`.
    struct CommentPage: Encodable {
        var comments: [FeedComment]
        /// How many items of personal data were masked, by kind (`email`, `phone`, `personal-id`, `card`).
        var masked: [String: Int]
        /// Where the retention policy removed comments in the range asked for, or nil.
        var retention: String?
    }

    private func unavailable(_ error: any Error) -> Response {
        if let sealed = UploadController.sealedComments(error) { return sealed }
        logger.error("storage failed while reading the feed", metadata: ["error": "\(error)"])
        var headers = HTTPFields()
        headers[.retryAfter] = String(UploadController.retryAfterSeconds)
        return UploadController.error(
            .serviceUnavailable, "unavailable", "the collector cannot read the feed now; retry later", headers: headers)
    }
}
