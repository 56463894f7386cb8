import Foundation
import TouchpointCore

/// Which score a report computes.
public enum ReportMetric: String, Sendable, Hashable, Codable, CaseIterable {
    case nps, ces, csat
}

/// What a report can group by (and filter on).
public enum ReportDimension: String, Sendable, Hashable, Codable, CaseIterable {
    case site, touchpoint, stage, survey, question, language, day, week, month
}

/// A report request: one metric, grouped and filtered.
public struct ReportQuery: Sendable, Hashable {
    /// The score computed.
    public var metric: ReportMetric
    /// The grouping, in order (empty: one overall row).
    public var groupBy: [ReportDimension]
    /// Responses completed at or after this time.
    public var from: Date?
    /// Responses completed before this time.
    public var to: Date?
    /// Equality filters, e.g. `[.site: "stockholm-city", .stage: "own"]` (time dimensions excluded).
    public var filters: [ReportDimension: String]
    /// Include responses marked suspect (default no).
    public var includeSuspect: Bool
    /// Include partial responses (default no).
    public var includePartial: Bool
    /// Groups with fewer answers than this are flagged `tooSmall` (not hidden).
    public var minimumCount: Int

    /// Creates a query; defaults leave suspect and partial responses out and flag groups under 30.
    public init(
        metric: ReportMetric, groupBy: [ReportDimension] = [], from: Date? = nil, to: Date? = nil,
        filters: [ReportDimension: String] = [:], includeSuspect: Bool = false, includePartial: Bool = false,
        minimumCount: Int = 30
    ) {
        self.metric = metric
        self.groupBy = groupBy
        self.from = from
        self.to = to
        self.filters = filters
        self.includeSuspect = includeSuspect
        self.includePartial = includePartial
        self.minimumCount = minimumCount
    }
}

/// Reports answered from the aggregates kept at ingest.
public protocol ReportStorage: Sendable {}
