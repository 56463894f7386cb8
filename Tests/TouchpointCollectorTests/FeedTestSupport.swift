import Foundation
import Logging
import ServiceLifecycle
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointProtocol
import TouchpointJOSE
import TouchpointCollectorServer

/// Responses with comments to the bundled surveys, sent through the real verify-and-store path.
enum FeedFixtures {
    /// A response to `retail-visit` (retail, shop) or `service-visit` (service, own) with NPS `nps` and, if
    /// given, a comment (`improve`/`loved` on retail, by the score; `comment` on service).
    static func response(
        service: Bool = false, sequence: UInt64, nps: Int, comment: String? = nil, site: String = "malmo",
        kiosk: String? = nil, account: String? = nil
    ) -> SurveyResponse {
        var answers = [Answer(question: "recommend", type: .nps, value: .number(nps))]
        if service {
            answers += [
                Answer(question: "service-satisfaction", type: .csat, value: .number(3)),
                Answer(question: "service-effort", type: .ces, value: .number(4)),
                Answer(question: "ready-on-time", type: .yesno, value: .bool(true)),
            ]
            if let comment {
                answers.append(Answer(question: "comment", type: .text, value: .text(comment)))
            }
        } else {
            if let comment {
                let question = nps <= 6 ? "improve" : "loved"
                answers.append(Answer(question: question, type: .text, value: .text(comment)))
            }
            answers.append(Answer(question: "visit-satisfaction", type: .csat, value: .number(2)))
        }
        let completed = Fixtures.start.addingTimeInterval(Double(sequence) * 60)
        let draft = ResponseDraft(
            survey: SurveyReference(
                id: service ? "service-visit" : "retail-visit", version: 1,
                digest: Fixtures.digest(service ? "service-visit" : "retail-visit")),
            site: site, kiosk: kiosk ?? Self.kiosk(at: site), touchpoint: service ? "service" : "retail", stage: service ? .own : .shop,
            language: "en", startedAt: completed.addingTimeInterval(-30), completedAt: completed, answers: answers,
            status: .complete, suspect: false, mode: .attended, account: account, appVersion: "0.1.0")
        var generator = SeededGenerator(state: sequence &* 104_729 &+ (service ? 1 : 0))
        return SurveyResponse(draft: draft, id: UUIDv7.make(at: completed, using: &generator), sequence: sequence)
    }

    /// The kiosk a fixture response from `site` comes from unless a test names one: kiosk-1 at malmo (the
    /// test's key), `kiosk-SITE` elsewhere (a key of ``siteKeys``), since the collector holds every response
    /// to its kiosk's enrolled site.
    static func kiosk(at site: String) -> String {
        site == "malmo" ? "kiosk-1" : "kiosk-\(site)"
    }

    /// The keys of the kiosks at sites other than malmo, by kiosk id.
    static let siteKeys: [String: KioskKey] = Dictionary(
        uniqueKeysWithValues: ["lund", "umea"].map { (kiosk(at: $0), KioskKey.generate()) })

    /// When the collector receives fixture batches: late enough for every fixture's `completedAt`.
    static let receivedAt = Fixtures.start.addingTimeInterval(120 * 86_400)

    /// Enrols `key` as kiosk-1's key at malmo.
    static func enroll(_ storage: some CollectorStorage, key: KioskKey, kiosk: String = "kiosk-1") async throws {
        try await storage.enroll(kiosk: kiosk, site: "malmo", jwk: key.publicJWK, tokenHash: nil, at: Fixtures.start)
    }

    /// Signs `responses` and sends them through ``ResponseIngestor``, one upload batch per kiosk (kiosk-1's
    /// signed with `key`, another site's kiosk enrolled and signed with its key of ``siteKeys``); returns the
    /// statuses in the order of `responses`.
    @discardableResult
    static func ingest(
        _ responses: [SurveyResponse], into storage: some CollectorStorage, key: KioskKey, kiosk: String = "kiosk-1",
        caseRules: CaseRules = .standard
    ) async throws -> [ItemStatus] {
        let ingestor = ResponseIngestor(storage: storage, surveys: try Fixtures.surveys(), caseRules: caseRules, logger: quietLogger)
        var statuses: [ItemStatus?] = Array(repeating: nil, count: responses.count)
        var kiosks: [String] = []
        for response in responses where !kiosks.contains(response.kiosk) {
            kiosks.append(response.kiosk)
        }
        for batchKiosk in kiosks.isEmpty ? [kiosk] : kiosks {
            var signer = key
            if let siteKey = siteKeys[batchKiosk], let site = responses.first(where: { $0.kiosk == batchKiosk })?.site {
                if try await storage.key(kid: siteKey.keyID) == nil {
                    try await storage.enroll(kiosk: batchKiosk, site: site, jwk: siteKey.publicJWK, tokenHash: nil, at: Fixtures.start)
                }
                signer = siteKey
            }
            let indices = responses.indices.filter { responses[$0].kiosk == batchKiosk }
            let batch = UploadBatch(
                kiosk: batchKiosk == "kiosk-1" ? kiosk : batchKiosk, health: BufferHealth(pending: 0, rejected: 0),
                responses: try indices.map { try Fixtures.signed(responses[$0], key: signer) })
            let result = try await ingestor.ingest(batch, at: receivedAt)
            for (index, item) in zip(indices, result.results) {
                statuses[index] = item.status
            }
        }
        return statuses.map { $0 ?? .deferred }
    }
}

/// A log handler that keeps every rendered line (message and metadata), to check what is logged.
struct FeedLogCapture: LogHandler {
    /// The lines logged so far.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []

        func append(_ line: String) {
            lock.withLock { lines.append(line) }
        }

        var all: [String] {
            lock.withLock { lines }
        }
    }

    let lines: Lines
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.append("\(event.level) \(event.message) \(rendered)")
    }

    /// A logger writing into `lines`.
    static func logger(_ lines: Lines) -> Logger {
        Logger(label: "touchpoint-feed-tests") { _ in FeedLogCapture(lines: lines) }
    }
}

extension FeedFixtures {
    /// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
    ///
    /// The timeout only bounds how long a failing test takes; nothing is asserted about how soon the condition holds.
    /// It is generous: with every suite starting at once beside a cold release build, deliveries took over 60 s.
    static func eventually(
        timeout: Duration = .seconds(240), _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    /// Runs `service` in a service group while `body` runs, then shuts it down gracefully and waits for it.
    static func whileRunning<T>(_ service: FeedDeliveryService, _ body: () async throws -> T) async throws -> T {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [service], logger: quietLogger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}

/// A ``FeedStorage`` that forwards to another and counts, per webhook, the times the delivery loop looked for
/// a pending row and found none: the event that proves the loop has gone idle after what came before it.
final class IdleCountingFeedStorage: FeedStorage, @unchecked Sendable {
    private let base: any FeedStorage
    private let lock = NSLock()
    private var idle: [String: Int] = [:]

    init(_ base: any FeedStorage) {
        self.base = base
    }

    /// How many times ``nextPending(webhook:)`` has answered nil for `webhook`.
    func idleLooks(_ webhook: String) -> Int {
        lock.withLock { idle[webhook, default: 0] }
    }

    func comments(_ query: CommentQuery) async throws -> [FeedComment] {
        try await base.comments(query)
    }

    func fanOut(to webhooks: [Webhook], caseLinks: CaseLinks?, at date: Date, limit: Int) async throws -> FeedFanOut {
        try await base.fanOut(to: webhooks, caseLinks: caseLinks, at: date, limit: limit)
    }

    func nextPending(webhook: String) async throws -> OutboxEntry? {
        let entry = try await base.nextPending(webhook: webhook)
        if entry == nil {
            lock.withLock { idle[webhook, default: 0] += 1 }
        }
        return entry
    }

    func record(_ outcome: OutboxOutcome, for id: Int64, at date: Date) async throws {
        try await base.record(outcome, for: id, at: date)
    }

    func outboxStatus() async throws -> OutboxStatus {
        try await base.outboxStatus()
    }
}

extension OutboxStatus {
    /// The summary of webhook `name`, or an empty one.
    func webhook(_ name: String) -> OutboxStatus.Webhook {
        webhooks.first { $0.name == name } ?? OutboxStatus.Webhook(name: name)
    }
}

/// The feed's part of the always-failing storage (declared in CollectorRouterTests.swift).
extension FailingStorage {
    func comments(_ query: CommentQuery) async throws -> [FeedComment] { throw fail() }
    func fanOut(to webhooks: [Webhook], caseLinks: CaseLinks?, at date: Date, limit: Int) async throws -> FeedFanOut { throw fail() }
    func nextPending(webhook: String) async throws -> OutboxEntry? { throw fail() }
    func record(_ outcome: OutboxOutcome, for id: Int64, at date: Date) async throws { throw fail() }
    func outboxStatus() async throws -> OutboxStatus { throw fail() }
}
