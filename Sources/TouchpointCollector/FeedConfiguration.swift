import Foundation
import TouchpointCore

/// The comment feed's routes: the webhooks comments (and, if asked, detractor scores) are posted to.
///
/// Read from YAML with ``parse(yaml:file:environment:)``; see `examples/feed.yaml`.
public struct FeedConfiguration: Sendable, Hashable {
    /// The webhooks, in file order; names are unique.
    public var webhooks: [Webhook]
    /// Fleet alerts (`alerts: <webhook>`, `fleet:` thresholds); nil when the file names no alert webhook.
    public var alerts: FleetAlertConfiguration?

    /// Creates a configuration.
    public init(webhooks: [Webhook], alerts: FleetAlertConfiguration? = nil) {
        self.webhooks = webhooks
        self.alerts = alerts
    }
}

/// One Slack-compatible incoming webhook and what is routed to it.
///
/// Its ``url`` is a secret (a Slack webhook URL is its own credential): ``description`` shows only the
/// name and host, and nothing in the feed logs or stores more.
public struct Webhook: Sendable, Hashable, CustomStringConvertible {
    /// The name used in logs, the outbox and the status (lowercase letters, digits, `-`, `_`, `.`).
    public var name: String
    /// Where to POST; never logged.
    public var url: URL
    /// Which responses are routed here.
    public var route: FeedRoute
    /// Post every free-text comment (default true).
    public var comments: Bool
    /// Also post every NPS detractor score (0–6), with its comments if any (default false).
    public var detractors: Bool
    /// The least time between the end of one post and the start of the next (default 1 s, Slack's limit).
    public var minimumInterval: Duration
    /// Whether posts keep the personal data in comments (e-mail addresses, phone numbers, personal identity and card
    /// numbers); by default they are masked (`[email]`, `[phone]`, …).
    public var showsPersonalData = false

    /// Creates a webhook; by default it takes every comment and no score without a comment.
    public init(
        name: String, url: URL, route: FeedRoute = FeedRoute(), comments: Bool = true, detractors: Bool = false,
        minimumInterval: Duration = .seconds(1)
    ) {
        self.name = name
        self.url = url
        self.route = route
        self.comments = comments
        self.detractors = detractors
        self.minimumInterval = minimumInterval
    }

    /// The URL's host, the only part of it that may be logged.
    public var host: String { url.host ?? "?" }

    /// `name (host)`: never the URL's path or query, which hold the secret.
    public var description: String { "\(name) (\(host))" }
}

/// Which responses a webhook receives: each list that is not empty must contain the response's value.
public struct FeedRoute: Sendable, Hashable {
    /// Touchpoints (e.g. `service`); empty: all.
    public var touchpoints: Set<String>
    /// Sites; empty: all.
    public var sites: Set<String>
    /// Stages; empty: both.
    public var stages: Set<JourneyStage>
    /// Survey ids; empty: all.
    public var surveys: Set<String>

    /// Creates a route; with no arguments it matches everything.
    public init(
        touchpoints: Set<String> = [], sites: Set<String> = [], stages: Set<JourneyStage> = [], surveys: Set<String> = []
    ) {
        self.touchpoints = touchpoints
        self.sites = sites
        self.stages = stages
        self.surveys = surveys
    }

    /// Whether a response with these values is routed here.
    public func matches(site: String, touchpoint: String, stage: JourneyStage, survey: String) -> Bool {
        (sites.isEmpty || sites.contains(site)) && (touchpoints.isEmpty || touchpoints.contains(touchpoint))
            && (stages.isEmpty || stages.contains(stage)) && (surveys.isEmpty || surveys.contains(survey))
    }
}
