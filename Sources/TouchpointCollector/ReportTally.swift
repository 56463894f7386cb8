import TouchpointCore

/// The sufficient statistics of a set of NPS, CES or CSAT answers: what aggregates store per group.
///
/// Every figure of a report row follows from these five counts, so tallies add up exactly across days,
/// sites or any other grouping. The bands come from ``Scoring``: for NPS `top`/`middle`/`bottom` are
/// promoters/passives/detractors; for CES `top` counts easy answers; for CSAT `top` counts 4–5.
public struct ReportTally: Sendable, Hashable {
    /// Number of answers.
    public var count: Int
    /// Sum of the answers.
    public var sum: Int
    /// Answers in the top band (promoters, easy, satisfied).
    public var top: Int
    /// Answers in the middle band (NPS passives; 0 for CES and CSAT).
    public var middle: Int
    /// Answers in the bottom band (NPS detractors; 0 for CES and CSAT).
    public var bottom: Int
    /// The scales (number of points) the answers were given on, one bit per scale (bit 5 for 1–5…).
    public var scales: UInt64

    /// Creates a tally; all zero by default.
    public init(count: Int = 0, sum: Int = 0, top: Int = 0, middle: Int = 0, bottom: Int = 0, scales: UInt64 = 0) {
        self.count = count
        self.sum = sum
        self.top = top
        self.middle = middle
        self.bottom = bottom
        self.scales = scales
    }

    /// The bit of a scale of `points` in ``scales``.
    public static func scaleBit(_ points: Int) -> UInt64 {
        (1...63).contains(points) ? 1 << UInt64(points) : 1
    }

    /// The one scale all answers were given on; nil when there are none or scales are mixed.
    public var scale: Int? {
        guard scales != 0, scales & (scales - 1) == 0 else { return nil }
        return scales.trailingZeroBitCount
    }

    /// The tally of `times` equal answers `value` to a `metric` question on a 1…`points` scale (CES only).
    public init(_ metric: ReportMetric, value: Int, points: Int, times: Int = 1) {
        self.init(count: times, sum: value * times, scales: Self.scaleBit(points))
        switch metric {
        case .nps:
            switch Scoring.NPSBand(value) {
            case .promoter: top = times
            case .passive: middle = times
            case .detractor: bottom = times
            }
        case .ces:
            if Scoring.isEasy(value, points: points) { top = times }
        case .csat:
            if Scoring.isSatisfied(value) { top = times }
        }
    }

    /// The two tallies together.
    public static func + (lhs: ReportTally, rhs: ReportTally) -> ReportTally {
        ReportTally(
            count: lhs.count + rhs.count, sum: lhs.sum + rhs.sum, top: lhs.top + rhs.top,
            middle: lhs.middle + rhs.middle, bottom: lhs.bottom + rhs.bottom, scales: lhs.scales | rhs.scales)
    }

    /// Adds `other` to this tally.
    public static func += (lhs: inout ReportTally, rhs: ReportTally) {
        lhs = lhs + rhs
    }

    /// The tally read as NPS answers.
    public var nps: NPSResult {
        NPSResult(count: count, promoters: top, passives: middle, detractors: bottom)
    }

    /// The tally read as CES answers.
    public var ces: CESResult {
        CESResult(count: count, sum: sum, easy: top)
    }

    /// The tally read as CSAT answers.
    public var csat: CSATResult {
        CSATResult(count: count, satisfied: top)
    }

    /// The scale a report assumes for a question of `metric` whose scale is not recorded (CES: 1–7).
    public static func defaultPoints(_ metric: ReportMetric) -> Int {
        switch metric {
        case .nps: 10
        case .ces: 7
        case .csat: 5
        }
    }
}
