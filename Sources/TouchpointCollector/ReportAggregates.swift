import Foundation
import TouchpointCore

/// Which part of a time range a report reads from the aggregates (whole UTC days) and which from raw rows
/// (the partial days at either edge): pure.
public struct ReportPlan: Sendable {
    /// Whole days `[from, to)` by day number, nil bounds open; nil when no whole day is in range.
    public var aggregateDays: (from: Int64?, to: Int64?)?
    /// Time ranges `[from, to)` read from raw rows.
    public var rawRanges: [(from: Date?, to: Date?)]

    /// Splits `[from, to)` (nil bounds open) into whole days and partial edges.
    public init(from: Date?, to: Date?) {
        let firstDay = from.map { ReportCalendar.isMidnight($0) ? ReportCalendar.dayNumber(of: $0) : ReportCalendar.dayNumber(of: $0) + 1 }
        let endDay = to.map { ReportCalendar.dayNumber(of: $0) }
        if let firstDay, let endDay, firstDay >= endDay {
            aggregateDays = nil
            rawRanges = [(from, to)]
            return
        }
        aggregateDays = (firstDay, endDay)
        rawRanges = []
        if let from, let firstDay, !ReportCalendar.isMidnight(from) {
            rawRanges.append((from, ReportCalendar.midnight(ofDay: firstDay)))
        }
        if let to, let endDay, !ReportCalendar.isMidnight(to) {
            rawRanges.append((ReportCalendar.midnight(ofDay: endDay), to))
        }
    }
}

/// The report aggregates of the responses stored in one transaction, summed per key in memory and
/// written with one upsert per key before the transaction commits.
///
/// A batch from one kiosk mostly shares its site, day and survey, so a few dozen upserts replace one per
/// answer.
public struct ReportAggregateBatch: Sendable {
    /// What one aggregate row is kept for (a storage keeps one row per key).
    public struct Key: Hashable, Sendable {
        /// The metric type, UTC day, and the dimensions a report can group or filter by.
        public var type, day, site, touchpoint, stage, survey, question, language: String
        /// The scale's points (CES 5 or 7; NPS and CSAT their fixed scales).
        public var points: Int
        /// Whether the responses were flagged suspect, and whether they are partial.
        public var suspect, partial: Bool

        /// Creates a key.
        public init(type: String, day: String, site: String, touchpoint: String, stage: String, survey: String,
                    question: String, language: String, points: Int, suspect: Bool, partial: Bool) {
            self.type = type
            self.day = day
            self.site = site
            self.touchpoint = touchpoint
            self.stage = stage
            self.survey = survey
            self.question = question
            self.language = language
            self.points = points
            self.suspect = suspect
            self.partial = partial
        }
    }

    /// A CES question's scale, recorded so a recomputation reads its answers as ingest did.
    public struct Scale: Hashable, Sendable {
        /// The survey id.
        public var survey: String
        /// The survey version.
        public var version: Int
        /// The CES question id.
        public var question: String
        /// Its scale's points (5 or 7).
        public var points: Int

        /// Creates a scale record.
        public init(survey: String, version: Int, question: String, points: Int) {
            self.survey = survey
            self.version = version
            self.question = question
            self.points = points
        }
    }

    /// The summed tally of each key.
    public private(set) var tallies: [Key: ReportTally] = [:]
    /// The CES scales seen.
    public var scales: Set<Scale> = []

    /// An empty batch.
    public init() {}

    /// Adds `tally` to the row of `key`.
    public mutating func add(_ key: Key, _ tally: ReportTally) {
        tallies[key, default: ReportTally()] += tally
    }

    /// Adds a newly stored response: one tally per scored answer, and the CES scales it uses.
    ///
    /// `cesPoints` gives the scale of each CES question (see ``VerifiedItem/cesPoints``); a CES question
    /// missing from it is taken as 1–7. A storage writes the batch before its ingest transaction commits.
    public mutating func add(_ response: SurveyResponse, cesPoints: [String: Int]) {
        let day = ReportCalendar.day(of: response.completedAt)
        for answer in response.answers {
            guard let metric = ReportMetric(rawValue: answer.type.rawValue), case .number(let value) = answer.value else {
                continue
            }
            let points = metric == .ces ? cesPoints[answer.question] ?? ReportTally.defaultPoints(.ces) : ReportTally.defaultPoints(metric)
            if metric == .ces {
                scales.insert(.init(survey: response.survey.id, version: response.survey.version, question: answer.question, points: points))
            }
            add(
                ReportAggregateBatch.Key(
                    type: metric.rawValue, day: day, site: response.site, touchpoint: response.touchpoint,
                    stage: response.stage.rawValue, survey: response.survey.id, question: answer.question,
                    language: response.language, points: points, suspect: response.suspect, partial: response.status == .partial),
                ReportTally(metric, value: value, points: points))
        }
    }
}

extension ReportPlan {
    /// The columns a storage selects for grouping by `groupBy`: its non-time dimensions, then `day` if it
    /// groups by time (weeks and months are made from days).
    public static func selectedDimensions(_ groupBy: [ReportDimension]) -> [ReportDimension] {
        var dimensions: [ReportDimension] = []
        for dimension in groupBy where !dimension.isTime && !dimensions.contains(dimension) {
            dimensions.append(dimension)
        }
        if groupBy.contains(where: \.isTime) {
            dimensions.append(.day)
        }
        return dimensions
    }

    /// Whether months are the only time grouping of `groupBy`, so a storage may select the aggregates' day column as its
    /// month (`YYYY-MM`, the first 7 characters) and sum a month's days itself: ``groupKey(selected:groupBy:value:)``
    /// buckets either into the same month.
    public static func monthsSuffice(_ groupBy: [ReportDimension]) -> Bool {
        let time = groupBy.filter(\.isTime)
        return !time.isEmpty && time.allSatisfy { $0 == .month }
    }

    /// A report group's key from one row's selected columns (`value(i)` is column `i` of
    /// ``selectedDimensions(_:)``), in `groupBy` order, time dimensions bucketed from the day.
    public static func groupKey(selected: [ReportDimension], groupBy: [ReportDimension],
                                value: (Int) throws -> String) rethrows -> [String] {
        try groupBy.map { dimension in
            let text = try value(selected.firstIndex(of: dimension.isTime ? .day : dimension) ?? 0)
            return dimension.isTime ? ReportCalendar.bucket(dimension, day: text) : text
        }
    }
}
