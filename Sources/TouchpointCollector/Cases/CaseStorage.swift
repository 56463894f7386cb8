import Foundation
import TouchpointCore

/// Where follow-up cases are kept.
///
/// Cases are opened by ``CollectorStorage/ingest(_:health:kiosk:at:)`` in the transaction that stores their
/// response (an item's ``VerifiedItem/followUp``), so a resent batch, which stores nothing new, opens nothing new.
public protocol CaseStorage: Sendable {
    /// The cases `query` selects, newest first (by opening time, then id), without their history.
    func cases(_ query: CaseQuery) async throws -> [FollowUpCase]

    /// The case of response `id` with its scores, comments and history; nil if there is none.
    func followUpCase(_ id: String) async throws -> FollowUpCase?

    /// Applies `change` by `actor` at `date` to case `id` in one transaction and returns the case after it.
    ///
    /// Throws `.notFound` for no such case; `.conflict` or `.invalidInput` as
    /// ``FollowUpCase/applying(_:by:at:)`` does (nothing is changed then). Concurrent changes to one case from
    /// several processes are serialised, so each sees the other's result.
    @discardableResult
    func changeCase(_ id: String, _ change: CaseChange, by actor: String, at date: Date) async throws -> FollowUpCase

    /// Queues one overdue notice per case that is due by `date`, not closed and not yet noticed, in one
    /// transaction: marks it noticed and, if `rules` name a channel for its owner, queues the post
    /// (``CaseNotice/overdue(_:link:at:)``) in the feed outbox. Returns the cases noticed. Safe with several
    /// processes: a case is noticed, and posted, once.
    func noticeOverdueCases(rules: CaseRules, links: CaseLinks?, at date: Date) async throws -> [FollowUpCase]
}

/// Which cases ``CaseStorage/cases(_:)`` returns; every filter is optional.
public struct CaseQuery: Sendable, Hashable {
    /// Only these statuses (empty: all).
    public var statuses: Set<CaseStatus>
    /// Only cases that are overdue at this time (not closed, due by then).
    public var overdueAt: Date?
    /// Only this site.
    public var site: String?
    /// Only this owner (`""`: only cases nobody owns).
    public var owner: String?
    /// Only cases opened at or after this time.
    public var openedFrom: Date?
    /// Only cases opened before this time.
    public var openedTo: Date?
    /// Only this touchpoint.
    public var touchpoint: String?
    /// Only this stage.
    public var stage: JourneyStage?
    /// Only this survey id.
    public var survey: String?
    /// Only this language.
    public var language: String?
    /// At most this many (nil: all).
    public var limit: Int?

    /// Creates a query; with no arguments it selects every case.
    public init(
        statuses: Set<CaseStatus> = [], overdueAt: Date? = nil, site: String? = nil, owner: String? = nil,
        openedFrom: Date? = nil, openedTo: Date? = nil, limit: Int? = nil
    ) {
        self.statuses = statuses
        self.overdueAt = overdueAt
        self.site = site
        self.owner = owner
        self.openedFrom = openedFrom
        self.openedTo = openedTo
        self.limit = limit
    }

    /// Whether `followUp` is selected (the same filter the storages apply in SQL; limit aside).
    public func matches(_ followUp: FollowUpCase) -> Bool {
        (statuses.isEmpty || statuses.contains(followUp.status))
            && (overdueAt.map { followUp.isOverdue(at: $0) } ?? true)
            && (site.map { $0 == followUp.site } ?? true)
            && (owner.map { $0 == (followUp.owner ?? "") } ?? true)
            && (openedFrom.map { followUp.openedAt >= $0 } ?? true)
            && (openedTo.map { followUp.openedAt < $0 } ?? true)
            && (touchpoint.map { $0 == followUp.touchpoint } ?? true) && (stage.map { $0 == followUp.stage } ?? true)
            && (survey.map { $0 == followUp.surveyID } ?? true) && (language.map { $0 == followUp.language } ?? true)
    }
}

/// Where a case is opened in a browser: `<base>/cases/<response id>` on the collector's dashboard.
public struct CaseLinks: Sendable, Hashable {
    /// The collector's address as people reach it, e.g. `https://cx.example.com`.
    public var base: URL

    /// Creates links under `base`.
    public init(base: URL) {
        self.base = base
    }

    /// The case page of response `id`.
    public func url(of id: String) -> URL {
        base.appendingPathComponent("cases").appendingPathComponent(id)
    }
}

/// The feed posts about cases.
public enum CaseNotice {
    /// The outbox event of an overdue notice (one per case and webhook).
    public static let overdueEvent = "case-overdue"

    /// The Slack text of an overdue notice: trigger, where, owner, how late, and the link.
    public static func overdue(_ followUp: FollowUpCase, link: URL?, at date: Date) -> String {
        var parts = [
            "*Overdue follow-up*: \(FeedEvent.escaped(followUp.trigger))", FeedEvent.escaped(followUp.site),
            FeedEvent.escaped("\(followUp.touchpoint) (\(followUp.stage.rawValue))"),
            "owner " + FeedEvent.escaped(followUp.owner ?? "nobody"),
            "due \(FeedEvent.time(followUp.dueAt)) (\(FleetAlerts.span(date.timeIntervalSince(followUp.dueAt))) ago)",
            followUp.status.rawValue,
        ]
        if let account = followUp.account, !account.isEmpty {
            parts.append("account " + FeedEvent.escaped(account))
        }
        var text = "⏰ " + parts.joined(separator: " · ")
        if let link {
            text += "\n<\(link.absoluteString)|Open the case>"
        }
        return text
    }
}
