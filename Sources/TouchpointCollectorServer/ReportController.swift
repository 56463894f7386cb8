import Foundation
import Hummingbird
import Logging
import TouchpointCore
import TouchpointCollector

/// The report routes: `GET /v1/reports/{nps,ces,csat}` (JSON) and `GET /v1/export.csv` (raw answers, streamed).
struct ReportController {
    let storage: any CollectorStorage
    let configuration: CollectorConfiguration
    let logger: Logger

    /// Answers per chunk of the streamed export.
    static let exportChunkSize = 2000

    /// The query parameters both routes accept: the time range, the flags and the equality filters.
    static let selectionParameters = ["from", "to", "includeSuspect", "includePartial"] + ReportDimension.filterable.map(\.rawValue)
    /// The query parameters of `GET /v1/export.csv`: the selection, and `raw` (cells exactly as stored).
    static let exportParameters = selectionParameters + ["raw", "personalData"]
    /// The query parameters of `GET /v1/reports/…`.
    static let reportParameters = ["by", "min"] + selectionParameters

    /// Adds the routes.
    func addRoutes(to router: Router<CollectorRequestContext>) {
        for metric in ReportMetric.allCases {
            router.get(RouterPath("/v1/reports/\(metric.rawValue)")) { request, _ in
                await report(metric, request)
            }
        }
        router.get("/v1/reports/choice") { request, _ in
            await choiceReport(request)
        }
        router.get("/v1/export.csv") { request, context in
            let response = await export(request, caller: context.identity)
            if response.status == .ok {
                // Who exported what (the query, not the rows): the audit log.
                try? await storage.recordAudit(AuditEvent(
                    at: Date(), actor: context.identity?.auditName ?? "anonymous", action: "export", target: request.uri.query,
                    remote: context.remoteAddress))
            }
            return response
        }
    }

    /// The report as JSON, or 400 naming the bad parameter.
    func report(_ metric: ReportMetric, _ request: Request) async -> Response {
        let query: ReportQuery
        switch Self.query(metric: metric, request.queryValues, defaultMinimum: configuration.minimumGroupSize) {
        case .success(let parsed): query = parsed
        case .failure(let problem): return UploadController.error(.badRequest, "bad_parameter", problem.message)
        }
        do {
            var report = try await storage.report(query)
            report.notes = try await storage.reportNotes(query.selection)
            return UploadController.json(.ok, report)
        } catch {
            return unavailable(error)
        }
    }

    /// The yes/no and choice report as JSON (``ChoiceReport``), or 400 naming the bad parameter.
    func choiceReport(_ request: Request) async -> Response {
        let query: ReportQuery
        switch Self.query(metric: .nps, request.queryValues, defaultMinimum: configuration.minimumGroupSize) {
        case .success(let parsed): query = parsed
        case .failure(let problem): return UploadController.error(.badRequest, "bad_parameter", problem.message)
        }
        do {
            var report = try await storage.choiceReport(query)
            report.notes = try await storage.reportNotes(query.selection)
            return UploadController.json(.ok, report)
        } catch {
            return unavailable(error)
        }
    }

    /// The raw answers as RFC 4180 CSV, streamed a chunk at a time; 400 naming a bad parameter.
    ///
    /// Cells that customers and kiosks choose are neutralised against spreadsheet formulas unless `raw=true`
    /// (``AnswerCSVWriter``).
    ///
    /// Personal data in comments is masked (``TouchpointCore/PersonalData``) unless an admin asks `personalData=show`.
    func export(_ request: Request, caller: Caller? = nil) async -> Response {
        let values = request.queryValues
        let selection: AnswerSelection
        switch Self.selection(values, allowed: Self.exportParameters) {
        case .success(let parsed): selection = parsed
        case .failure(let problem): return UploadController.error(.badRequest, "bad_parameter", problem.message)
        }
        let raw: Bool
        if let text = values["raw"] {
            guard let flag = Self.parseBool(text) else {
                return UploadController.error(.badRequest, "bad_parameter", "raw: must be true or false, not '\(text)'")
            }
            raw = flag
        } else {
            raw = false
        }
        let showPersonalData: Bool
        switch PersonalDataParameter.shows(values, caller: caller) {
        case .success(let shows): showPersonalData = shows
        case .failure(let refusal): return refusal.response
        }
        // Read the first chunk before answering, so a database failure is still a 503 and not a cut stream.
        let first: [ExportedAnswer]
        do {
            first = try await storage.exportAnswers(selection, after: nil, limit: Self.exportChunkSize)
        } catch {
            return unavailable(error)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = #"attachment; filename="touchpoint-answers.csv""#
        let storage = storage
        let logger = logger
        let body = ResponseBody { writer in
            var csv = AnswerCSVWriter(neutralisingFormulas: !raw, maskingPersonalData: !showPersonalData)
            try await writer.write(ByteBuffer(string: AnswerCSVWriter.header + csv.records(first)))
            if first.count == Self.exportChunkSize, let last = first.last {
                do {
                    try await storage.exportAnswers(selection, after: last, chunkSize: Self.exportChunkSize) { page in
                        try await writer.write(ByteBuffer(string: csv.records(page)))
                    }
                } catch {
                    logger.error("export stopped: storage failed mid-stream", metadata: ["error": "\(error)"])
                    throw error
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Parses `GET /v1/reports/…` parameters; unknown names and bad values are problems naming the parameter.
    static func query(metric: ReportMetric, _ values: [String: String], defaultMinimum: Int) -> Result<ReportQuery, ParameterProblem> {
        func problem(_ name: String, _ text: String) -> Result<ReportQuery, ParameterProblem> {
            .failure(ParameterProblem(parameter: name, message: "\(name): \(text)"))
        }
        let selection: AnswerSelection
        switch Self.selection(values, allowed: reportParameters) {
        case .success(let parsed): selection = parsed
        case .failure(let problem): return .failure(problem)
        }
        var query = ReportQuery(metric: metric, selection: selection, minimumCount: defaultMinimum)
        if let text = values["by"] {
            switch ReportDimension.parseList(text) {
            case .success(let dimensions): query.groupBy = dimensions
            case .failure(let message): return problem("by", message.description)
            }
        }
        if let text = values["min"] {
            guard let minimum = Int(text), minimum >= 0 else {
                return problem("min", "must be a whole number of answers, 0 or more, not '\(text)'")
            }
            query.minimumCount = minimum
        }
        return .success(query)
    }

    /// Parses the time range, flags and filters; names outside `allowed` are unknown parameters.
    static func selection(_ values: [String: String], allowed: [String]) -> Result<AnswerSelection, ParameterProblem> {
        func problem(_ name: String, _ text: String) -> Result<AnswerSelection, ParameterProblem> {
            .failure(ParameterProblem(parameter: name, message: "\(name): \(text)"))
        }
        if let unknown = values.keys.sorted().first(where: { !allowed.contains($0) }) {
            return problem(unknown, "unknown parameter (known: \(allowed.joined(separator: ", ")))")
        }
        var selection = AnswerSelection()
        for name in ["from", "to"] {
            guard let text = values[name] else { continue }
            guard let date = ReportQuery.parseTime(text, isEnd: name == "to") else {
                return problem(name, "must be a day such as 2026-01-31 or an ISO 8601 time such as 2026-01-31T18:30:00Z, not '\(text)'")
            }
            if name == "from" { selection.from = date } else { selection.to = date }
        }
        if let from = selection.from, let to = selection.to, to <= from {
            return problem("to", "must be after from")
        }
        for name in ["includeSuspect", "includePartial"] {
            guard let text = values[name] else { continue }
            guard let flag = parseBool(text) else { return problem(name, "must be true or false, not '\(text)'") }
            if name == "includeSuspect" { selection.includeSuspect = flag } else { selection.includePartial = flag }
        }
        for dimension in ReportDimension.filterable {
            guard let text = values[dimension.rawValue] else { continue }
            switch dimension.checkFilter(text) {
            case .success(let value): selection.filters[dimension] = value
            case .failure(let message): return problem(dimension.rawValue, message.description)
            }
        }
        return .success(selection)
    }

    private static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "true", "1", "": true
        case "false", "0": false
        default: nil
        }
    }

    private func unavailable(_ error: any Error) -> Response {
        if let sealed = UploadController.sealedComments(error) { return sealed }
        logger.error("storage failed while reading a report", metadata: ["error": "\(error)"])
        var headers = HTTPFields()
        headers[.retryAfter] = String(UploadController.retryAfterSeconds)
        return UploadController.error(
            .serviceUnavailable, "unavailable", "the collector cannot read reports now; retry later", headers: headers)
    }
}
