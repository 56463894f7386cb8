import Foundation
import TouchpointCore
import TouchpointCollector

/// What the dashboard shows: a date range and equality filters (site, touchpoint, stage, survey, language), read
/// from the page's query parameters and written back into every link, so following one keeps the view.
///
/// Without `from` and `to` the range is the last ``defaultDays`` UTC days, today included; `range=all` asks for
/// every response.
public struct DashboardFilter: Sendable, Hashable {
    /// How many days the default range covers.
    public static let defaultDays = 90

    /// The query parameters the dashboard takes (``DashboardController`` adds `comments_before`).
    public static let parameters = ["from", "to", "range", "site", "touchpoint", "stage", "survey", "language", "q"]

    /// Responses completed at or after this time (nil: since the first).
    public var from: Date?
    /// Responses completed before this time (nil: up to now).
    public var to: Date?
    /// Whether the range was asked for as `range=all` (no limit).
    public var allTime = false
    /// Whether the range is the default one (no `from`, `to` or `range` given).
    public var isDefaultRange = false
    /// Only this site.
    public var site: String?
    /// Only this touchpoint.
    public var touchpoint: String?
    /// Only this stage.
    public var stage: JourneyStage?
    /// Only this survey id.
    public var survey: String?
    /// Only this language.
    public var language: String?
    /// Only comments containing this text (the comments card's search).
    public var search: String?

    /// Creates a filter.
    public init(
        from: Date? = nil, to: Date? = nil, site: String? = nil, touchpoint: String? = nil, stage: JourneyStage? = nil,
        survey: String? = nil, language: String? = nil, search: String? = nil
    ) {
        self.from = from
        self.to = to
        self.site = site
        self.touchpoint = touchpoint
        self.stage = stage
        self.survey = survey
        self.language = language
        self.search = search
    }

    /// The default range at `now`: the last ``defaultDays`` UTC days, today included.
    public static func defaultRange(at now: Date) -> Date {
        ReportCalendar.midnight(ofDay: ReportCalendar.dayNumber(of: now) - Int64(defaultDays - 1))
    }

    /// Parses the page's parameters (every name in ``parameters``); a problem names the parameter.
    static func parse(_ values: [String: String], now: Date) -> Result<DashboardFilter, ParameterProblem> {
        func problem(_ name: String, _ text: String) -> Result<DashboardFilter, ParameterProblem> {
            .failure(ParameterProblem(parameter: name, message: "\(name): \(text)"))
        }
        if let unknown = values.keys.sorted().first(where: { !parameters.contains($0) }) {
            return problem(unknown, "unknown parameter (known: \(parameters.joined(separator: ", ")))")
        }
        func value(_ name: String) -> String? {
            values[name].map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        }
        var filter = DashboardFilter()
        for (name, isEnd) in [("from", false), ("to", true)] {
            guard let text = value(name) else { continue }
            guard let date = ReportQuery.parseTime(text, isEnd: isEnd) else {
                return problem(name, "must be a day such as 2026-11-01 or an ISO 8601 time such as 2026-11-01T08:00:00Z, not '\(text)'")
            }
            if isEnd { filter.to = date } else { filter.from = date }
        }
        if let from = filter.from, let to = filter.to, from >= to {
            return problem("from", "must be before to")
        }
        switch value("range") {
        case nil:
            if filter.from == nil && filter.to == nil {
                filter.from = defaultRange(at: now)
                filter.isDefaultRange = true
            }
        case "all":
            guard filter.from == nil && filter.to == nil else { return problem("range", "all goes without from and to") }
            filter.allTime = true
        case let other?:
            return problem("range", "must be all (every response), not '\(other)'; give from and to for another range")
        }
        if let text = value("stage") {
            guard let stage = JourneyStage(rawValue: text) else { return problem("stage", "must be shop or own, not '\(text)'") }
            filter.stage = stage
        }
        filter.site = value("site")
        filter.touchpoint = value("touchpoint")
        filter.survey = value("survey")
        filter.language = value("language")
        if let search = value("q") {
            guard search.count <= 200 else { return problem("q", "at most 200 characters") }
            filter.search = search
        }
        return .success(filter)
    }

    /// The equality filters as a report's selection filters.
    public var dimensionFilters: [ReportDimension: String] {
        var filters: [ReportDimension: String] = [:]
        filters[.site] = site
        filters[.touchpoint] = touchpoint
        filters[.stage] = stage?.rawValue
        filters[.survey] = survey
        filters[.language] = language
        return filters
    }

    /// Whether any equality filter is set.
    public var isFiltered: Bool { !dimensionFilters.isEmpty }

    /// The selection of the range and filters, for reports.
    public var selection: AnswerSelection {
        AnswerSelection(from: from, to: to, filters: dimensionFilters)
    }

    /// The period of the same length just before this one (`to` defaulting to `now`); nil without a start.
    public func previousPeriod(now: Date) -> (from: Date, to: Date)? {
        guard let from else { return nil }
        let end = to ?? max(now, from)
        let length = end.timeIntervalSince(from)
        guard length > 0 else { return nil }
        return (from.addingTimeInterval(-length), from)
    }

    /// The query items that reproduce this view, in a fixed order (the default range gives none).
    public var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if allTime {
            items.append(("range", "all"))
        } else if !isDefaultRange {
            if let from { items.append(("from", Timestamp.string(from))) }
            if let to { items.append(("to", Timestamp.string(to))) }
        }
        for (name, value) in [("site", site), ("touchpoint", touchpoint), ("stage", stage?.rawValue), ("survey", survey),
                              ("language", language), ("q", search)] {
            if let value { items.append((name, value)) }
        }
        return items
    }

    /// `path` with this view's parameters and `extra` ones, percent-encoded.
    public func link(_ path: String = "/", extra: [(String, String)] = [], dropping: Set<String> = []) -> String {
        QueryLink.make(path, (queryItems + extra).filter { !dropping.contains($0.0) })
    }
}
