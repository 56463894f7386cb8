import Foundation
import TouchpointCore

/// What to erase (`touchpoint collector erase`).
public enum ErasureRequest: Sendable, Hashable {
    /// One whole response: its row, its answers, its follow-up case and pending posts; aggregates adjusted, and its
    /// (kiosk, sequence) remembered as erased so the fleet view does not report it missing.
    case response(String)
    /// The personal fields of every response of an account: the account reference and the comments; also the
    /// account's aggregates, health history and CRM row, and the account on its cases (their notes removed).
    case account(String)
    /// The comments of one site containing a text (any case): the comment answers only.
    case comments(matching: String, site: String)

    /// How the erasure log names the request's kind.
    public var kind: String {
        switch self {
        case .response: "response"
        case .account: "account"
        case .comments: "comments"
        }
    }

    /// What the request names, as the erasure log keeps it: a SHA-256 of it (so the log holds no personal data, yet
    /// a later question "was this erased?" can be answered by hashing the same text).
    public var targetDigest: String {
        switch self {
        case .response(let id): SurveyDigest.sha256(Data(id.lowercased().utf8))
        case .account(let account): SurveyDigest.sha256(Data(Account.matchingKey(account).utf8))
        case .comments(let text, let site): SurveyDigest.sha256(Data((site + "\n" + text.lowercased()).utf8))
        }
    }
}

/// What an erasure removed (or, dry, would remove).
public struct ErasureSummary: Sendable, Hashable, Codable {
    /// Whole responses removed.
    public var responses = 0
    /// Comment answers removed.
    public var comments = 0
    /// Account references removed from responses.
    public var accountReferences = 0
    /// Follow-up cases removed (with their history) or stripped of account and notes.
    public var cases = 0
    /// Pending feed posts removed.
    public var posts = 0
    /// Accounts erased by the retention policy (no response since its horizon).
    public var accounts = 0
    /// Whether this was a dry run (nothing changed).
    public var dryRun = false

    /// Creates a summary.
    public init(
        responses: Int = 0, comments: Int = 0, accountReferences: Int = 0, cases: Int = 0, posts: Int = 0, accounts: Int = 0,
        dryRun: Bool = false
    ) {
        self.responses = responses
        self.accounts = accounts
        self.comments = comments
        self.accountReferences = accountReferences
        self.cases = cases
        self.posts = posts
        self.dryRun = dryRun
    }

    /// Whether nothing matched.
    public var isEmpty: Bool { responses == 0 && comments == 0 && accountReferences == 0 && cases == 0 && posts == 0 && accounts == 0 }

    /// Adds what `other` removed.
    public mutating func add(_ other: ErasureSummary) {
        responses += other.responses
        comments += other.comments
        accountReferences += other.accountReferences
        cases += other.cases
        posts += other.posts
        accounts += other.accounts
    }

    /// `2 responses, 3 comments, …` for people.
    public var description: String {
        let parts: [(Int, String, String)] = [
            (accounts, "inactive account", "inactive accounts"), (responses, "response", "responses"), (comments, "comment", "comments"),
            (accountReferences, "account reference", "account references"), (cases, "follow-up case", "follow-up cases"),
            (posts, "pending feed post", "pending feed posts"),
        ]
        let said = parts.filter { $0.0 > 0 }.map { "\($0.0) \($0.0 == 1 ? $0.1 : $0.2)" }
        return said.isEmpty ? "nothing" : said.joined(separator: ", ")
    }
}

/// One line of the erasure log: what kind of erasure, when, by whom, how much — never the content.
public struct ErasureRecord: Sendable, Hashable, Codable {
    /// When.
    public var at: Date
    /// Who (`cli:USER`).
    public var actor: String
    /// `response`, `account`, `comments`, or `retention` (a run of the retention policy).
    public var kind: String
    /// ``ErasureRequest/targetDigest``; for `retention`, the horizons applied (``RetentionHorizons/description``).
    public var targetDigest: String
    /// What was removed.
    public var summary: ErasureSummary

    /// Creates a record.
    public init(at: Date, actor: String, kind: String, targetDigest: String, summary: ErasureSummary) {
        self.at = at
        self.actor = actor
        self.kind = kind
        self.targetDigest = targetDigest
        self.summary = summary
    }
}

/// Erasure of personal data and its log (GDPR article 17), in one transaction per request.
public protocol ErasureStorage: Sendable {
    /// Erases what `request` names (see ``ErasureRequest``) and logs it, in one transaction; with `dryRun` changes
    /// nothing and logs nothing, and says what would go. Report aggregates stay equal to a recomputation from the raw
    /// rows that remain.
    func erase(_ request: ErasureRequest, by actor: String, at date: Date, dryRun: Bool) async throws -> ErasureSummary

    /// The erasure log, oldest first.
    func erasures() async throws -> [ErasureRecord]

    /// Everything the response and health tables hold about `account` (matched as ``Account/matchingKey(_:)``), for
    /// an access request (``SubjectAccessReport``).
    func accountRecords(_ account: String) async throws -> AccountRecords
}

extension ReportAggregateBatch {
    /// Takes a stored response out again (its erasure): the negation of ``add(_:cesPoints:)``.
    public mutating func remove(_ response: SurveyResponse, cesPoints: [String: Int]) {
        var added = ReportAggregateBatch()
        added.add(response, cesPoints: cesPoints)
        for (key, tally) in added.tallies {
            add(key, ReportTally(count: -tally.count, sum: -tally.sum, top: -tally.top, middle: -tally.middle, bottom: -tally.bottom))
        }
    }
}

extension AnswerValue {
    /// The answer a storage's columns hold (the inverse of ``storedColumns``); nil when they do not fit `type`.
    public static func stored(type: QuestionType, number: Int?, text: String?) -> AnswerValue? {
        switch type {
        case .nps, .ces, .csat: number.map { .number($0) }
        case .yesno: number.map { .bool($0 != 0) }
        case .choice: text.map { .option($0) }
        case .text: text.map { .text($0) }
        }
    }
}
