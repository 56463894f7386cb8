import Foundation
import TouchpointCore

/// Where a follow-up case stands: `open → contacted → resolved`, or `no-action` with a reason.
public enum CaseStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Nobody has acted yet.
    case open
    /// Someone reached the customer; not closed yet.
    case contacted
    /// Closed: the customer's problem was dealt with.
    case resolved
    /// Closed without action, with a reason (no contact details, a test, a duplicate…).
    case noAction = "no-action"

    /// Whether the case is closed (``resolved`` or ``noAction``).
    public var isClosed: Bool { self == .resolved || self == .noAction }

    public var description: String { rawValue }
}

/// One thing that happened to a case: opened, assigned, a note, contacted, resolved, closed without action.
public struct CaseEvent: Sendable, Hashable, Codable {
    /// What happened.
    public enum Action: String, Sendable, Hashable, Codable {
        case opened, assigned, note, contacted, resolved
        case noAction = "no-action"
    }

    /// When.
    public var at: Date
    /// Who: a dashboard user, a command's `--by`, or `collector` for the opening.
    public var actor: String
    /// What.
    public var action: Action
    /// The note, the reason, the new owner, or what opened the case.
    public var detail: String?

    /// Creates an event.
    public init(at: Date, actor: String, action: Action, detail: String? = nil) {
        self.at = at
        self.actor = actor
        self.action = action
        self.detail = detail
    }
}

/// A follow-up case: an unhappy customer's response someone must act on, with its owner, due time and history.
///
/// One case per response at most: its ``id`` is the response's id, so a resent batch can never open a second.
public struct FollowUpCase: Sendable, Hashable, Encodable {
    /// The response's id, which is also the case's.
    public var id: String
    /// When the collector stored the response and opened the case.
    public var openedAt: Date
    /// When the customer finished the survey.
    public var completedAt: Date
    /// The response's site.
    public var site: String
    /// Its kiosk.
    public var kiosk: String
    /// Its touchpoint.
    public var touchpoint: String
    /// Its stage.
    public var stage: JourneyStage
    /// Its survey's id.
    public var surveyID: String
    /// The language it was answered in.
    public var language: String
    /// Its account reference, if any.
    public var account: String?
    /// What opened the case: `NPS 3`, `CSAT 1`, `CES 2 of 7`, joined by ` · `.
    public var trigger: String
    /// Who must act; nil while nobody is assigned.
    public var owner: String?
    /// When the case should be closed by (the opening time plus its rule's SLA).
    public var dueAt: Date
    /// Where it stands.
    public var status: CaseStatus
    /// When the customer was first reached (contacted, or resolved without a contact recorded before).
    public var firstContactAt: Date?
    /// When it was closed (resolved or no action).
    public var closedAt: Date?
    /// The reason given for closing without action, or the note given when resolving.
    public var resolution: String?
    /// When its overdue notice was queued, if it was.
    public var overdueNotifiedAt: Date?
    /// The response's NPS, CES and CSAT answers (filled when one case is read).
    public var scores: [FeedEvent.Score]
    /// The response's comments (filled when one case is read).
    public var comments: [FeedEvent.Comment]
    /// Its history, oldest first (filled when one case is read).
    public var events: [CaseEvent]

    /// Creates a case.
    public init(
        id: String, openedAt: Date, completedAt: Date, site: String, kiosk: String, touchpoint: String,
        stage: JourneyStage, surveyID: String, language: String, account: String? = nil, trigger: String,
        owner: String? = nil, dueAt: Date, status: CaseStatus = .open, firstContactAt: Date? = nil,
        closedAt: Date? = nil, resolution: String? = nil, overdueNotifiedAt: Date? = nil,
        scores: [FeedEvent.Score] = [], comments: [FeedEvent.Comment] = [], events: [CaseEvent] = []
    ) {
        self.id = id
        self.openedAt = openedAt
        self.completedAt = completedAt
        self.site = site
        self.kiosk = kiosk
        self.touchpoint = touchpoint
        self.stage = stage
        self.surveyID = surveyID
        self.language = language
        self.account = account
        self.trigger = trigger
        self.owner = owner
        self.dueAt = dueAt
        self.status = status
        self.firstContactAt = firstContactAt
        self.closedAt = closedAt
        self.resolution = resolution
        self.overdueNotifiedAt = overdueNotifiedAt
        self.scores = scores
        self.comments = comments
        self.events = events
    }

    /// Whether the case is still open (or contacted) after its due time at `date`.
    public func isOverdue(at date: Date) -> Bool {
        !status.isClosed && dueAt <= date
    }

    /// Whether it was closed by its due time; nil while that is not known yet (open and not yet due).
    public func closedWithinSLA(at date: Date) -> Bool? {
        if let closedAt { return closedAt <= dueAt }
        return dueAt <= date ? false : nil
    }
}

/// A change a person makes to a case.
public enum CaseChange: Sendable, Hashable {
    /// Give the case to `owner`.
    case assign(String)
    /// Add a note.
    case note(String)
    /// The customer was reached (optionally with a note).
    case contacted(note: String?)
    /// Close it as dealt with (optionally with a note).
    case resolved(note: String?)
    /// Close it without action, saying why.
    case noAction(reason: String)

    /// The longest note, reason or owner name accepted, in characters.
    public static let maximumTextLength = 2000
}

extension FollowUpCase {
    /// The case after `change` made by `actor` at `date`, and the event that records it.
    ///
    /// Throws `CollectorError` `.conflict` for a change its status does not allow (contacting a case twice,
    /// closing a closed one) and `.invalidInput` for an empty or overlong text; the case is then unchanged.
    public func applying(_ change: CaseChange, by actor: String, at date: Date) throws(CollectorError) -> (FollowUpCase, CaseEvent) {
        var changed = self
        func text(_ value: String?, _ what: String, required: Bool) throws(CollectorError) -> String? {
            // Control characters and escapes out (as from a customer's typing); lines kept.
            let trimmed = (value ?? "").split(separator: "\n", omittingEmptySubsequences: false)
                .map { TextSanitizer.clean(String($0)) }.joined(separator: "\n").trimmingWhitespace()
            if trimmed.isEmpty {
                if required { throw CollectorError(.invalidInput, "\(what): must not be empty") }
                return nil
            }
            if trimmed.count > CaseChange.maximumTextLength {
                throw CollectorError(.invalidInput, "\(what): at most \(CaseChange.maximumTextLength) characters, not \(trimmed.count)")
            }
            return trimmed
        }
        func refuse(_ verb: String) -> CollectorError {
            CollectorError(.conflict, "case \(id) is \(status.rawValue)\(closedAt.map { " since \(FeedEvent.time($0))" } ?? ""); it cannot be \(verb)")
        }
        let event: CaseEvent
        switch change {
        case .assign(let owner):
            let name = try text(owner, "owner", required: true)
            changed.owner = name
            event = CaseEvent(at: date, actor: actor, action: .assigned, detail: name)
        case .note(let note):
            event = CaseEvent(at: date, actor: actor, action: .note, detail: try text(note, "note", required: true))
        case .contacted(let note):
            guard status == .open else { throw refuse("marked contacted") }
            changed.status = .contacted
            changed.firstContactAt = firstContactAt ?? date
            event = CaseEvent(at: date, actor: actor, action: .contacted, detail: try text(note, "note", required: false))
        case .resolved(let note):
            guard !status.isClosed else { throw refuse("resolved") }
            let note = try text(note, "note", required: false)
            changed.status = .resolved
            changed.firstContactAt = firstContactAt ?? date
            changed.closedAt = date
            changed.resolution = note
            event = CaseEvent(at: date, actor: actor, action: .resolved, detail: note)
        case .noAction(let reason):
            guard !status.isClosed else { throw refuse("closed") }
            let reason = try text(reason, "reason", required: true)
            changed.status = .noAction
            changed.closedAt = date
            changed.resolution = reason
            event = CaseEvent(at: date, actor: actor, action: .noAction, detail: reason)
        }
        changed.events.append(event)
        return (changed, event)
    }
}

extension FollowUpCase {
    /// Adds one stored answer of the case's response (``FeedEvent/collect(question:type:number:text:scores:comments:)``).
    public mutating func add(answer question: String, type: String, number: Int?, text: String?) {
        FeedEvent.collect(question: question, type: type, number: number, text: text, scores: &scores, comments: &comments)
    }
}
