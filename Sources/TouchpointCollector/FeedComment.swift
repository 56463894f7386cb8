import Foundation
import TouchpointCore

/// The live comment feed: stored comments, newest first, and the outbox that posts them to webhooks.
///
/// The outbox is filled from stored responses only (never from the ingest transaction), by a cursor over
/// the order responses were stored in: a re-sent batch stores nothing new, so it posts nothing twice.
public protocol FeedStorage: Sendable {
    /// Free-text comments matching `query`, newest first (by response id, a UUIDv7 of the completion time).
    ///
    /// A response's comments are never split across pages, so a page may hold a few more than `query.limit`.
    func comments(_ query: CommentQuery) async throws -> [FeedComment]

    /// Turns up to `limit` responses stored since the last call into outbox rows for `webhooks`, in one transaction.
    ///
    /// One row per (response, event, webhook whose route matches), with its message rendered; the cursor moves
    /// past the responses read. The first call on a database only records where the feed starts (the newest
    /// stored response), so switching the feed on does not post the history. A post about a response that opened
    /// a follow-up case links to it with `caseLinks`.
    func fanOut(to webhooks: [Webhook], caseLinks: CaseLinks?, at date: Date, limit: Int) async throws -> FeedFanOut

    /// The oldest pending outbox row of the webhook named `webhook`, due or not; nil if none is pending.
    func nextPending(webhook: String) async throws -> OutboxEntry?

    /// Records the outcome of one delivery attempt of outbox row `id` (counted in its attempts).
    func record(_ outcome: OutboxOutcome, for id: Int64, at date: Date) async throws

    /// Pending, delivered and failed counts per webhook name, and names with pending rows.
    func outboxStatus() async throws -> OutboxStatus
}

extension FeedStorage {
    /// Fans out without links to follow-up cases; see ``FeedStorage/fanOut(to:caseLinks:at:limit:)``.
    public func fanOut(to webhooks: [Webhook], at date: Date, limit: Int) async throws -> FeedFanOut {
        try await fanOut(to: webhooks, caseLinks: nil, at: date, limit: limit)
    }
}

extension FeedComment {
    /// Masks the personal data in each comment of `comments` (``TouchpointCore/PersonalData``); returns how many items
    /// of each kind were masked.
    public static func maskPersonalData(in comments: inout [FeedComment]) -> [PersonalData.Kind: Int] {
        var counts: [PersonalData.Kind: Int] = [:]
        for index in comments.indices {
            let result = PersonalData.mask(comments[index].text)
            guard result.isChanged else { continue }
            comments[index].text = result.text
            counts.merge(result.counts, uniquingKeysWith: +)
        }
        return counts
    }
}

extension CommentQuery {
    /// The search text as storages compare it: lowercased as Swift does (each storage lowercases the comments alike).
    public var foldedText: String? { text?.lowercased() }

    /// This query answered by looking for ``text`` in the opened comments rather than in SQL (comments sealed at rest):
    /// pages through `fetch` without the text, newest first, keeping the matching comments, until ``limit`` are found
    /// (the last response's other matching comments kept with them) or the comments end.
    public func searchingOpenedText(_ fetch: (CommentQuery) async throws -> [FeedComment]) async throws -> [FeedComment] {
        guard let folded = foldedText else { return try await fetch(self) }
        var page = self
        page.text = nil
        page.limit = max(limit, 500)
        var found: [FeedComment] = []
        while true {
            let batch = try await fetch(page)
            found += batch.filter { $0.text.lowercased().contains(folded) }
            if found.count >= limit {
                let lastID = found[limit - 1].responseID
                return Array(found.prefix(limit)) + found.dropFirst(limit).prefix { $0.responseID == lastID }
            }
            guard batch.count >= page.limit, let last = batch.last else { return found }
            page.before = .response(last.responseID)
        }
    }
}

/// One free-text comment with the context of its response, as `GET /v1/comments` returns it.
public struct FeedComment: Sendable, Hashable, Codable {
    /// The response's id.
    public var responseID: String
    /// When the response was completed.
    public var completedAt: Date
    /// The site.
    public var site: String
    /// The kiosk.
    public var kiosk: String
    /// The touchpoint.
    public var touchpoint: String
    /// The journey stage.
    public var stage: JourneyStage
    /// The survey's id.
    public var surveyID: String
    /// The id of the question the comment answers.
    public var questionID: String
    /// The language the survey was answered in.
    public var language: String
    /// The comment as stored.
    public var text: String
    /// The response's (first) NPS answer, if it has one.
    public var npsScore: Int?
    /// The account reference of the response, if any.
    public var account: String?

    /// Creates a comment.
    public init(
        responseID: String, completedAt: Date, site: String, kiosk: String, touchpoint: String, stage: JourneyStage,
        surveyID: String, questionID: String, language: String, text: String, npsScore: Int? = nil,
        account: String? = nil
    ) {
        self.responseID = responseID
        self.completedAt = completedAt
        self.site = site
        self.kiosk = kiosk
        self.touchpoint = touchpoint
        self.stage = stage
        self.surveyID = surveyID
        self.questionID = questionID
        self.language = language
        self.text = text
        self.npsScore = npsScore
        self.account = account
    }
}

/// Which comments ``FeedStorage/comments(_:)`` returns; every filter is optional.
public struct CommentQuery: Sendable, Hashable {
    /// The largest accepted ``limit``.
    public static let maximumLimit = 500

    /// Where a page ends: before a response (by id) or before a time.
    public enum Before: Sendable, Hashable {
        /// Comments of responses older than the response with this id.
        case response(String)
        /// Comments of responses completed before this time.
        case time(Date)
    }

    /// How many comments (1…``maximumLimit``; default 50).
    public var limit: Int
    /// Only comments older than this.
    public var before: Before?
    /// Only comments of responses completed at or after this time.
    public var since: Date?
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
    /// Only comments containing this text, in any case (Unicode case folding: `ÅTERKOM` finds `återkom`).
    public var text: String?

    /// Creates a query; `limit` is clamped to 1…``maximumLimit``.
    public init(
        limit: Int = 50, before: Before? = nil, since: Date? = nil, site: String? = nil, touchpoint: String? = nil,
        stage: JourneyStage? = nil, survey: String? = nil, language: String? = nil, text: String? = nil
    ) {
        self.language = language
        self.text = text.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        self.limit = min(max(limit, 1), Self.maximumLimit)
        self.before = before
        self.since = since
        self.site = site
        self.touchpoint = touchpoint
        self.stage = stage
        self.survey = survey
    }
}
