import Foundation
import Hummingbird
import Logging
import TouchpointCore
import TouchpointCollector

/// `GET /`: the server-rendered HTML dashboard.
///
/// The query parameters (``DashboardFilter``) choose the range — `from` and `to` (a day `2026-11-01` or an ISO 8601
/// time; a day given as `to` includes that whole day), `range=all`, by default the last 90 days — and the site,
/// touchpoint, stage, survey and language; `q` searches the comments, `comments_before` pages them.
struct DashboardController {
    let storage: any CollectorStorage
    let surveys: CollectorSurveys
    let configuration: CollectorConfiguration
    let logger: Logger
    var now: @Sendable () -> Date = { Date() }
    /// The health model, read once when the routes are built (the configured file, or the built-in model).
    let healthModel: Result<HealthModel, any Error>
    /// The NPS targets, read once when the routes are built (none without a file, or when it does not load).
    let targets: NPSTargets

    /// Creates the controller, reading the health model of `configuration` once.
    init(storage: any CollectorStorage, surveys: CollectorSurveys, configuration: CollectorConfiguration, logger: Logger) {
        self.storage = storage
        self.surveys = surveys
        self.configuration = configuration
        self.logger = logger
        healthModel = Result { try HealthModel.load(path: configuration.healthModelPath) }
        if case .failure(let error) = healthModel {
            logger.warning("cannot load the health model for the dashboard", metadata: ["error": "\(error)"])
        }
        do {
            targets = try NPSTargets.load(path: configuration.targetsPath)
        } catch {
            logger.warning("cannot load the NPS targets for the dashboard", metadata: ["error": "\(error)"])
            targets = NPSTargets()
        }
    }

    /// How many comments the page lists.
    static let commentCount = DashboardPage.commentPageSize
    /// The query parameter that pages the comments: those of responses older than this response id.
    static let commentsBeforeParameter = "comments_before"

    /// Adds the dashboard's routes.
    func addRoutes(to router: Router<CollectorRequestContext>) {
        router.get("/") { request, context in
            await page(request, caller: context.identity, session: context.sessions.session)
        }
    }

    /// The page for `request`: 200 with the dashboard, 400 for a bad parameter, 503 when storage fails.
    func page(_ request: Request, caller: Caller?, session: LoginSession? = nil) async -> Response {
        let generatedAt = now()
        var values = request.queryValues
        // Paging the comments: the ones older than this response, within the same view.
        let commentsBefore = values.removeValue(forKey: Self.commentsBeforeParameter)
        if let commentsBefore, UUID(uuidString: commentsBefore) == nil {
            return Self.html(.badRequest, DashboardPage.badRequest(
                "\(Self.commentsBeforeParameter): must be a response id such as 019ab2c4-…, not '\(commentsBefore)'"))
        }
        let filter: DashboardFilter
        switch DashboardFilter.parse(values, now: generatedAt) {
        case .success(let parsed): filter = parsed
        case .failure(let problem):
            return Self.html(.badRequest, DashboardPage.badRequest(problem.message))
        }
        do {
            var data = try await gather(
                filter, at: generatedAt, role: caller?.role ?? .viewer, commentsBefore: commentsBefore?.lowercased())
            if let caller, caller.kind == .user, let session {
                data.signedIn = DashboardData.SignedIn(user: caller.name, role: caller.role, csrf: session.csrf)
            }
            return Self.html(.ok, DashboardPage.render(data))
        } catch {
            logger.error("storage failed while reading the dashboard", metadata: ["error": "\(error)"])
            var headers = HTTPFields()
            headers[.retryAfter] = String(UploadController.retryAfterSeconds)
            return Self.html(
                .serviceUnavailable,
                DashboardPage.unavailable("The collector cannot read its database now; retry in a moment.", generatedAt: generatedAt),
                headers: headers)
        }
    }

    /// Reads everything the page shows to `role` for `filter` (nothing of the sections it does not include); throws
    /// when storage fails.
    func gather(_ filter: DashboardFilter, at date: Date, role: Role, commentsBefore: String? = nil) async throws -> DashboardData {
        var data = DashboardData(generatedAt: date, minimumGroupSize: configuration.minimumGroupSize)
        data.filter = filter
        data.commentsBefore = commentsBefore
        if role < .analyst { data.hidden.formUnion([.comments, .accounts]) }
        if role < .admin { data.hidden.insert(.kiosks) }
        func query(_ metric: ReportMetric, _ groupBy: [ReportDimension], _ selection: AnswerSelection = filter.selection) -> ReportQuery {
            ReportQuery(metric: metric, groupBy: groupBy, selection: selection, minimumCount: configuration.minimumGroupSize)
        }
        let byTouchpoint = try await storage.report(query(.nps, [.touchpoint, .stage]))
        data.overall = byTouchpoint.total.n > 0 ? Self.figure(byTouchpoint.total, label: "") : nil
        data.npsByTouchpoint = byTouchpoint.rows.map { row in
            Self.figure(row, label: row.value(.touchpoint), stage: JourneyStage(rawValue: row.value(.stage)))
        }
        data.npsBySite = try await storage.report(query(.nps, [.site])).rows.map { row in
            Self.figure(row, label: row.value(.site))
        }
        // What changed: the same figures over the period of the same length just before.
        if let previous = filter.previousPeriod(now: date) {
            data.previousPeriod = previous
            var selection = filter.selection
            selection.from = previous.from
            selection.to = previous.to
            let before = try await storage.report(query(.nps, [.touchpoint, .stage], selection))
            data.previousOverall = before.total.n > 0 ? Self.figure(before.total, label: "") : nil
            for row in before.rows {
                data.previousByTouchpoint[row.value(.touchpoint) + "/" + row.value(.stage)] = Self.figure(row, label: row.value(.touchpoint))
            }
            for row in try await storage.report(query(.nps, [.site], selection)).rows {
                data.previousBySite[row.value(.site)] = Self.figure(row, label: row.value(.site))
            }
        }
        data.npsByMonth = try await storage.report(query(.nps, [.month])).rows.map { row in
            Self.figure(row, label: row.value(.month))
        }
        let ces = try await storage.report(query(.ces, [.touchpoint])).rows
        let csat = try await storage.report(query(.csat, [.touchpoint])).rows
        let touchpoints = Set(ces.map { $0.value(.touchpoint) } + csat.map { $0.value(.touchpoint) }).sorted()
        data.scores = touchpoints.map { touchpoint in
            let effort = ces.first { $0.value(.touchpoint) == touchpoint }
            let satisfaction = csat.first { $0.value(.touchpoint) == touchpoint }
            return DashboardData.TouchpointScores(
                touchpoint: touchpoint, cesMean: effort?.mean, cesScale: effort?.scale, cesEasyShare: effort?.easyShare.map { $0 / 100 },
                cesCount: effort?.n ?? 0, cesTooSmall: effort?.tooSmall ?? false,
                csatShare: satisfaction?.score.map { $0 / 100 }, csatCount: satisfaction?.n ?? 0,
                csatTooSmall: satisfaction?.tooSmall ?? false)
        }
        data.filterOptions = try await filterOptions()
        data.targets = targets
        data.choices = try await storage.choiceReport(query(.nps, [.survey, .question]))
        data.volume = VolumeHeatmap(hourly: try await storage.responsesPerHour(filter.selection), timeZone: configuration.timeZone)
        if !data.hidden.contains(.accounts) {
            try await addHealth(to: &data, at: date)
        }
        var cases = CaseQuery(site: filter.site, openedFrom: filter.from, openedTo: filter.to)
        cases.touchpoint = filter.touchpoint
        cases.stage = filter.stage
        cases.survey = filter.survey
        cases.language = filter.language
        data.caseFigures = CaseReport.make(try await storage.cases(cases), by: .site, at: date)
        data.notes = try await storage.reportNotes(filter.selection)
        if !data.hidden.contains(.comments) {
            do {
                data.comments = try await storage.comments(
                    CommentQuery(
                        limit: Self.commentCount, before: commentsBefore.map { .response($0) } ?? filter.to.map { .time($0) },
                        since: filter.from, site: filter.site, touchpoint: filter.touchpoint, stage: filter.stage,
                        survey: filter.survey, language: filter.language, text: filter.search))
            } catch let error as CollectorError where error.code == .encrypted {
                // Comments sealed at rest and no key here: the rest of the page works without them.
                data.unavailable[.comments] = error.message
            }
            if !PersonalDataParameter.showsOnPages(to: role) {
                data.maskedPersonalData = FeedComment.maskPersonalData(in: &data.comments)
            }
        }
        if !data.hidden.contains(.kiosks) {
            data.kiosks = try await storage.kiosks().filter { kiosk in filter.site.map { $0 == kiosk.site } ?? true }
            let plan = try await storage.fleetPlan()
            for kiosk in data.kiosks {
                data.surveySets[kiosk.id] = plan.surveySet(of: kiosk)
            }
        }
        return data
    }

    /// The sites, touchpoints, stages, surveys and languages there are answers for (all time), for the filter form.
    func filterOptions() async throws -> [ReportDimension: [String]] {
        let dimensions: [ReportDimension] = [.site, .touchpoint, .stage, .survey, .language]
        var options: [ReportDimension: Set<String>] = [:]
        for metric in ReportMetric.allCases {
            let report = try await storage.report(ReportQuery(metric: metric, groupBy: dimensions, minimumCount: 0))
            for row in report.rows {
                for dimension in dimensions { options[dimension, default: []].insert(row.value(dimension)) }
            }
        }
        return options.mapValues { $0.sorted() }
    }

    /// Adds the health matrix: every account's health now under the configured model (or the built-in one).
    ///
    /// A model file that could not be read or did not validate marks the section unavailable (the rest of the
    /// page still shows); a storage failure throws.
    func addHealth(to data: inout DashboardData, at date: Date) async throws {
        guard case .success(let model) = healthModel else {
            data.unavailable[.accounts] = "the health model \(configuration.healthModelPath ?? "") does not load; run touchpoint health for details"
            return
        }
        data.zoneThresholds = model.zones
        let health = try await storage.accountHealth(model: model, at: date)
        data.accounts = health.compactMap { account in
            guard let score = account.score, let zone = account.zone else { return nil }
            return DashboardData.AccountPoint(
                id: account.id, name: account.name, health: score, mrr: account.mrr ?? account.arr.map { $0 / 12 }, zone: zone,
                owner: account.owner)
        }
        data.unscoredAccounts = health.count - data.accounts.count
    }

    /// A report row as the dashboard draws it.
    static func figure(_ row: ReportRow, label: String, stage: JourneyStage? = nil) -> DashboardData.NPSFigure {
        DashboardData.NPSFigure(
            label: label, stage: stage, score: row.score, marginOfError: row.marginOfError, count: row.n,
            promoters: row.promoters ?? 0, passives: row.passives ?? 0, detractors: row.detractors ?? 0, tooSmall: row.tooSmall)
    }

    /// An HTML response with `status`.
    static func html(_ status: HTTPResponse.Status, _ page: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}
