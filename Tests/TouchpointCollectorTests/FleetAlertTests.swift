import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import TouchpointCollector
import TouchpointCollectorServer
import TouchpointCore
import TouchpointJOSE
import TouchpointProtocol

extension FailingStorage {
    func reconcileAlerts(_ problems: [FleetProblem], revoked: Set<String>, webhook: String, at date: Date) async throws -> FleetAlertChanges {
        throw fail()
    }
    func fleetAlerts(clearedSince: Date?) async throws -> [FleetAlert] { throw fail() }
    func watchFleet(at date: Date, resumeAfter: Duration) async throws -> Date { throw fail() }
}

/// Which fleet problems a kiosk has, from its record and a fixed clock (issue 13).
@Suite("Fleet alerts: evaluation")
struct FleetAlertEvaluationTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)
    static let hour: TimeInterval = 3600

    /// A kiosk enrolled a day ago and seen `seenAgo` hours ago, with `health`.
    static func kiosk(
        seenAgo: Double? = 0.1, enrolledAgo: Double = 24, revoked: Bool = false, gaps: [ClosedRange<UInt64>] = [],
        health: BufferHealth? = BufferHealth(pending: 0, rejected: 0)
    ) -> KioskRecord {
        KioskRecord(
            id: "kiosk-7", site: "malmo-showroom", kid: "kid", enrolledAt: now.addingTimeInterval(-enrolledAgo * hour),
            revokedAt: revoked ? now.addingTimeInterval(-hour) : nil, lastSeenAt: seenAgo.map { now.addingTimeInterval(-$0 * hour) },
            responseCount: 10, highestSequence: 30, gaps: gaps, health: health)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var kiosk: KioskRecord
        /// `kind[subject]: detail` of each problem.
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "healthy", kiosk: kiosk(), expected: []),
        Case(name: "quiet for 3 h", kiosk: kiosk(seenAgo: 3),
             expected: ["not-seen: not seen for 3 h (last upload 2026-11-18 08:06 UTC)"]),
        Case(name: "quiet for exactly the threshold is not yet quiet", kiosk: kiosk(seenAgo: 2), expected: []),
        Case(name: "never seen, enrolled 5 h ago", kiosk: kiosk(seenAgo: nil, enrolledAgo: 5),
             expected: ["not-seen: not seen since its key was enrolled 5 h ago"]),
        Case(name: "never seen, enrolled 1 h ago", kiosk: kiosk(seenAgo: nil, enrolledAgo: 1), expected: []),
        Case(name: "re-enrolled 1 h ago, last seen with the old key", kiosk: kiosk(seenAgo: 30, enrolledAgo: 1), expected: []),
        Case(name: "revoked and quiet, with every other problem", kiosk: kiosk(
            seenAgo: 30, revoked: true, gaps: [3...4],
            health: BufferHealth(pending: 0, rejected: 2, configProblem: "bad", defaults: ["site"])), expected: []),
        Case(name: "backlog older than 1 h", kiosk: kiosk(health: BufferHealth(
            pending: 4, rejected: 0, oldestPendingAt: now.addingTimeInterval(-90 * 60))),
             expected: ["backlog: 4 responses waiting to be sent, the oldest for 90 min"]),
        Case(name: "young backlog", kiosk: kiosk(health: BufferHealth(
            pending: 4, rejected: 0, oldestPendingAt: now.addingTimeInterval(-30 * 60))), expected: []),
        Case(name: "gaps while responses are still pending", kiosk: kiosk(
            gaps: [3...4], health: BufferHealth(pending: 2, rejected: 0, oldestPendingAt: now)), expected: []),
        Case(name: "gaps with an empty buffer: one alert per range", kiosk: kiosk(gaps: [3...4, 9...9]), expected: [
            "gap[3-4]: 2 responses lost: sequence 3–4 never arrived and the kiosk has nothing left to send",
            "gap[9]: 1 response lost: sequence 9 never arrived and the kiosk has nothing left to send",
        ]),
        Case(name: "gaps without any health report", kiosk: kiosk(gaps: [3...4], health: nil), expected: []),
        Case(name: "rejected", kiosk: kiosk(health: BufferHealth(pending: 0, rejected: 1)),
             expected: ["rejected: 1 response rejected by the collector (kept in the kiosk's rejected/)"]),
        Case(name: "defaults", kiosk: kiosk(health: BufferHealth(pending: 0, rejected: 0, defaults: ["site", "kiosk"])),
             expected: ["defaults: runs with built-in default kiosk, site"]),
        Case(name: "empty defaults", kiosk: kiosk(health: BufferHealth(pending: 0, rejected: 0, defaults: [])), expected: []),
        Case(name: "configuration problem", kiosk: kiosk(health: BufferHealth(
            pending: 0, rejected: 0, configProblem: "survey retail-visit v3 does not validate")),
             expected: ["config: cannot use its configuration: survey retail-visit v3 does not validate"]),
        Case(name: "everything at once, sorted by kind", kiosk: kiosk(seenAgo: 50, enrolledAgo: 100, gaps: [5...5], health: BufferHealth(
            pending: 1, rejected: 3, oldestPendingAt: now.addingTimeInterval(-50 * hour), configProblem: "x", defaults: ["kiosk"])),
             expected: [
                "backlog: 1 response waiting to be sent, the oldest for 2 d", "config: cannot use its configuration: x",
                "defaults: runs with built-in default kiosk",
                "not-seen: not seen for 2 d (last upload 2026-11-16 09:06 UTC)",
                "rejected: 3 responses rejected by the collector (kept in the kiosk's rejected/)",
             ]),
    ]

    @Test(arguments: cases) func problemsOfOneKiosk(_ testCase: Case) {
        let problems = FleetAlerts.problems(kiosks: [testCase.kiosk], thresholds: FleetAlertThresholds(), now: Self.now)
        let described = problems.map { problem in
            let subject = problem.identity.subject.isEmpty ? "" : "[\(problem.identity.subject)]"
            return "\(problem.identity.kind.rawValue)\(subject): \(problem.detail)"
        }
        #expect(described == testCase.expected)
        #expect(problems.allSatisfy { $0.identity.kiosk == "kiosk-7" && $0.site == "malmo-showroom" })
    }

    @Test func timeNobodyWatchedKeepsAlertsOpenButOpensNone() {
        let quiet = Self.kiosk(seenAgo: 3, health: BufferHealth(
            pending: 2, rejected: 0, oldestPendingAt: Self.now.addingTimeInterval(-3 * Self.hour)))
        func opens(watchingSince hoursAgo: Double?) -> [String] {
            FleetAlerts.problems(
                kiosks: [quiet], thresholds: FleetAlertThresholds(), now: Self.now,
                watchingSince: hoursAgo.map { Self.now.addingTimeInterval(-$0 * Self.hour) }
            ).map { "\($0.identity.kind.rawValue) \($0.opensAlert)" }
        }
        #expect(opens(watchingSince: nil) == ["backlog true", "not-seen true"])
        #expect(opens(watchingSince: 5) == ["backlog true", "not-seen true"])
        #expect(opens(watchingSince: 1.5) == ["backlog true", "not-seen false"])
        #expect(opens(watchingSince: 0.5) == ["backlog false", "not-seen false"])
        // Such a problem keeps an open alert open, and opens none.
        let kept = FleetProblem(kiosk: "k1", site: "s", kind: .notSeen, detail: "quiet", opensAlert: false)
        let open = FleetAlert(id: "1", problem: kept, raisedAt: Self.now)
        #expect(FleetAlertChanges.plan(open: [open], problems: [kept]).clear.isEmpty)
        #expect(FleetAlertChanges.plan(open: [], problems: [kept]).open.isEmpty)
    }

    @Test func thresholdsAreTheConfiguredOnes() {
        let kiosk = Self.kiosk(seenAgo: 0.5, health: BufferHealth(pending: 1, rejected: 0, oldestPendingAt: Self.now.addingTimeInterval(-600)))
        let strict = FleetAlertThresholds(notSeenAfter: .seconds(1200), backlogOlderThan: .seconds(300))
        #expect(FleetAlerts.problems(kiosks: [kiosk], thresholds: strict, now: Self.now).map(\.identity.kind) == [.backlog, .notSeen])
        #expect(FleetAlerts.problems(kiosks: [kiosk], thresholds: FleetAlertThresholds(), now: Self.now).isEmpty)
    }

    @Test func messagesAreSlackText() {
        let problem = FleetProblem(kiosk: "kiosk-7", site: "malmo-showroom", kind: .notSeen, detail: "not seen for 3 h")
        let alert = FleetAlert(id: "a", problem: problem, raisedAt: Self.now)
        #expect(alert.raisedMessage == "🔴 kiosk kiosk-7 (malmo-showroom) not seen for 3 h")
        #expect(alert.clearedMessage(at: Self.now.addingTimeInterval(3 * Self.hour + 60))
            == "✅ kiosk kiosk-7 (malmo-showroom) seen again (alert open 3 h)")
        let config = FleetAlert(
            id: "b", problem: FleetProblem(kiosk: "k", site: "s", kind: .config, detail: "cannot use <b>"), raisedAt: Self.now)
        #expect(config.raisedMessage == "🔴 kiosk k (s) cannot use &lt;b&gt;")
        #expect(FeedEvent.body(text: config.raisedMessage) == #"{"text":"🔴 kiosk k (s) cannot use &lt;b&gt;"}"#)
    }

    @Test func theReconcilePlanOpensNewAndClearsGoneProblems() {
        let quiet = FleetProblem(kiosk: "k1", site: "s", kind: .notSeen, detail: "not seen for 3 h")
        let gap = FleetProblem(kiosk: "k1", site: "s", kind: .gap, subject: "3-4", detail: "lost")
        let open = [
            FleetAlert(id: "1", problem: FleetProblem(kiosk: "k1", site: "s", kind: .notSeen, detail: "not seen for 2 h"), raisedAt: Self.now),
            FleetAlert(id: "2", problem: FleetProblem(kiosk: "k1", site: "s", kind: .gap, subject: "9", detail: "lost"), raisedAt: Self.now),
        ]
        let plan = FleetAlertChanges.plan(open: open, problems: [quiet, gap, gap])
        // The open quiet alert stays (its detail is the one it was raised with); a new gap opens, the old one clears.
        #expect(plan.open == [gap])
        #expect(plan.clear.map(\.id) == ["2"])
    }
}

/// `alerts:` and `fleet:` in feed.yaml.
@Suite("Fleet alerts: feed.yaml")
struct FleetAlertConfigurationTests {
    func problems(_ yaml: String) -> [String] {
        do {
            _ = try FeedConfiguration.parse(yaml: yaml, file: "feed.yaml")
            return []
        } catch {
            return error.problems.map { "\($0.file):\($0.line):\($0.column): \($0.message)" }
        }
    }

    @Test func alertsNameAWebhookWithThresholds() throws {
        let yaml = """
            webhooks:
              - name: comments
                url: https://hooks.example/c
              - name: fleet
                url: https://hooks.example/f
                comments: false
            alerts: fleet
            fleet: { notSeenAfter: 90m, backlogOlderThan: 1.5h, checkEvery: 30 }
            """
        let configuration = try FeedConfiguration.parse(yaml: yaml, file: "feed.yaml")
        #expect(configuration.alerts == FleetAlertConfiguration(
            webhook: "fleet", thresholds: FleetAlertThresholds(notSeenAfter: .seconds(5400), backlogOlderThan: .seconds(5400)),
            checkInterval: .seconds(30)))
        #expect(configuration.webhooks.map(\.name) == ["comments", "fleet"])
    }

    @Test func defaultsWithoutFleetAndNothingWithoutAlerts() throws {
        let hook = "webhooks:\n  - name: ops\n    url: https://hooks.example/o\n"
        #expect(try FeedConfiguration.parse(yaml: hook + "alerts: ops\n", file: "feed.yaml").alerts
            == FleetAlertConfiguration(webhook: "ops", thresholds: FleetAlertThresholds(notSeenAfter: .seconds(7200), backlogOlderThan: .seconds(3600)),
                                       checkInterval: .seconds(60)))
        #expect(try FeedConfiguration.parse(yaml: hook, file: "feed.yaml").alerts == nil)
        #expect(try FeedConfiguration.parse(yaml: hook + "fleet: {notSeenAfter: 2d, backlogOlderThan: 45s}\nalerts: ops\n", file: "feed.yaml")
            .alerts?.thresholds == FleetAlertThresholds(notSeenAfter: .seconds(172_800), backlogOlderThan: .seconds(45)))
    }

    @Test func mistakesArePlaced() {
        let hook = "webhooks:\n  - name: ops\n    url: https://hooks.example/o\n"
        #expect(problems(hook + "alerts: fleet\n")
            == ["feed.yaml:4:9: alerts names the webhook 'fleet', which is not among the webhooks (ops)"])
        #expect(problems(hook + "alerts: [ops]\n") == ["feed.yaml:4:9: alerts must name one of the webhooks (ops)"])
        #expect(problems(hook + "fleet: {notSeenAfter: 2h}\n")
            == ["feed.yaml:4:8: fleet thresholds need 'alerts: <webhook name>' naming the webhook alerts are posted to"])
        let bad = "feed.yaml:5:23: notSeenAfter must be a duration such as 90s, 15m, 2h or 1d (or a number of seconds), from 0.1 s to 30 days"
        #expect(problems(hook + "alerts: ops\nfleet: {notSeenAfter: 2 hours}\n") == [bad])
        #expect(problems(hook + "alerts: ops\nfleet: {notSeenAfter: 0}\n") == [bad])
        #expect(problems(hook + "alerts: ops\nfleet: {notSeenAfter: 0.01s}\n") == [bad])
        #expect(problems(hook + "alerts: ops\nfleet: {notSeenAfter: 31d}\n") == [bad])
        #expect(problems(hook + "alerts: ops\nfleet:\n  quietAfter: 2h\n") == [
            "feed.yaml:6:3: unknown key 'quietAfter' in fleet (expected one of: notSeenAfter, backlogOlderThan, checkEvery)",
        ])
        #expect(problems(hook + "alerts: ops\nfleet: 2h\n")
            == ["feed.yaml:5:8: fleet must be a mapping such as { notSeenAfter: 2h, backlogOlderThan: 1h }"])
        // Only the alert webhook may take no comments and no scores.
        #expect(problems("webhooks:\n  - name: ops\n    url: https://hooks.example/o\n    comments: false\n")
            == ["feed.yaml:4:15: webhook 'ops' would receive nothing: set comments or detractors to true"])
        #expect(problems("webhooks:\n  - name: ops\n    url: https://hooks.example/o\n    comments: false\nalerts: ops\n").isEmpty)
    }
}

/// The open alerts and their posts, in both storages.
@Suite("Fleet alerts: storage")
struct FleetAlertStorageTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    func quiet(_ kiosk: String, hours: Int = 3) -> FleetProblem {
        FleetProblem(kiosk: kiosk, site: "malmo-showroom", kind: .notSeen, detail: "not seen for \(hours) h")
    }

    /// The bodies of every pending outbox row of `webhook`, delivering each so the next one shows.
    func drain(_ storage: any TestStorage, webhook: String = "fleet") async throws -> [String] {
        var bodies: [String] = []
        while let entry = try await storage.nextPending(webhook: webhook) {
            bodies.append(entry.body ?? "")
            try await storage.record(.delivered, for: entry.id, at: start)
        }
        return bodies
    }

    @Test(arguments: StorageBackend.available) func raisedOnceAndClearedOnce(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let gap = FleetProblem(kiosk: "kiosk-8", site: "lund", kind: .gap, subject: "3-4", detail: "2 responses lost")
            let first = try await storage.reconcileAlerts([quiet("kiosk-7"), gap], webhook: "fleet", at: start)
            #expect(first.raised.map(\.identity) == [quiet("kiosk-7").identity, gap.identity] && first.cleared.isEmpty)
            #expect(try await drain(storage) == [
                #"{"text":"🔴 kiosk kiosk-7 (malmo-showroom) not seen for 3 h"}"#,
                #"{"text":"🔴 kiosk kiosk-8 (lund) 2 responses lost"}"#,
            ])
            // The same problems again (with newer wording): nothing changes, nothing is posted.
            let again = try await storage.reconcileAlerts([gap, quiet("kiosk-7", hours: 4)], webhook: "fleet", at: start.addingTimeInterval(60))
            #expect(again.isEmpty)
            #expect(try await drain(storage).isEmpty)
            let open = try await storage.fleetAlerts(clearedSince: nil)
            #expect(open.map(\.detail) == ["not seen for 3 h", "2 responses lost"] && open.allSatisfy { $0.raisedAt == start })

            // kiosk-7 is back: its alert clears once; the gap stays open.
            let later = start.addingTimeInterval(3 * 3600)
            let cleared = try await storage.reconcileAlerts([gap], webhook: "fleet", at: later)
            #expect(cleared.raised.isEmpty && cleared.cleared.map(\.kiosk) == ["kiosk-7"] && cleared.cleared.first?.clearedAt == later)
            #expect(try await drain(storage) == [#"{"text":"✅ kiosk kiosk-7 (malmo-showroom) seen again (alert open 3 h)"}"#])
            #expect(try await storage.reconcileAlerts([gap], webhook: "fleet", at: later).isEmpty)
            #expect(try await storage.fleetAlerts(clearedSince: nil).map(\.kiosk) == ["kiosk-8"])
            let recent = try await storage.fleetAlerts(clearedSince: later)
            #expect(recent.count == 2 && recent.first?.clearedAt == later)

            // It goes quiet again: a new alert, posted once more.
            let relapse = try await storage.reconcileAlerts([gap, quiet("kiosk-7", hours: 2)], webhook: "fleet", at: later.addingTimeInterval(7200))
            #expect(relapse.raised.count == 1 && relapse.raised.first?.id != first.raised.first?.id)
            #expect(try await drain(storage) == [#"{"text":"🔴 kiosk kiosk-7 (malmo-showroom) not seen for 2 h"}"#])
            #expect(try await storage.outboxStatus().webhooks.map(\.delivered) == [4])
        }
    }

    @Test(arguments: StorageBackend.available) func openAlertsOutliveARestart(backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            try await location.withOpened { (storage: any TestStorage) async throws -> Void in
                #expect(try await storage.reconcileAlerts([quiet("kiosk-7")], webhook: "fleet", at: start).raised.count == 1)
            }
            try await location.withOpened { (storage: any TestStorage) async throws -> Void in
                #expect(try await storage.reconcileAlerts([quiet("kiosk-7")], webhook: "fleet", at: start.addingTimeInterval(60)).isEmpty)
                #expect(try await storage.reconcileAlerts([], webhook: "fleet", at: start.addingTimeInterval(120)).cleared.count == 1)
                #expect(try await drain(storage).count == 2)
            }
        }
    }

    /// A check from an older view of the fleet than the last one applied changes nothing.
    @Test(arguments: StorageBackend.available) func anOlderCheckIsTurnedAway(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let later = start.addingTimeInterval(60)
            #expect(try await storage.reconcileAlerts([quiet("kiosk-7")], webhook: "fleet", at: later).raised.count == 1)
            let older = try await storage.reconcileAlerts([], webhook: "fleet", at: start)
            #expect(older.superseded && older.isEmpty)
            #expect(try await storage.fleetAlerts(clearedSince: nil).count == 1)
            let same = try await storage.reconcileAlerts([], webhook: "fleet", at: later)
            #expect(!same.superseded && same.cleared.count == 1)
            #expect(try await drain(storage).count == 2)
        }
    }

    @Test(arguments: StorageBackend.available) func watchingSinceSurvivesShortBreaksOnly(backend: StorageBackend) async throws {
        try await withStorage(backend) { (storage: any TestStorage, _: URL) async throws -> Void in
            let resume = Duration.seconds(600)
            #expect(try await storage.watchFleet(at: start, resumeAfter: resume) == start)
            #expect(try await storage.watchFleet(at: start.addingTimeInterval(300), resumeAfter: resume) == start)
            #expect(try await storage.watchFleet(at: start.addingTimeInterval(900), resumeAfter: resume) == start)
            // A process with an older clock, or a late one, changes nothing.
            #expect(try await storage.watchFleet(at: start.addingTimeInterval(100), resumeAfter: resume) == start)
            // Nobody checked for over 10 minutes.
            let back = start.addingTimeInterval(900 + 601)
            #expect(try await storage.watchFleet(at: back, resumeAfter: resume) == back)
            #expect(try await storage.watchFleet(at: back.addingTimeInterval(60), resumeAfter: resume) == back)
        }
    }

    /// Several collector processes on one database, each checking the fleet at the same moment: one post per change.
    @Test(arguments: StorageBackend.postgresOnly) func racingProcessesPostOnce(backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            let processes = [try await location.open(), try await location.open(), try await location.open(), try await location.open()]
            do {
                let problems = (1...5).map { quiet("kiosk-\($0)") }
                for round in 0..<3 {
                    let date = start.addingTimeInterval(Double(round) * 60)
                    // Round 0 raises five alerts, round 1 changes nothing, round 2 clears them all.
                    let asked = round == 2 ? [] : problems
                    let changes = try await withThrowingTaskGroup(of: FleetAlertChanges.self) { group in
                        for storage in processes {
                            group.addTask { try await storage.reconcileAlerts(asked, webhook: "fleet", at: date) }
                        }
                        return try await group.reduce(into: [FleetAlertChanges]()) { $0.append($1) }
                    }
                    #expect(changes.reduce(0) { $0 + $1.raised.count } == (round == 0 ? 5 : 0), "round \(round)")
                    #expect(changes.reduce(0) { $0 + $1.cleared.count } == (round == 2 ? 5 : 0), "round \(round)")
                }
                let status = try await processes[0].outboxStatus()
                #expect(status.webhooks.map(\.pending) == [10])
                #expect(try await processes[1].fleetAlerts(clearedSince: .distantPast).count == 5)
            } catch {
                for storage in processes { try? await storage.close() }
                throw error
            }
            for storage in processes { try await storage.close() }
        }
    }
}

/// ``FleetAlertService/check()`` over a real storage with a clock the test moves.
@Suite("Fleet alerts: the check")
struct FleetAlertServiceTests {
    @Test func aCheckReadsTheKiosksAndPostsEachChangeOnce() async throws {
        try await withStorage { storage, _ in
            let start = Fixtures.start
            let clock = Mutex(start)
            let service = FleetAlertService(
                configuration: FleetAlertConfiguration(webhook: "ops"), storage: storage, logger: quietLogger,
                now: { clock.withLock { $0 } })
            func advance(_ seconds: TimeInterval) { clock.withLock { $0 = $0.addingTimeInterval(seconds) } }
            /// Checks every 5 minutes for `seconds`; every change made.
            func run(for seconds: TimeInterval) async throws -> FleetAlertChanges {
                var all = FleetAlertChanges()
                for _ in 0..<Int(seconds / 300) {
                    advance(300)
                    let changes = try await service.check()
                    all.raised += changes.raised
                    all.cleared += changes.cleared
                }
                return all
            }
            try await storage.enroll(kiosk: "kiosk-7", site: "malmo-showroom", jwk: KioskKey.generate().publicJWK, tokenHash: nil, at: start)
            _ = try await storage.ingest([], health: BufferHealth(pending: 0, rejected: 0), kiosk: "kiosk-7", at: start)
            #expect(try await service.check().isEmpty)

            // Three hours without an upload: one alert, however often the fleet is checked.
            #expect(try await run(for: 3 * 3600).raised.map(\.kind) == [.notSeen])
            // It uploads again, reporting a rejected response: the quiet alert clears, a rejected one opens.
            _ = try await storage.ingest([], health: BufferHealth(pending: 0, rejected: 1), kiosk: "kiosk-7", at: clock.withLock { $0 })
            advance(60)
            let back = try await service.check()
            #expect(back.cleared.map(\.kind) == [.notSeen] && back.raised.map(\.kind) == [.rejected])
            // Revoked: its open alert clears, saying so, and it is not watched any more.
            _ = try await storage.revoke(kiosk: "kiosk-7", at: clock.withLock { $0 })
            let revoked = try await run(for: 3 * 3600)
            #expect(revoked.cleared.map(\.kind) == [.rejected] && revoked.raised.isEmpty)

            var texts: [String] = []
            while let entry = try await storage.nextPending(webhook: "ops") {
                texts.append(entry.body ?? "")
                try await storage.record(.delivered, for: entry.id, at: start)
            }
            #expect(texts == [
                #"{"text":"🔴 kiosk kiosk-7 (malmo-showroom) not seen for 2 h (last upload 2026-11-18 11:06 UTC)"}"#,
                #"{"text":"✅ kiosk kiosk-7 (malmo-showroom) seen again (alert open 56 min)"}"#,
                #"{"text":"🔴 kiosk kiosk-7 (malmo-showroom) 1 response rejected by the collector (kept in the kiosk's rejected/)"}"#,
                #"{"text":"✅ kiosk kiosk-7 (malmo-showroom) revoked, no longer watched (alert open 5 min)"}"#,
            ])
        }
    }

    /// While no collector checks the fleet (it was down), kiosks cannot upload: that time is not held against them.
    @Test func aCollectorBackFromAnOutageDoesNotAnnounceTheFleet() async throws {
        try await withStorage { storage, _ in
            let start = Fixtures.start
            let clock = Mutex(start)
            let service = FleetAlertService(
                configuration: FleetAlertConfiguration(webhook: "ops"), storage: storage, logger: quietLogger,
                now: { clock.withLock { $0 } })
            func advance(_ seconds: TimeInterval) { clock.withLock { $0 = $0.addingTimeInterval(seconds) } }
            /// Checks every 5 minutes for `seconds`, kiosk-1 uploading before each check; the checks that changed something.
            func run(for seconds: TimeInterval) async throws -> [FleetAlertChanges] {
                var all: [FleetAlertChanges] = []
                for _ in 0..<Int(seconds / 300) {
                    advance(300)
                    _ = try await storage.ingest(
                        [], health: BufferHealth(pending: 0, rejected: 0), kiosk: "kiosk-1", at: clock.withLock { $0 })
                    all.append(try await service.check())
                }
                return all.filter { !$0.isEmpty }
            }
            #expect(service.resumeAfter == .seconds(600))
            for kiosk in ["kiosk-1", "kiosk-2"] {
                try await storage.enroll(kiosk: kiosk, site: "lund", jwk: KioskKey.generate().publicJWK, tokenHash: nil, at: start)
                _ = try await storage.ingest(
                    [], health: BufferHealth(pending: 0, rejected: 0), kiosk: kiosk, at: start)
            }
            #expect(try await service.check().isEmpty)
            // The collector is down for 3 hours; back, it finds both kiosks quiet since before, and says nothing.
            advance(3 * 3600)
            #expect(try await service.check().isEmpty)
            // kiosk-1 uploads again, kiosk-2 stays quiet: announced once it has been quiet 2 h of watched time.
            let quiet = try await run(for: 1.5 * 3600)
            #expect(quiet.isEmpty)
            let announced = try await run(for: 3600)
            #expect(announced.map { $0.raised.map(\.kiosk) } == [["kiosk-2"]] && announced.allSatisfy(\.cleared.isEmpty))
            // Another outage: kiosk-2's open alert stays open (it was not seen), kiosk-1 (quiet 3 h now) is not announced.
            advance(3 * 3600)
            #expect(try await service.check().isEmpty)
            #expect(try await storage.fleetAlerts(clearedSince: nil).map(\.kiosk) == ["kiosk-2"])
        }
    }

    @Test func alertsRouteAnswers503WithoutADatabase() async throws {
        let app = buildApplication(
            configuration: CollectorConfiguration(), storage: FailingStorage(code: .unavailable),
            surveys: try Fixtures.catalog(), logger: quietLogger)
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/alerts", method: .get, headers: [.authorization: "Bearer some-token"])
            #expect(response.status == .serviceUnavailable)
        }
    }
}
