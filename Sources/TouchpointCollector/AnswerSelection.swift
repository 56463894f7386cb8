import Foundation
import TouchpointCore

/// Which responses a report or an export reads: a completion-time range, equality filters and flags.
public struct AnswerSelection: Sendable, Hashable {
    /// Responses completed at or after this time.
    public var from: Date?
    /// Responses completed before this time.
    public var to: Date?
    /// Equality filters on the non-time dimensions (time dimensions are ignored).
    public var filters: [ReportDimension: String]
    /// Include responses marked suspect (default no).
    public var includeSuspect: Bool
    /// Include partial responses (default no).
    public var includePartial: Bool

    /// Creates a selection; by default every complete, unsuspicious response.
    public init(
        from: Date? = nil, to: Date? = nil, filters: [ReportDimension: String] = [:], includeSuspect: Bool = false,
        includePartial: Bool = false
    ) {
        self.from = from
        self.to = to
        self.filters = filters
        self.includeSuspect = includeSuspect
        self.includePartial = includePartial
    }
}

/// One stored answer with its response's context: a row of the raw-answer export.
public struct ExportedAnswer: Sendable, Hashable, Codable {
    /// The response id (UUIDv7).
    public var responseID: String
    /// When the response was completed.
    public var completedAt: Date
    /// The site.
    public var site: String
    /// The kiosk.
    public var kiosk: String
    /// The touchpoint.
    public var touchpoint: String
    /// The journey stage (`shop` or `own`).
    public var stage: String
    /// The survey id.
    public var survey: String
    /// The survey version.
    public var surveyVersion: Int
    /// The language answered in.
    public var language: String
    /// The account reference, if any.
    public var account: String?
    /// `complete` or `partial`.
    public var status: String
    /// Whether the response is marked suspect.
    public var suspect: Bool
    /// The answer's position in the response.
    public var position: Int
    /// The question id.
    public var question: String
    /// The answer type (`nps`, `ces`, `csat`, `text`, `choice`, `yesno`).
    public var type: String
    /// The answer: a number, `yes`/`no`, an option id or the comment text.
    public var value: String

    /// Creates a value from all its fields.
    public init(
        responseID: String, completedAt: Date, site: String, kiosk: String, touchpoint: String, stage: String,
        survey: String, surveyVersion: Int, language: String, account: String? = nil, status: String, suspect: Bool,
        position: Int, question: String, type: String, value: String
    ) {
        self.responseID = responseID
        self.completedAt = completedAt
        self.site = site
        self.kiosk = kiosk
        self.touchpoint = touchpoint
        self.stage = stage
        self.survey = survey
        self.surveyVersion = surveyVersion
        self.language = language
        self.account = account
        self.status = status
        self.suspect = suspect
        self.position = position
        self.question = question
        self.type = type
        self.value = value
    }

    /// The CSV header line's fields, in ``csvFields(neutralisingFormulas:)`` order.
    public static let csvHeader = [
        "response_id", "completed_at", "site", "kiosk", "touchpoint", "stage", "survey", "survey_version", "language",
        "account", "status", "suspect", "question", "type", "value",
    ]

    /// The answer's CSV fields, in ``csvHeader`` order.
    ///
    /// With `neutralisingFormulas` (the default) the cells a kiosk or a customer chooses go through
    /// ``CSV/neutralisingFormula(_:)``: `site`, `kiosk` and `touchpoint` (set at enrolment and by the kiosk's
    /// configuration), `account` (typed or scanned by the customer) and `value` of `text` answers (comments).
    /// The other cells cannot start a formula or are real numbers that must stay numbers: the UUID, the
    /// time, ids from the collector's survey definitions, the version, flags, scores and option ids.
    public func csvFields(neutralisingFormulas: Bool = true) -> [String] {
        csvFields(completedAt: Timestamp.string(completedAt), neutralisingFormulas: neutralisingFormulas)
    }

    /// The CSV fields with the completion time already formatted by `Timestamp.string`.
    func csvFields(completedAt formatted: String, neutralisingFormulas: Bool) -> [String] {
        func chosen(_ cell: String) -> String {
            neutralisingFormulas ? CSV.neutralisingFormula(cell) : cell
        }
        return [
            responseID, formatted, chosen(site), chosen(kiosk), chosen(touchpoint), stage, survey, String(surveyVersion),
            language, chosen(account ?? ""), status, suspect ? "true" : "false", question, type,
            type == QuestionType.text.rawValue ? chosen(value) : value,
        ]
    }
}
