import Foundation
import TouchpointCore

/// Which score a report computes.
public enum ReportMetric: String, Sendable, Hashable, Codable, CaseIterable {
    case nps, ces, csat

    /// The answer type the metric is computed from.
    public var questionType: QuestionType {
        switch self {
        case .nps: .nps
        case .ces: .ces
        case .csat: .csat
        }
    }
}

/// What a report can group by (and filter on).
public enum ReportDimension: String, Sendable, Hashable, Codable, CaseIterable {
    case site, touchpoint, stage, survey, question, language, day, week, month

    /// Whether the dimension is derived from the completion time (`day`, `week`, `month`).
    public var isTime: Bool {
        switch self {
        case .day, .week, .month: true
        default: false
        }
    }

    /// The dimensions that can be filtered on with an equality (every one but the time dimensions).
    public static let filterable: [ReportDimension] = allCases.filter { !$0.isTime }

    /// Parses a comma-separated list of dimensions (`site,month`); an empty text is no grouping.
    public static func parseList(_ text: String) -> Result<[ReportDimension], ReportValueError> {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { return .success([]) }
        var dimensions: [ReportDimension] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let dimension = ReportDimension(rawValue: name) else {
                let known = allCases.map(\.rawValue).joined(separator: ", ")
                return .failure(ReportValueError("unknown dimension '\(name)' (known: \(known))"))
            }
            guard !dimensions.contains(dimension) else {
                return .failure(ReportValueError("'\(name)' is listed twice"))
            }
            dimensions.append(dimension)
        }
        return .success(dimensions)
    }

    /// Checks an equality filter's value on this dimension: not empty, and a stage is `shop` or `own`.
    public func checkFilter(_ text: String) -> Result<String, ReportValueError> {
        if isTime {
            return .failure(ReportValueError("cannot filter on \(rawValue); use from and to"))
        }
        guard !text.isEmpty else { return .failure(ReportValueError("must not be empty")) }
        if self == .stage, JourneyStage(rawValue: text) == nil {
            return .failure(ReportValueError("must be shop or own, not '\(text)'"))
        }
        return .success(text)
    }
}

/// What is wrong with one report parameter's value (without the parameter's name).
public struct ReportValueError: Error, Hashable, CustomStringConvertible {
    /// The problem, e.g. `must not be empty`.
    public var description: String

    /// Creates the error.
    public init(_ description: String) {
        self.description = description
    }
}

/// A report request: one metric, grouped and filtered.
public struct ReportQuery: Sendable, Hashable {
    /// The score computed.
    public var metric: ReportMetric
    /// The grouping, in order (empty: one overall row).
    public var groupBy: [ReportDimension]
    /// The responses the report reads: time range, filters and flags (the same selection an export takes).
    public var selection: AnswerSelection
    /// Groups with fewer answers than this are flagged `tooSmall` (not hidden).
    public var minimumCount: Int

    /// Creates a query over `selection`.
    public init(metric: ReportMetric, groupBy: [ReportDimension] = [], selection: AnswerSelection, minimumCount: Int = 30) {
        self.metric = metric
        self.groupBy = groupBy
        self.selection = selection
        self.minimumCount = minimumCount
    }

    /// Creates a query; defaults leave suspect and partial responses out and flag groups under 30.
    public init(
        metric: ReportMetric, groupBy: [ReportDimension] = [], from: Date? = nil, to: Date? = nil,
        filters: [ReportDimension: String] = [:], includeSuspect: Bool = false, includePartial: Bool = false,
        minimumCount: Int = 30
    ) {
        self.init(
            metric: metric, groupBy: groupBy,
            selection: AnswerSelection(
                from: from, to: to, filters: filters, includeSuspect: includeSuspect, includePartial: includePartial),
            minimumCount: minimumCount)
    }

    /// Responses completed at or after this time.
    public var from: Date? {
        get { selection.from }
        set { selection.from = newValue }
    }
    /// Responses completed before this time.
    public var to: Date? {
        get { selection.to }
        set { selection.to = newValue }
    }
    /// Equality filters, e.g. `[.site: "stockholm-city", .stage: "own"]` (time dimensions are ignored).
    public var filters: [ReportDimension: String] {
        get { selection.filters }
        set { selection.filters = newValue }
    }
    /// Include responses marked suspect (default no).
    public var includeSuspect: Bool {
        get { selection.includeSuspect }
        set { selection.includeSuspect = newValue }
    }
    /// Include partial responses (default no).
    public var includePartial: Bool {
        get { selection.includePartial }
        set { selection.includePartial = newValue }
    }

    /// Parses a `from`/`to` bound: an ISO 8601 time, or a `YYYY-MM-DD` day (UTC).
    ///
    /// A day given as the upper bound (`isEnd`) includes that whole day (it becomes the next midnight);
    /// as the lower bound it is that day's midnight. Returns nil for anything else.
    public static func parseTime(_ text: String, isEnd: Bool) -> Date? {
        if let day = ReportCalendar.dayNumber(text) {
            return ReportCalendar.midnight(ofDay: isEnd ? day + 1 : day)
        }
        return Timestamp.date(text)
    }
}

/// Reports answered from the aggregates kept at ingest, and the raw answers for export.
public protocol ReportStorage: Sendable {
    /// The report for `query`, from the aggregates kept at ingest (raw rows only for partial days at the edges).
    func report(_ query: ReportQuery) async throws -> Report

    /// Up to `limit` raw answers selected by `selection`, ordered by response id and answer position,
    /// starting after `after` (the last answer of the previous page; nil for the first page).
    func exportAnswers(_ selection: AnswerSelection, after: ExportedAnswer?, limit: Int) async throws -> [ExportedAnswer]

    /// Yes/no and choice answers selected by `query` (its metric is ignored), counted per group and option from the
    /// raw rows; grouped by ``ChoiceReport/grouping(for:)``.
    func choiceReport(_ query: ReportQuery) async throws -> ChoiceReport

    /// How many responses `selection` picks were completed in each UTC hour (keys: the hour's start), from the raw
    /// rows; a `question` filter is ignored (it selects answers, not responses).
    func responsesPerHour(_ selection: AnswerSelection) async throws -> [Date: Int]
}

extension ReportStorage {
    /// Streams every answer selected by `selection` (after `start`, if given) to `body`, `chunkSize` answers
    /// at a time, without holding more than one chunk in memory.
    public func exportAnswers(
        _ selection: AnswerSelection, after start: ExportedAnswer? = nil, chunkSize: Int = 2000,
        _ body: ([ExportedAnswer]) async throws -> Void
    ) async throws {
        let limit = max(1, chunkSize)
        var last = start
        while true {
            let page = try await exportAnswers(selection, after: last, limit: limit)
            if !page.isEmpty {
                try await body(page)
            }
            guard page.count == limit, let end = page.last else { return }
            last = end
        }
    }
}

/// A computed report: the query it answers, one row per group, and the overall row.
public struct Report: Sendable, Hashable, Codable {
    /// The score computed.
    public var metric: ReportMetric
    /// The grouping, in order.
    public var groupBy: [ReportDimension]
    /// The lower time bound, if any.
    public var from: Date?
    /// The upper time bound (exclusive), if any.
    public var to: Date?
    /// The equality filters, by dimension name.
    public var filters: [String: String]
    /// Whether suspect responses were counted.
    public var includeSuspect: Bool
    /// Whether partial responses were counted.
    public var includePartial: Bool
    /// Rows with fewer answers than this are flagged ``ReportRow/tooSmall``.
    public var minimumCount: Int
    /// One row per group, sorted by the group's values in ``groupBy`` order.
    public var rows: [ReportRow]
    /// Every counted answer in one row.
    public var total: ReportRow
    /// What the report says about privacy beside its figures (``ReportNotes``), when an outlet asked; nil otherwise.
    public var notes: ReportNotes?

    /// Builds a report from tallies keyed by group values (in `query.groupBy` order): pure.
    public init(query: ReportQuery, tallies: [[String]: ReportTally]) {
        metric = query.metric
        groupBy = query.groupBy
        from = query.from
        to = query.to
        filters = Dictionary(uniqueKeysWithValues: query.filters.filter { !$0.key.isTime }.map { ($0.key.rawValue, $0.value) })
        includeSuspect = query.includeSuspect
        includePartial = query.includePartial
        minimumCount = query.minimumCount
        let keys = tallies.keys.sorted { $0.lexicographicallyPrecedes($1) }
        rows = keys.map { key in
            let group = Dictionary(uniqueKeysWithValues: zip(query.groupBy.map(\.rawValue), key))
            return ReportRow(metric: query.metric, group: group, tally: tallies[key] ?? ReportTally(), minimumCount: query.minimumCount)
        }
        total = ReportRow(
            metric: query.metric, group: [:], tally: tallies.values.reduce(ReportTally(), +), minimumCount: query.minimumCount)
    }
}

/// One group of a report: its dimension values, its count and its figures.
///
/// The figures present depend on the metric: NPS has ``score``, ``marginOfError``, ``promoters``,
/// ``passives`` and ``detractors``; CES has ``mean``, ``scale``, ``easy`` and ``easyShare``; CSAT has ``satisfied``
/// and ``score`` (the share of 4–5 in percent). Figures are nil for an empty group.
public struct ReportRow: Sendable, Hashable, Codable {
    /// The group's value of each grouped dimension, by dimension name (empty for the overall row).
    public var group: [String: String]
    /// The number of answers counted.
    public var n: Int
    /// Whether ``n`` is below the report's minimum count: shown, but not to be trusted.
    public var tooSmall: Bool
    /// NPS (−100…100) or CSAT (% of 4–5).
    public var score: Double?
    /// NPS: the 95 % margin of error in NPS points.
    public var marginOfError: Double?
    /// NPS: answers of 9–10.
    public var promoters: Int?
    /// NPS: answers of 7–8.
    public var passives: Int?
    /// NPS: answers of 0–6.
    public var detractors: Int?
    /// CES: the mean answer; nil when the group mixes scales (1–5 and 1–7 answers do not average).
    public var mean: Double?
    /// CES: the scale of the answers (5 or 7 points); nil when the group mixes scales.
    public var scale: Int?
    /// CES: the answers at the easy end of their scale.
    public var easy: Int?
    /// CES: the share of easy answers in percent.
    public var easyShare: Double?
    /// CSAT: answers of 4–5.
    public var satisfied: Int?

    /// The row of `metric` for one group's tally: pure.
    public init(metric: ReportMetric, group: [String: String], tally: ReportTally, minimumCount: Int) {
        self.group = group
        n = tally.count
        tooSmall = tally.count < minimumCount
        switch metric {
        case .nps:
            let result = tally.nps
            score = result.score
            marginOfError = result.marginOfError
            promoters = result.promoters
            passives = result.passives
            detractors = result.detractors
        case .ces:
            let result = tally.ces
            scale = tally.scale
            mean = scale == nil ? nil : result.mean
            easy = result.easy
            easyShare = result.easyShare
        case .csat:
            let result = tally.csat
            score = result.score
            satisfied = result.satisfied
        }
    }

    /// The row's value of `dimension` ("" if the report is not grouped by it).
    public func value(_ dimension: ReportDimension) -> String {
        group[dimension.rawValue] ?? ""
    }
}
