import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Several kiosk workspaces (``SyncSite``) on one collector database, and the test's own record of what it wrote
/// for them: the independent figures the collectors' counts, reports and feed are checked against.
///
/// Every response gets a CES answer of 5, 6 or 7 and a comment of its own holding a marker (`tp-k2-r17` for
/// kiosk-2's sequence 17) that can be found again in a posted message.
final class KioskFleet {
    /// One site per kiosk, `kiosk-1` first.
    let sites: [SyncSite]
    /// How many responses the test wrote per kiosk (its highest sequence number).
    private(set) var written: [Int]
    /// The sum of every CES answer written.
    private(set) var effortSum = 0
    /// Every comment marker written, in writing order.
    private(set) var markers: [String] = []

    /// All responses written.
    var total: Int { written.reduce(0, +) }

    /// `count` kiosks, `kiosk-1` … `kiosk-N`, each in a fresh workspace, their collector commands on `database`.
    init(count: Int, database: String) throws {
        sites = try (1...count).map { try SyncSite(kiosk: "kiosk-\($0)", database: database) }
        written = Array(repeating: 0, count: count)
    }

    deinit {
        stopAll()
    }

    /// The marker in the comment of kiosk `kiosk`'s (1-based) response `sequence`.
    static func marker(kiosk: Int, sequence: Int) -> String { "tp-k\(kiosk)-r\(sequence)" }

    /// The comment markers in `text` (a posted message), in order.
    static func markers(in text: String) -> [String] {
        text.matches(of: #/tp-k[0-9]+-r[0-9]+/#).map { String($0.output) }
    }

    /// Writes `count` responses for the kiosk at `index` (0-based) into its `responses/pending/`, each with its
    /// own comment and an effort of 5, 6 or 7, and records them.
    func write(_ index: Int, _ count: Int) throws {
        for _ in 0..<count {
            let sequence = written[index] + 1
            let effort = 5 + (sequence + index) % 3
            let marker = Self.marker(kiosk: index + 1, sequence: sequence)
            try sites[index].writeResponses(1, effort: effort, comment: "Comment \(marker) from the multi-collector test.")
            written[index] = sequence
            effortSum += effort
            markers.append(marker)
        }
    }

    /// Kills every child process of every site.
    func stopAll() {
        for site in sites { site.stopAll() }
    }

    /// Every child process of every site that still runs.
    var runningChildren: [ChildProcess] {
        sites.flatMap(\.children).filter(\.isRunning)
    }

    /// Everything every command and child of every site printed, for failure messages.
    var logs: String {
        sites.map(\.logs).joined(separator: "\n")
    }

    /// Polls `condition` every 20 ms until it holds; records an issue with every log and throws after `timeout`
    /// seconds.
    func wait(_ what: String, timeout: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(20_000)
        }
        if try condition() { return }
        Issue.record("timed out after \(timeout) s waiting for \(what)\n\(logs)")
        throw CancellationError()
    }

    /// Polls the asynchronous `condition` every 50 ms until it holds (an error counts as not yet); after `timeout`
    /// seconds records an issue with `detail()`, the last error and every log, and throws.
    func poll(_ what: String, timeout: Double, detail: () async -> String = { "" },
              _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        var lastError: (any Error)?
        while true {
            do {
                if try await condition() { return }
                lastError = nil
            } catch {
                lastError = error
            }
            if Date() >= deadline { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let error = lastError.map { "\nlast error: \($0)" } ?? ""
        Issue.record("timed out after \(timeout) s waiting for \(what)\n\(await detail())\(error)\n\(logs)")
        throw CancellationError()
    }
}
