import Foundation
import TouchpointCore

/// Something the feed posts about one stored response: a comment, or a detractor score.
///
/// ``events(for:)`` decides what a webhook gets; ``message`` and ``body`` render it as a Slack
/// incoming-webhook post (`{"text": …}`, mrkdwn).
public struct FeedEvent: Sendable, Hashable {
    /// A free-text answer.
    public struct Comment: Sendable, Hashable, Encodable {
        /// The question's id.
        public var question: String
        /// The text as stored.
        public var text: String

        /// Creates a comment.
        public init(question: String, text: String) {
            self.question = question
            self.text = text
        }
    }

    /// A scale answer (NPS, CES or CSAT).
    public struct Score: Sendable, Hashable, Encodable {
        /// The question's type: `nps`, `ces` or `csat`.
        public var type: QuestionType
        /// The answer.
        public var value: Int

        /// Creates a score.
        public init(type: QuestionType, value: Int) {
            self.type = type
            self.value = value
        }
    }

    /// What the event is.
    public enum Kind: Sendable, Hashable {
        /// One free-text comment (the first of ``FeedEvent/comments``).
        case comment
        /// An NPS detractor score (0–6), with the response's comments if any.
        case detractor
    }

    /// What the event is.
    public var kind: Kind
    /// The response's id.
    public var responseID: String
    /// When it was completed.
    public var completedAt: Date
    /// Its site.
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
    /// Its NPS, CES and CSAT answers, in question order.
    public var scores: [Score]
    /// The comments shown: one for ``Kind/comment``, all of the response's for ``Kind/detractor``.
    public var comments: [Comment]
    /// The page of the follow-up case the response opened, if it did (and the collector's address is known).
    public var caseLink: URL?
    /// Whether ``message`` masks personal data in the comments (the default; a webhook with
    /// ``Webhook/showsPersonalData`` keeps it).
    public var masksPersonalData = true

    /// Creates an event.
    public init(
        kind: Kind, responseID: String, completedAt: Date, site: String, kiosk: String, touchpoint: String,
        stage: JourneyStage, surveyID: String, language: String, account: String? = nil, scores: [Score] = [],
        comments: [Comment] = [], caseLink: URL? = nil
    ) {
        self.kind = kind
        self.responseID = responseID
        self.completedAt = completedAt
        self.site = site
        self.kiosk = kiosk
        self.touchpoint = touchpoint
        self.stage = stage
        self.surveyID = surveyID
        self.language = language
        self.account = account
        self.scores = scores
        self.comments = comments
        self.caseLink = caseLink
    }

    /// The outbox's key for this event within its response: `comment:<question>` or `detractor`.
    public var key: String {
        switch kind {
        case .comment: "comment:\(comments.first?.question ?? "")"
        case .detractor: "detractor"
        }
    }

    /// The response's first NPS answer, if any.
    public var npsScore: Int? {
        scores.first { $0.type == .nps }?.value
    }

    /// Adds one stored answer (its columns as the storages keep them) to a response's scores or comments: an NPS,
    /// CES or CSAT number to `scores`, a free text that is not blank to `comments`; anything else is left out.
    public static func collect(
        question: String, type: String, number: Int?, text: String?, scores: inout [Score], comments: inout [Comment]
    ) {
        switch QuestionType(rawValue: type) {
        case .some(let scored) where scored == .nps || scored == .ces || scored == .csat:
            if let number { scores.append(Score(type: scored, value: number)) }
        case .text:
            if let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                comments.append(Comment(question: question, text: text))
            }
        default:
            break
        }
    }

    /// Whether the response's NPS answer is a detractor's (0–6), by ``Scoring/nps(_:)``.
    public var isDetractor: Bool {
        guard let npsScore else { return false }
        return Scoring.nps([npsScore]).detractors == 1
    }

    /// What `webhook` gets for a response with these `comments` (non-empty texts) and `scores`.
    ///
    /// One ``Kind/comment`` event per comment if the webhook takes comments; a ``Kind/detractor`` event if it
    /// takes detractors, the response is one and no comment event already carries the score.
    public static func events(for response: FeedEvent, webhook: Webhook) -> [FeedEvent] {
        guard webhook.route.matches(
            site: response.site, touchpoint: response.touchpoint, stage: response.stage, survey: response.surveyID)
        else { return [] }
        var events: [FeedEvent] = []
        var response = response
        response.masksPersonalData = !webhook.showsPersonalData
        if webhook.comments {
            for comment in response.comments {
                var event = response
                event.kind = .comment
                event.comments = [comment]
                events.append(event)
            }
        }
        if webhook.detractors, response.isDetractor, events.isEmpty {
            var event = response
            event.kind = .detractor
            events.append(event)
        }
        return events
    }

    /// The post's text in Slack mrkdwn: scores, survey and question, site, touchpoint and stage, language,
    /// time (UTC) and account on the first line, each comment quoted below, then the link to its follow-up case.
    public var message: String {
        var head: [String] = []
        var scoreParts: [String] = []
        for score in scores {
            var part = "\(score.type.rawValue.uppercased()) \(score.value)"
            if score.type == .nps {
                let result = Scoring.nps([score.value])
                part += result.detractors == 1 ? " (detractor)" : result.promoters == 1 ? " (promoter)" : " (passive)"
            }
            scoreParts.append(part)
        }
        if !scoreParts.isEmpty {
            head.append("*" + Self.escaped(scoreParts.joined(separator: " · ")) + "*")
        }
        var survey = surveyID
        if kind == .comment, let question = comments.first?.question {
            survey += "/" + question
        }
        head.append(Self.escaped(survey))
        head.append(Self.escaped(site))
        head.append(Self.escaped("\(touchpoint) (\(stage.rawValue))"))
        head.append(Self.escaped(language))
        head.append(Self.time(completedAt))
        if let account, !account.isEmpty {
            head.append("account " + Self.escaped(account))
        }
        var lines = [(kind == .detractor ? "Detractor: " : "") + head.joined(separator: " · ")]
        for comment in comments {
            let text = masksPersonalData ? PersonalData.mask(comment.text).text : comment.text
            let quoted = text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { "> " + Self.escaped(String($0)) }
            lines.append(contentsOf: quoted)
        }
        if let caseLink {
            lines.append("<\(caseLink.absoluteString)|Follow-up case>")
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON body to post: `{"text": message}`.
    public var body: String { Self.body(text: message) }

    /// The JSON body of a Slack incoming-webhook post of `text`: `{"text": text}`.
    public static func body(text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(["text": text]) else { return #"{"text":""}"# }
        return String(decoding: data, as: UTF8.self)
    }

    /// Text with `&`, `<` and `>` escaped as Slack requires (`&amp;`, `&lt;`, `&gt;`).
    public static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(character)
            }
        }
        return result
    }

    /// `2026-11-23 14:05 UTC`.
    public static func time(_ date: Date) -> String {
        let stamp = Timestamp.string(date)  // 2026-11-23T14:05:00.000Z
        return stamp.prefix(10) + " " + stamp.dropFirst(11).prefix(5) + " UTC"
    }
}
