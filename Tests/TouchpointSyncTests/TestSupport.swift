import Foundation
import Logging
import Testing
import TouchpointCore
import TouchpointStore
@testable import TouchpointSync
import TouchpointProtocol
import TouchpointJOSE

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deterministic random source (SplitMix64).
struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A sleeper that records every delay and returns at once.
final class RecordingSleeper: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []

    var delays: [Duration] {
        lock.withLock { recorded }
    }

    func sleep(_ delay: Duration) async throws {
        lock.withLock { recorded.append(delay) }
    }
}

/// A sleeper that records every delay and then never returns on its own: only cancellation ends it.
///
/// A service sleeping on it stays asleep until the test wakes it some other way, so what the service does
/// between two sleeps is decided by the test, not by how fast the machine is.
final class ParkedSleeper: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []

    /// The delays asked for so far, in order.
    var delays: [Duration] {
        lock.withLock { recorded }
    }

    func sleep(_ delay: Duration) async throws {
        lock.withLock { recorded.append(delay) }
        // Ends only by cancellation (it throws CancellationError then).
        try await Task.sleep(for: .seconds(86_400 * 365))
    }
}

/// A flag safe to set from the test and read from a transport script.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false

    var value: Bool {
        lock.withLock { isSet }
    }

    func set() {
        lock.withLock { isSet = true }
    }
}

/// A counter safe to bump from a transport script.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var value: Int {
        lock.withLock { count }
    }

    @discardableResult
    func increment() -> Int {
        lock.withLock {
            count += 1
            return count
        }
    }
}

/// A logger that drops everything (set `TOUCHPOINT_TEST_LOG=1` to see it).
func testLogger() -> Logger {
    if ProcessInfo.processInfo.environment["TOUCHPOINT_TEST_LOG"] == "1" {
        var logger = Logger(label: "sync-tests", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .trace
        return logger
    }
    return Logger(label: "sync-tests", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// A completed retail draft.
func sampleDraft(comment: String = "Friendly staff") -> ResponseDraft {
    ResponseDraft(
        survey: SurveyReference(id: "retail-visit", version: 3, digest: "sha256:" + String(repeating: "ab", count: 32)),
        site: "sto-01", kiosk: "kiosk-7", touchpoint: "retail", stage: .shop, language: "sv",
        startedAt: Date(timeIntervalSince1970: 1_795_000_000.5),
        completedAt: Date(timeIntervalSince1970: 1_795_000_042.25),
        answers: [
            Answer(question: "nps", type: .nps, value: .number(9)),
            Answer(question: "reason", type: .text, value: .text(comment)),
        ],
        status: .complete, suspect: false, mode: .unattended, appVersion: "1.0.0")
}

/// A fresh responses directory with a real signing store, removed by ``remove()``.
struct Buffer {
    let root: URL
    let key: KioskKey

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("touchpoint-sync-tests-\(UUID().uuidString)", isDirectory: true)
        key = KioskKey.generate()
        _ = try FileResponseStore(root: root, key: key)
    }

    var pending: URL { root.appendingPathComponent("pending") }
    var sent: URL { root.appendingPathComponent("sent") }
    var rejected: URL { root.appendingPathComponent("rejected") }

    /// Records `count` signed responses into `pending/` and returns their ids in order.
    @discardableResult
    func record(_ count: Int, comment: String = "Friendly staff") throws -> [String] {
        let store = try FileResponseStore(root: root, key: key)
        return try (0..<count).map { _ in try store.record(sampleDraft(comment: comment)).response.id }
    }

    /// The response file names in `directory`, sorted.
    func names(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The ids of the `.json` files in `directory`, sorted.
    func ids(in directory: URL) throws -> [String] {
        try names(in: directory).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
    }

    /// A sync of this buffer over `transport`.
    func sync(
        _ transport: any UploadTransport, configuration: SyncConfiguration = SyncConfiguration(),
        sleeper: RecordingSleeper = RecordingSleeper()
    ) -> ResponseSync {
        ResponseSync(
            responsesDirectory: root, kiosk: "kiosk-7", transport: transport, configuration: configuration,
            logger: testLogger(), now: { Date(timeIntervalSince1970: 1_800_000_000) }, sleep: sleeper.sleep)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}

/// A configuration with a seeded backoff.
func seededConfiguration(
    batchCount: Int = 200, batchBytes: Int = 2 * 1024 * 1024, maxAttempts: Int = 6
) -> SyncConfiguration {
    SyncConfiguration(
        batchCount: batchCount, batchBytes: batchBytes, maxAttempts: maxAttempts,
        backoff: Backoff(random: SeededGenerator(state: 42)))
}

/// Waits until `condition` holds, polling, for at most `timeout`.
///
/// The timeout only bounds how long a failing test takes; nothing is asserted about how soon the condition holds.
func eventually(
    timeout: Duration = .seconds(240), _ condition: @Sendable () throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try condition()
}
