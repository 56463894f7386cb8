import Foundation
import TouchpointCore
import TouchpointStore
import TouchpointJOSE

/// Records the demo drafts through each kiosk's ``FileResponseStore``, as the kiosk does: numbered, signed,
/// durably written to `pending/`.
///
/// The store takes a response's id time from its clock, so each kiosk's store gets a clock that reads the
/// completion time of the draft being recorded: ids are UUIDv7 of the completion time, and since drafts are
/// recorded oldest first, sequence numbers follow time too. Kiosks are written concurrently (each store is
/// used by one thread only), because every response costs two durable writes.
enum DemoWriter {
    /// Writes every kiosk's drafts into `responses(kiosk)`; returns when all are durable.
    static func write(
        _ dataSet: DemoDataSet, keys: [String: KioskKey], seed: UInt64, responses: @escaping @Sendable (String) -> URL
    ) async throws {
        let kiosks = dataSet.kiosks
        let failures = FailureList()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                DispatchQueue.concurrentPerform(iterations: kiosks.count) { index in
                    let kiosk = kiosks[index]
                    do {
                        guard let key = keys[kiosk.id] else {
                            throw DemoError(.io, "no key for kiosk \(kiosk.id)")
                        }
                        try record(dataSet.drafts[kiosk.id] ?? [], kiosk: kiosk.id, key: key, seed: seed,
                                   root: responses(kiosk.id))
                    } catch {
                        failures.add(DemoError(.io, "cannot store the responses of \(kiosk.id)", cause: DescribedCause("\(error)")))
                    }
                }
                continuation.resume()
            }
        }
        if let failure = failures.first { throw failure }
    }

    /// Records `drafts` (oldest first) in a new store at `root`.
    static func record(_ drafts: [ResponseDraft], kiosk: String, key: KioskKey, seed: UInt64, root: URL) throws {
        let clock = DraftClock()
        let store = try FileResponseStore(
            root: root, key: key, now: { clock.date }, generator: DemoRandom.derived(seed: seed, label: "ids/\(kiosk)"))
        for draft in drafts {
            clock.date = draft.completedAt
            _ = try store.record(draft)
        }
        try store.close()
    }
}

/// The clock a demo kiosk's store reads: set to each draft's completion time before it is recorded.
final class DraftClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value = Date(timeIntervalSince1970: 0)

    /// The time the next response is stamped with.
    var date: Date {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

/// Errors collected from concurrent work.
final class FailureList: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [DemoError] = []

    /// Adds an error.
    func add(_ error: DemoError) {
        lock.withLock { errors.append(error) }
    }

    /// The first error added, if any.
    var first: DemoError? { lock.withLock { errors.first } }
}
