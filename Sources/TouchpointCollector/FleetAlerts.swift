import Foundation
import TouchpointCore
import TouchpointProtocol

/// What can be wrong with a kiosk, as fleet alerts tell it.
public enum FleetProblemKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Not seen (no upload) for longer than ``FleetAlertThresholds/notSeenAfter``.
    case notSeen = "not-seen"
    /// Its oldest unsent response is older than ``FleetAlertThresholds/backlogOlderThan``.
    case backlog
    /// Sequence numbers missing at the collector while the kiosk has nothing left to send: lost responses.
    case gap
    /// The collector rejected some of its responses (they sit in the kiosk's `rejected/`).
    case rejected
    /// It runs with identity settings (site, kiosk) still at their built-in defaults.
    case defaults
    /// It reports a configuration it fetched but cannot use.
    case config
}

/// Which alert a problem is: one kiosk, one kind, and for gaps the missing range.
public struct FleetAlertIdentity: Sendable, Hashable, Comparable {
    /// The kiosk.
    public var kiosk: String
    /// The kind of problem.
    public var kind: FleetProblemKind
    /// What tells problems of one kind on one kiosk apart: a gap's range (`12-14`, `20`); empty for other kinds.
    public var subject: String

    /// Creates an identity.
    public init(kiosk: String, kind: FleetProblemKind, subject: String = "") {
        self.kiosk = kiosk
        self.kind = kind
        self.subject = subject
    }

    /// By kiosk, then kind, then subject.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.kiosk, lhs.kind.rawValue, lhs.subject) < (rhs.kiosk, rhs.kind.rawValue, rhs.subject)
    }
}

/// One problem found on one kiosk now, by ``FleetAlerts/problems(kiosks:thresholds:now:watchingSince:)``.
public struct FleetProblem: Sendable, Hashable {
    /// Which alert it is.
    public var identity: FleetAlertIdentity
    /// The kiosk's site.
    public var site: String
    /// What is wrong, for people: `not seen for 3 h`.
    public var detail: String
    /// Whether it opens an alert when none is open; false keeps an open alert open but opens none (a kiosk quiet
    /// for long, but only since a time nobody watched the fleet: see ``FleetAlerts/problems(kiosks:thresholds:now:watchingSince:)``).
    public var opensAlert: Bool

    /// Creates a problem.
    public init(
        kiosk: String, site: String, kind: FleetProblemKind, subject: String = "", detail: String, opensAlert: Bool = true
    ) {
        self.identity = FleetAlertIdentity(kiosk: kiosk, kind: kind, subject: subject)
        self.site = site
        self.detail = detail
        self.opensAlert = opensAlert
    }
}

/// How long is too long; the feed file's `fleet:` mapping.
public struct FleetAlertThresholds: Sendable, Hashable {
    /// A kiosk not seen for longer than this is announced (default 2 h).
    public var notSeenAfter: Duration
    /// A kiosk whose oldest unsent response is older than this is announced (default 1 h).
    public var backlogOlderThan: Duration

    /// Creates thresholds: 2 h without an upload, a backlog older than 1 h.
    public init(notSeenAfter: Duration = .seconds(2 * 3600), backlogOlderThan: Duration = .seconds(3600)) {
        self.notSeenAfter = notSeenAfter
        self.backlogOlderThan = backlogOlderThan
    }
}

/// Fleet alerts as the feed file configures them: `alerts: <webhook>` and the optional `fleet:` mapping.
public struct FleetAlertConfiguration: Sendable, Hashable {
    /// The name of the webhook (one of the file's `webhooks:`) alerts are posted to.
    public var webhook: String
    /// When a kiosk counts as quiet or backlogged.
    public var thresholds: FleetAlertThresholds
    /// How often the fleet is checked (default 60 s).
    public var checkInterval: Duration

    /// Creates a configuration.
    public init(webhook: String, thresholds: FleetAlertThresholds = FleetAlertThresholds(), checkInterval: Duration = .seconds(60)) {
        self.webhook = webhook
        self.thresholds = thresholds
        self.checkInterval = checkInterval
    }
}

/// The pure half of fleet alerts: which problems the fleet has now.
///
/// One alert per problem: ``FleetAlertStorage/reconcileAlerts(_:revoked:webhook:at:)`` opens an alert when a problem
/// first appears and clears it when it is gone, so a check that finds the same problems again posts nothing.
public enum FleetAlerts {
    /// Every problem of every kiosk that is not revoked, sorted by kiosk, kind and subject.
    ///
    /// - notSeen: no upload for longer than the threshold since the later of its last upload and its key's enrolment.
    /// - backlog: its reported oldest unsent response is older than the threshold.
    /// - gap: one problem per missing range, and only once the kiosk reports an empty buffer (until then the
    ///   responses may still be on their way); a new gap is a new alert, a gap that fills clears its alert.
    /// - rejected: it reports rejected responses.
    /// - defaults: it reports identity settings at built-in defaults.
    /// - config: it reports a configuration problem.
    ///
    /// `watchingSince` is since when the fleet has been checked without a break
    /// (``FleetAlertStorage/watchFleet(at:resumeAfter:)``). Time before it is nobody's fault but the collector's (it was down, so kiosks could not upload): a kiosk
    /// quiet, or a backlog old, only counting that time is still a problem, which keeps an open alert open, but
    /// opens none (``FleetProblem/opensAlert``), so a collector back from an outage does not announce every kiosk.
    public static func problems(
        kiosks: [KioskRecord], thresholds: FleetAlertThresholds, now: Date, watchingSince: Date? = nil
    ) -> [FleetProblem] {
        var problems: [FleetProblem] = []
        let floor = watchingSince ?? .distantPast
        for kiosk in kiosks where kiosk.revokedAt == nil {
            func add(_ kind: FleetProblemKind, subject: String = "", _ detail: String, opens: Bool = true) {
                problems.append(FleetProblem(
                    kiosk: kiosk.id, site: kiosk.site, kind: kind, subject: subject, detail: detail, opensAlert: opens))
            }
            let since = max(kiosk.lastSeenAt ?? kiosk.enrolledAt, kiosk.enrolledAt)
            let quiet = now.timeIntervalSince(since)
            if quiet > thresholds.notSeenAfter.seconds {
                let opens = now.timeIntervalSince(max(since, floor)) > thresholds.notSeenAfter.seconds
                if let lastSeen = kiosk.lastSeenAt, lastSeen >= kiosk.enrolledAt {
                    add(.notSeen, "not seen for \(span(now.timeIntervalSince(lastSeen))) (last upload \(FeedEvent.time(lastSeen)))",
                        opens: opens)
                } else {
                    add(.notSeen, "not seen since its key was enrolled \(span(quiet)) ago", opens: opens)
                }
            }
            guard let health = kiosk.health else { continue }
            if let text = health.oldestPendingAt, let oldest = Timestamp.date(text),
                now.timeIntervalSince(oldest) > thresholds.backlogOlderThan.seconds {
                let count = health.pending == 1 ? "1 response" : "\(health.pending) responses"
                add(.backlog, "\(count) waiting to be sent, the oldest for \(span(now.timeIntervalSince(oldest)))",
                    opens: now.timeIntervalSince(max(oldest, floor)) > thresholds.backlogOlderThan.seconds)
            }
            if health.pending == 0 {
                for gap in kiosk.gaps {
                    let missing = gap.upperBound - gap.lowerBound + 1
                    let range = gap.lowerBound == gap.upperBound ? "\(gap.lowerBound)" : "\(gap.lowerBound)-\(gap.upperBound)"
                    let shown = gap.lowerBound == gap.upperBound ? "\(gap.lowerBound)" : "\(gap.lowerBound)–\(gap.upperBound)"
                    add(.gap, subject: range,
                        "\(missing == 1 ? "1 response" : "\(missing) responses") lost: sequence \(shown) never arrived "
                            + "and the kiosk has nothing left to send")
                }
            }
            if health.rejected > 0 {
                add(.rejected, "\(health.rejected == 1 ? "1 response" : "\(health.rejected) responses") rejected by the collector "
                    + "(kept in the kiosk's rejected/)")
            }
            if let defaults = health.defaults, !defaults.isEmpty {
                add(.defaults, "runs with built-in default \(defaults.sorted().joined(separator: ", "))")
            }
            if let problem = health.configProblem {
                add(.config, "cannot use its configuration: \(problem)")
            }
        }
        return problems.sorted { $0.identity < $1.identity }
    }

    /// A time span for people, rounded down: `45 s`, `90 min` (under 2 h), `3 h`, `2 d` (from 48 h).
    public static func span(_ seconds: TimeInterval) -> String {
        let seconds = max(0, seconds)
        if seconds < 60 { return "\(Int(seconds)) s" }
        if seconds < 2 * 3600 { return "\(Int(seconds / 60)) min" }
        if seconds < 48 * 3600 { return "\(Int(seconds / 3600)) h" }
        return "\(Int(seconds / 86_400)) d"
    }
}

/// One fleet alert, open or cleared, as ``FleetAlertStorage`` keeps it.
public struct FleetAlert: Sendable, Hashable, Codable {
    /// The alert's id (a UUIDv7 of the time it was raised).
    public var id: String
    /// The kiosk.
    public var kiosk: String
    /// The kiosk's site.
    public var site: String
    /// The kind of problem.
    public var kind: FleetProblemKind
    /// A gap's range; empty for other kinds.
    public var subject: String
    /// What was wrong when it was raised.
    public var detail: String
    /// When it was raised.
    public var raisedAt: Date
    /// When it was cleared; nil while open.
    public var clearedAt: Date?

    /// Creates an alert.
    public init(
        id: String, kiosk: String, site: String, kind: FleetProblemKind, subject: String = "", detail: String, raisedAt: Date,
        clearedAt: Date? = nil
    ) {
        self.id = id
        self.kiosk = kiosk
        self.site = site
        self.kind = kind
        self.subject = subject
        self.detail = detail
        self.raisedAt = raisedAt
        self.clearedAt = clearedAt
    }

    /// Opens an alert for `problem` at `date`, with the given id.
    public init(id: String, problem: FleetProblem, raisedAt date: Date) {
        self.init(
            id: id, kiosk: problem.identity.kiosk, site: problem.site, kind: problem.identity.kind,
            subject: problem.identity.subject, detail: problem.detail, raisedAt: date)
    }

    /// Which problem it is about.
    public var identity: FleetAlertIdentity { FleetAlertIdentity(kiosk: kiosk, kind: kind, subject: subject) }

    /// The outbox event of the post announcing it.
    public static let raisedEvent = "alert:raised"
    /// The outbox event of the post saying it cleared.
    public static let clearedEvent = "alert:cleared"

    /// `🔴 kiosk kiosk-7 (malmo-showroom) not seen for 3 h (…)`.
    public var raisedMessage: String {
        "🔴 kiosk \(FeedEvent.escaped(kiosk)) (\(FeedEvent.escaped(site))) \(FeedEvent.escaped(detail))"
    }

    /// `✅ kiosk kiosk-7 (malmo-showroom) seen again (alert open 3 h)`, for an alert cleared at `date`; for a
    /// `revoked` kiosk, that it is no longer watched.
    public func clearedMessage(at date: Date, revoked: Bool = false) -> String {
        let solved = switch kind {
        case .notSeen: "seen again"
        case .backlog: "backlog sent"
        case .gap: "sequence \(subject.replacingOccurrences(of: "-", with: "–")) no longer missing"
        case .rejected: "no rejected responses any more"
        case .defaults: "identity settings configured"
        case .config: "configuration problem resolved"
        }
        let what = revoked ? "revoked, no longer watched" : solved
        return "✅ kiosk \(FeedEvent.escaped(kiosk)) (\(FeedEvent.escaped(site))) \(what) "
            + "(alert open \(FleetAlerts.span(date.timeIntervalSince(raisedAt))))"
    }
}

/// What one ``FleetAlertStorage/reconcileAlerts(_:revoked:webhook:at:)`` call changed.
public struct FleetAlertChanges: Sendable, Hashable {
    /// Alerts opened by this call (each with one post queued).
    public var raised: [FleetAlert]
    /// Alerts cleared by this call (each with one post queued), with their clearing time.
    public var cleared: [FleetAlert]
    /// Whether the call changed nothing because another check, from a newer view of the fleet, was applied first.
    public var superseded: Bool

    /// Creates a result.
    public init(raised: [FleetAlert] = [], cleared: [FleetAlert] = [], superseded: Bool = false) {
        self.raised = raised
        self.cleared = cleared
        self.superseded = superseded
    }

    /// Whether nothing changed.
    public var isEmpty: Bool { raised.isEmpty && cleared.isEmpty }
}

/// Where fleet alerts are kept: open and cleared alerts, and their posts in the feed outbox.
public protocol FleetAlertStorage: Sendable {
    /// Makes the open alerts match `problems`, in one transaction, and queues one outbox post per change.
    ///
    /// A problem without an open alert of its identity opens one (and queues its 🔴 post for `webhook`); an
    /// open alert whose identity is not among `problems` is cleared (and queues its ✅ post). Calling it again
    /// with the same problems changes nothing. Safe with several processes on one database: concurrent calls
    /// are serialised, so each change is made, and posted, once.
    ///
    /// `date` is the time of the view of the fleet `problems` come from: take it before reading the kiosks. A call
    /// whose `date` is older than that of the last call applied changes nothing (``FleetAlertChanges/superseded``),
    /// so a process that read the kiosks before another one's newer check cannot undo that check's changes (and
    /// post them a second time when the next check redoes them).
    ///
    /// An alert of a kiosk in `revoked` is cleared saying so, not as if its problem were solved.
    func reconcileAlerts(
        _ problems: [FleetProblem], revoked: Set<String>, webhook: String, at date: Date
    ) async throws -> FleetAlertChanges

    /// Records a check of the fleet at `date` and returns since when the fleet has been checked without a break
    /// longer than `resumeAfter` (`date` itself after a longer break, or on the first check ever).
    func watchFleet(at date: Date, resumeAfter: Duration) async throws -> Date

    /// The open alerts, and with `clearedSince` also those cleared since then, oldest first (by time raised, then
    /// kiosk, kind and subject).
    func fleetAlerts(clearedSince: Date?) async throws -> [FleetAlert]
}

extension FleetAlertStorage {
    /// Reconciles with no kiosk revoked; see ``FleetAlertStorage/reconcileAlerts(_:revoked:webhook:at:)``.
    public func reconcileAlerts(_ problems: [FleetProblem], webhook: String, at date: Date) async throws -> FleetAlertChanges {
        try await reconcileAlerts(problems, revoked: [], webhook: webhook, at: date)
    }
}

extension FleetAlertChanges {
    /// What `reconcile` must do to make `open` match `problems`: the problems to open (those that open alerts),
    /// the alerts to clear (those whose problem is gone).
    public static func plan(open: [FleetAlert], problems: [FleetProblem]) -> (open: [FleetProblem], clear: [FleetAlert]) {
        let current = Set(problems.map(\.identity))
        let opened = Set(open.map(\.identity))
        var seen: Set<FleetAlertIdentity> = []
        let toOpen = problems.filter { $0.opensAlert && !opened.contains($0.identity) && seen.insert($0.identity).inserted }
        return (toOpen, open.filter { !current.contains($0.identity) })
    }
}
