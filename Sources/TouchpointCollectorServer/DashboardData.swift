import Foundation
import TouchpointCore
import TouchpointCollector

/// Everything the dashboard shows, gathered from storage before rendering.
///
/// A plain value: ``DashboardPage`` turns it into HTML without touching storage, so the page can be
/// rendered (and tested) from a fixture.
public struct DashboardData: Sendable, Hashable {
    /// The NPS of one group (a touchpoint in a stage, a month, or everything).
    public struct NPSFigure: Sendable, Hashable {
        /// The group's label: a touchpoint, a site, a month (`2026-11`), or empty for the overall figure.
        public var label: String
        /// The journey stage, when the group is a touchpoint in a stage.
        public var stage: JourneyStage?
        /// The NPS from −100 to 100; nil without answers.
        public var score: Double?
        /// Half the width of the 95% confidence interval, in NPS points.
        public var marginOfError: Double?
        /// How many NPS answers.
        public var count: Int
        /// Answers of 9–10.
        public var promoters: Int
        /// Answers of 7–8.
        public var passives: Int
        /// Answers of 0–6.
        public var detractors: Int
        /// Whether the group has fewer answers than the configured minimum.
        public var tooSmall: Bool

        /// Creates a figure.
        public init(
            label: String, stage: JourneyStage? = nil, score: Double?, marginOfError: Double?, count: Int,
            promoters: Int = 0, passives: Int = 0, detractors: Int = 0, tooSmall: Bool = false
        ) {
            self.label = label
            self.stage = stage
            self.score = score
            self.marginOfError = marginOfError
            self.count = count
            self.promoters = promoters
            self.passives = passives
            self.detractors = detractors
            self.tooSmall = tooSmall
        }
    }

    /// CES and CSAT of one touchpoint.
    public struct TouchpointScores: Sendable, Hashable {
        /// The touchpoint.
        public var touchpoint: String
        /// The mean CES answer; nil without CES answers, or when they mix scales.
        public var cesMean: Double?
        /// The points of the CES scale (5 or 7); nil when unknown or mixed.
        public var cesScale: Int?
        /// The share of "easy" CES answers, 0…1.
        public var cesEasyShare: Double?
        /// How many CES answers.
        public var cesCount: Int
        /// Whether the CES answers are fewer than the configured minimum.
        public var cesTooSmall: Bool
        /// The share of CSAT answers of 4–5, 0…1; nil without CSAT answers.
        public var csatShare: Double?
        /// How many CSAT answers.
        public var csatCount: Int
        /// Whether the CSAT answers are fewer than the configured minimum.
        public var csatTooSmall: Bool

        /// Creates the scores of a touchpoint.
        public init(
            touchpoint: String, cesMean: Double? = nil, cesScale: Int? = nil, cesEasyShare: Double? = nil, cesCount: Int = 0,
            cesTooSmall: Bool = false, csatShare: Double? = nil, csatCount: Int = 0, csatTooSmall: Bool = false
        ) {
            self.touchpoint = touchpoint
            self.cesMean = cesMean
            self.cesScale = cesScale
            self.cesEasyShare = cesEasyShare
            self.cesCount = cesCount
            self.cesTooSmall = cesTooSmall
            self.csatShare = csatShare
            self.csatCount = csatCount
            self.csatTooSmall = csatTooSmall
        }
    }

    /// One account on the health matrix.
    public struct AccountPoint: Sendable, Hashable {
        /// The account id.
        public var id: String
        /// Its display name.
        public var name: String
        /// The health score, 0…100.
        public var health: Double
        /// Monthly recurring revenue (ARR / 12 when only ARR is known); nil when unknown.
        public var mrr: Double?
        /// The zone its score falls in.
        public var zone: HealthZone
        /// The account owner, if known.
        public var owner: String?

        /// Creates a point.
        public init(id: String, name: String, health: Double, mrr: Double?, zone: HealthZone, owner: String? = nil) {
            self.id = id
            self.name = name
            self.health = health
            self.mrr = mrr
            self.zone = zone
            self.owner = owner
        }
    }

    /// When the data was read.
    public var generatedAt: Date
    /// The range and filters the page shows (kept in its links).
    public var filter: DashboardFilter
    /// Responses completed at or after this time only, if set (``filter``'s).
    public var from: Date? {
        get { filter.from }
        set { filter.from = newValue }
    }
    /// Responses completed before this time only, if set (``filter``'s).
    public var to: Date? {
        get { filter.to }
        set { filter.to = newValue }
    }
    /// The values the filter form offers, per dimension (site, touchpoint, stage, survey, language), sorted.
    public var filterOptions: [ReportDimension: [String]] = [:]
    /// The previous period of the same length, when the range has a start.
    public var previousPeriod: (from: Date, to: Date)? {
        get { previousRange.map { ($0.lowerBound, $0.upperBound) } }
        set { previousRange = newValue.map { $0.from..<$0.to } }
    }
    private var previousRange: Range<Date>?
    /// The overall NPS of the previous period.
    public var previousOverall: NPSFigure?
    /// The NPS per site in the previous period, by site.
    public var previousBySite: [String: NPSFigure] = [:]
    /// The NPS per touchpoint and stage in the previous period, by `touchpoint/stage`.
    public var previousByTouchpoint: [String: NPSFigure] = [:]
    /// Groups with fewer answers than this are flagged.
    public var minimumGroupSize: Int
    /// The NPS over every response in the range.
    public var overall: NPSFigure?
    /// NPS per touchpoint and stage.
    public var npsByTouchpoint: [NPSFigure]
    /// NPS per site, by site id.
    public var npsBySite: [NPSFigure] = []
    /// NPS per month, oldest first (labels `yyyy-MM`).
    public var npsByMonth: [NPSFigure]
    /// CES and CSAT per touchpoint.
    public var scores: [TouchpointScores]
    /// The response id the comments are older than, when paging back; nil for the newest.
    public var commentsBefore: String?
    /// The latest comments, newest first.
    public var comments: [FeedComment]
    /// How many items of personal data the comments shown had masked, by kind (empty when none were, or for an admin).
    public var maskedPersonalData: [PersonalData.Kind: Int] = [:]
    /// Privacy notes on the range shown: raw data the retention policy removed, personal data in its comments.
    public var notes = ReportNotes()
    /// The kiosk fleet.
    public var kiosks: [KioskRecord]
    /// The survey set each kiosk runs beside the one it is to run, by kiosk id (kiosks that reported one).
    public var surveySets: [String: KioskSurveySet] = [:]
    /// The accounts on the health matrix (those with a score).
    public var accounts: [AccountPoint]
    /// Accounts without data to score, not on the matrix.
    public var unscoredAccounts: Int
    /// The zone thresholds of the health model, if known (drawn as bands).
    public var zoneThresholds: HealthModel.ZoneThresholds?
    /// Sections whose data could not be read, with why (shown instead of the section's content).
    public var unavailable: [Section: String]

    /// NPS targets per site and touchpoint, drawn on the bars.
    public var targets = NPSTargets()
    /// Responses per weekday and hour in the view; nil when not read.
    public var volume: VolumeHeatmap?
    /// The yes/no and choice questions in the view, by survey and question; nil when not read.
    public var choices: ChoiceReport?
    /// The follow-up cases opened in the range, by site (closed-loop figures); nil when not read.
    public var caseFigures: CaseReport?

    /// Sections the caller's role does not include: not drawn at all (a viewer sees no comments and no accounts, only
    /// an admin sees the fleet).
    public var hidden: Set<Section> = []
    /// The signed-in user, their role and the session's anti-forgery token, for the sign-out button; nil for an
    /// API token.
    public var signedIn: SignedIn?

    /// Who is signed in, for the sign-out button.
    public struct SignedIn: Sendable, Hashable {
        public var user: String
        public var role: Role
        public var csrf: String
    }

    /// The dashboard's sections, for ``unavailable``.
    public enum Section: String, Sendable, Hashable, CaseIterable {
        case reports, comments, kiosks, accounts
    }

    /// Creates the data of a dashboard; everything but the time defaults to empty.
    public init(
        generatedAt: Date, from: Date? = nil, to: Date? = nil, minimumGroupSize: Int = 30, overall: NPSFigure? = nil,
        npsByTouchpoint: [NPSFigure] = [], npsByMonth: [NPSFigure] = [], scores: [TouchpointScores] = [],
        comments: [FeedComment] = [], kiosks: [KioskRecord] = [], accounts: [AccountPoint] = [], unscoredAccounts: Int = 0,
        zoneThresholds: HealthModel.ZoneThresholds? = nil, unavailable: [Section: String] = [:],
        surveySets: [String: KioskSurveySet] = [:], npsBySite: [NPSFigure] = []
    ) {
        self.npsBySite = npsBySite
        self.surveySets = surveySets
        self.generatedAt = generatedAt
        self.filter = DashboardFilter(from: from, to: to)
        self.minimumGroupSize = minimumGroupSize
        self.overall = overall
        self.npsByTouchpoint = npsByTouchpoint
        self.npsByMonth = npsByMonth
        self.scores = scores
        self.comments = comments
        self.kiosks = kiosks
        self.accounts = accounts
        self.unscoredAccounts = unscoredAccounts
        self.zoneThresholds = zoneThresholds
        self.unavailable = unavailable
    }
}
