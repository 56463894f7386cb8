import Foundation
import Testing
import TouchpointCore
import TouchpointStore
@testable import TouchpointSync
import TouchpointTesting
import TouchpointProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Response sync")
struct ResponseSyncTests {
    @Test("batches by count; every stored file moves to sent/ once")
    func batchesByCount() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(5)
        let transport = InMemoryUploadTransport()
        let summary = try await buffer.sync(transport, configuration: seededConfiguration(batchCount: 2)).syncOnce()
        // Two batches are in flight at once, so the two full ones and the last may arrive in either order; the
        // health report with nothing left comes after them all.
        let counts = transport.receivedBatches.map(\.responses.count)
        #expect(counts.dropLast().sorted() == [1, 2, 2] && counts.last == 0, "\(counts)")
        #expect(summary.stored == 5 && summary.batches == 3 && summary.retries == 0)
        #expect(try buffer.ids(in: buffer.sent) == ids.sorted())
        #expect(try buffer.ids(in: buffer.pending).isEmpty)
        #expect(transport.storedIDs == Set(ids))
    }

    @Test("pending responses go oldest first: by sequence across every batch, whatever the directory's order")
    func oldestFirst() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(60)
        let transport = InMemoryUploadTransport()
        // One batch in flight: the order they are sent in is the order they arrive in (with two, neighbours may swap).
        var configuration = seededConfiguration(batchCount: 7)
        configuration.batchesInFlight = 1
        _ = try await buffer.sync(transport, configuration: configuration).syncOnce()
        let sequences = try transport.receivedBatches.flatMap(\.responses).map { envelope in
            try SurveyResponse.decode(try envelope.unverifiedPayload()).sequence
        }
        #expect(sequences == Array(1...60))
    }

    @Test("batches by bytes, a lone file over the limit still goes alone")
    func batchesByBytes() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(5)
        let size = try #require(
            FileManager.default.attributesOfItem(atPath: buffer.pending.appendingPathComponent(
                buffer.names(in: buffer.pending)[0]).path)[.size] as? Int)
        let transport = InMemoryUploadTransport()
        _ = try await buffer.sync(transport, configuration: seededConfiguration(batchBytes: size * 2 + size / 2))
            .syncOnce()
        // Two batches are in flight at once, so the two full ones and the last may arrive in either order; the
        // health report with nothing left comes after them all.
        let counts = transport.receivedBatches.map(\.responses.count)
        #expect(counts.dropLast().sorted() == [1, 2, 2] && counts.last == 0, "\(counts)")

        try buffer.record(2)
        let tiny = InMemoryUploadTransport()
        let summary = try await buffer.sync(tiny, configuration: seededConfiguration(batchBytes: 10)).syncOnce()
        #expect(tiny.receivedBatches.map(\.responses.count) == [1, 1, 0])
        #expect(summary.bytes >= 2 * size)
        #expect(try buffer.ids(in: buffer.sent).count == 7)
    }

    @Test("stored and duplicate go to sent/, rejected to rejected/ with a reason, deferred stays and is not resent")
    func filesByVerdict() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(8)
        // Verdict by position in the sorted ids: stored, duplicate, rejected, deferred, ...
        let verdicts: [String: ItemStatus] = Dictionary(uniqueKeysWithValues: ids.enumerated().map {
            ($0.element, [ItemStatus.stored, .duplicate, .rejected, .deferred][$0.offset % 4])
        })
        let transport = InMemoryUploadTransport { batch, _ in
            .answered(UploadResult(results: try batch.responses.enumerated().map { index, envelope in
                let id = try SurveyResponse.decode(envelope.unverifiedPayload()).id
                let status = verdicts[id] ?? .stored
                let reason: String? = switch status {
                case .rejected: "signature does not verify"
                case .deferred: "unknown survey version"
                default: nil
                }
                return ItemResult(index: index, id: id, status: status, reason: reason)
            }))
        }
        let summary = try await buffer.sync(transport, configuration: seededConfiguration(batchCount: 3)).syncOnce()
        let expect = { (status: ItemStatus) in ids.filter { verdicts[$0] == status }.sorted() }
        #expect(summary.stored == 2 && summary.duplicate == 2 && summary.rejected == 2 && summary.deferred == 2)
        #expect(try buffer.ids(in: buffer.sent) == (expect(.stored) + expect(.duplicate)).sorted())
        #expect(try buffer.ids(in: buffer.rejected) == expect(.rejected))
        #expect(try buffer.ids(in: buffer.pending) == expect(.deferred))
        for id in expect(.rejected) {
            let reason = try String(
                contentsOf: buffer.rejected.appendingPathComponent(ResponseSync.reasonFileName(for: "\(id).json")),
                encoding: .utf8)
            #expect(reason.contains("signature does not verify"))
            #expect(reason.contains("2027-01-15T08:00:00.000Z"))
        }
        // Each file was sent exactly once in the pass, deferred ones included.
        let sentIDs = try transport.receivedBatches.flatMap(\.responses).map {
            try SurveyResponse.decode($0.unverifiedPayload()).id
        }
        #expect(sentIDs.sorted() == ids.sorted())
        #expect(ResponseSync.reasonFileName(for: "abc.json") == "abc.reason")
    }

    @Test("every batch reports buffer health (pending, rejected, oldest, last sequence), and a final empty batch what is left")
    func reportsHealth() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(3)
        let transport = InMemoryUploadTransport { batch, _ in
            .answered(UploadResult(results: batch.responses.indices.map {
                ItemResult(index: $0, id: nil, status: .rejected, reason: "revoked key")
            }))
        }
        _ = try await buffer.sync(transport, configuration: seededConfiguration(batchCount: 2)).syncOnce()
        let health = transport.receivedBatches.map(\.health)
        #expect(health.map(\.pending) == [3, 1, 0])
        #expect(health.map(\.rejected) == [0, 2, 3])
        #expect(health.allSatisfy { $0.lastSequence == 3 })
        let oldest = try #require(UUIDv7.date(of: ids.min() ?? ""))
        #expect(health[0].oldestPendingAt == Timestamp.string(oldest))
        #expect(transport.receivedBatches.allSatisfy { $0.kiosk == "kiosk-7" })
    }

    @Test("an empty buffer still sends one empty batch with its health, if the collector answers the probe")
    func emptyBatchReportsHealth() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let transport = InMemoryUploadTransport()
        let summary = try await buffer.sync(transport).syncOnce()
        #expect(summary.batches == 1)
        #expect(transport.receivedBatches.count == 1)
        #expect(transport.receivedBatches.first?.responses.isEmpty == true)
        #expect(transport.receivedBatches.first?.health == BufferHealth(pending: 0, rejected: 0))

        let offline = InMemoryUploadTransport(reachable: false)
        #expect(try await buffer.sync(offline).syncOnce().batches == 0)
        #expect(offline.receivedBatches.isEmpty)
        #expect(offline.probeCount == 1)
    }

    @Test("a responses directory group or others can write to is refused before anything is sent or moved")
    func refusesAWritableResponsesDirectory() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(2)
        try FileManager.default.setAttributes([.posixPermissions: 0o775], ofItemAtPath: buffer.root.path)
        let transport = InMemoryUploadTransport()
        do {
            _ = try await buffer.sync(transport).syncOnce()
            Issue.record("sync used a group-writable responses directory")
        } catch let error as SyncError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("run `chmod go-w \(buffer.root.path)`"), "\(error)")
        }
        #expect(transport.receivedBatches.isEmpty)
        #expect(try buffer.ids(in: buffer.pending) == ids.sorted())
    }

    @Test("a transport that fails twice then answers: files moved once, backoff slept twice")
    func retriesThenAnswers() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(4)
        let transport = InMemoryUploadTransport { _, call in
            switch call {
            case 1: .retry(reason: "connection refused", after: nil)
            case 2: .retry(reason: "HTTP 503", after: nil)
            default: nil
            }
        }
        let sleeper = RecordingSleeper()
        let sync = buffer.sync(transport, configuration: seededConfiguration(), sleeper: sleeper)
        let summary = try await sync.syncOnce()
        #expect(transport.receivedBatches.count == 4, "three tries of the batch, then the health of the drained buffer")
        #expect(sleeper.delays.count == 2)
        #expect(sleeper.delays[0] <= .seconds(1) && sleeper.delays[1] <= .seconds(2))
        var expected = Backoff(random: SeededGenerator(state: 42))
        #expect(sleeper.delays == [expected.delay(forAttempt: 1), expected.delay(forAttempt: 2)])
        #expect(summary.stored == 4 && summary.retries == 2 && summary.lastError == "HTTP 503")
        #expect(try buffer.ids(in: buffer.sent) == ids.sorted())
    }

    @Test("a Retry-After from the collector is slept instead of the computed delay")
    func honoursRetryAfter() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(1)
        let transport = InMemoryUploadTransport { _, call in
            call == 1 ? .retry(reason: "HTTP 429", after: .seconds(42)) : nil
        }
        let sleeper = RecordingSleeper()
        _ = try await buffer.sync(transport, configuration: seededConfiguration(), sleeper: sleeper).syncOnce()
        #expect(sleeper.delays == [.seconds(42)])
    }

    @Test("the attempts run out: unreachable, nothing moved")
    func givesUp() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(2)
        let transport = InMemoryUploadTransport { _, _ in .retry(reason: "connection refused", after: nil) }
        let sleeper = RecordingSleeper()
        let sync = buffer.sync(transport, configuration: seededConfiguration(maxAttempts: 4), sleeper: sleeper)
        let error = await #expect(throws: SyncError.self) { try await sync.syncOnce() }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("connection refused") == true)
        #expect(transport.receivedBatches.count == 4)
        #expect(sleeper.delays.count == 3)
        #expect(try buffer.ids(in: buffer.pending) == ids.sorted())
    }

    @Test("unauthorized stops at once, moving nothing and sleeping never")
    func unauthorizedStops() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(3)
        let transport = InMemoryUploadTransport { _, _ in .unauthorized("HTTP 401 unauthorized: unknown token") }
        let sleeper = RecordingSleeper()
        let sync = buffer.sync(transport, configuration: seededConfiguration(batchCount: 1), sleeper: sleeper)
        let error = await #expect(throws: SyncError.self) { try await sync.syncOnce() }
        #expect(error?.code == .unauthorized)
        #expect(error?.description.contains("the collector refused our token") == true)
        #expect(transport.receivedBatches.count == 1)
        #expect(sleeper.delays.isEmpty)
        #expect(try buffer.ids(in: buffer.pending) == ids.sorted())
        #expect(try buffer.ids(in: buffer.sent).isEmpty)
    }

    @Test("a batch refused with 400 stops the sync with the collector's message")
    func refusedStops() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(1)
        let transport = InMemoryUploadTransport { _, _ in .refused(status: 400, message: "HTTP 400 malformed: no kiosk") }
        let sync = buffer.sync(transport, configuration: seededConfiguration())
        let error = await #expect(throws: SyncError.self) { try await sync.syncOnce() }
        #expect(error?.code == .refused)
        #expect(error?.message.contains("no kiosk") == true)
        #expect(try buffer.ids(in: buffer.pending).count == 1)
    }

    @Test("413 halves the batch until it fits; a file too large alone goes to rejected/ with a reason")
    func tooLargeHalves() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(4)
        let size = try Data(contentsOf: buffer.pending.appendingPathComponent("\(ids[0]).json")).count
        let transport = InMemoryUploadTransport(maxBodyBytes: size * 2 + 400)
        let summary = try await buffer.sync(transport, configuration: seededConfiguration()).syncOnce()
        #expect(transport.receivedBatches.map(\.responses.count) == [4, 2, 2, 0])
        #expect(summary.stored == 4 && summary.batches == 2)
        #expect(try buffer.ids(in: buffer.sent) == ids.sorted())

        let more = try buffer.record(1)
        let strict = InMemoryUploadTransport(maxBodyBytes: 100)
        let second = try await buffer.sync(strict, configuration: seededConfiguration()).syncOnce()
        #expect(second.rejected == 1)
        #expect(try buffer.ids(in: buffer.rejected) == more)
        let reason = try String(
            contentsOf: buffer.rejected.appendingPathComponent("\(more[0]).reason"), encoding: .utf8)
        #expect(reason.contains("413"))
    }

    @Test("an answer that does not cover the batch (results count mismatch) moves nothing")
    func cutOffAnswerMovesNothing() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(3)
        let transport = InMemoryUploadTransport { batch, _ in
            .answered(UploadResult(results: [ItemResult(index: 0, id: nil, status: .stored)]))
        }
        let sleeper = RecordingSleeper()
        let sync = buffer.sync(transport, configuration: seededConfiguration(maxAttempts: 3), sleeper: sleeper)
        let error = await #expect(throws: SyncError.self) { try await sync.syncOnce() }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("1 result(s) for 3 item(s)") == true)
        #expect(sleeper.delays.count == 2)
        #expect(try buffer.ids(in: buffer.pending) == ids.sorted())
        #expect(try buffer.names(in: buffer.sent).isEmpty && buffer.names(in: buffer.rejected).isEmpty)
    }

    @Test("while another process holds sync.lock, a sync refuses to start")
    func lockHeld() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(1)
        let lockFile = buffer.root.appendingPathComponent(ResponseSync.lockFileName).path
        let fd = open(lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let transport = InMemoryUploadTransport()
        let sync = buffer.sync(transport)
        let error = await #expect(throws: SyncError.self) { try await sync.syncOnce() }
        #expect(error?.code == .busy)
        #expect(error?.message.contains("another sync is running on \(buffer.root.path)") == true)
        #expect(transport.receivedBatches.isEmpty)
        flock(fd, LOCK_UN)
        close(fd)
        #expect(try await sync.syncOnce().stored == 1)
        // Released after the pass: it can be taken again.
        #expect(try await sync.syncOnce().batches == 1)
    }

    @Test("a response written while the sync runs is never lost: sent by this pass or the next")
    func writerDuringSync() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let before = try buffer.record(6)
        let root = buffer.root
        let key = buffer.key
        let written = Counter()
        let transport = InMemoryUploadTransport { _, call in
            if call <= 2 {
                let store = try FileResponseStore(root: root, key: key)
                _ = try store.record(sampleDraft(comment: "written during sync \(call)"))
                written.increment()
            }
            return nil
        }
        let sync = buffer.sync(transport, configuration: seededConfiguration(batchCount: 2))
        _ = try await sync.syncOnce()
        #expect(written.value == 2)
        let afterFirst = try buffer.ids(in: buffer.sent) + buffer.ids(in: buffer.pending)
        #expect(afterFirst.count == 8)
        #expect(Set(before).isSubset(of: Set(try buffer.ids(in: buffer.sent))))
        _ = try await sync.syncOnce()
        #expect(try buffer.ids(in: buffer.pending).isEmpty)
        #expect(try buffer.ids(in: buffer.sent).count == 8)
        #expect(transport.storedIDs.count == 8)
    }

    @Test("temp files and other names in pending/ are left alone; a corrupt response file goes to rejected/")
    func skipsAndQuarantines() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(2)
        try Data("partial".utf8).write(to: buffer.pending.appendingPathComponent(".tmp-1234"))
        try Data("notes".utf8).write(to: buffer.pending.appendingPathComponent("README.txt"))
        let corrupt = "01900000-0000-7000-8000-000000000000.json"
        try Data("{not json".utf8).write(to: buffer.pending.appendingPathComponent(corrupt))
        let transport = InMemoryUploadTransport()
        let summary = try await buffer.sync(transport).syncOnce()
        #expect(summary.stored == 2 && summary.rejected == 1)
        #expect(transport.receivedBatches.flatMap(\.responses).count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: buffer.pending.path).sorted() == [".tmp-1234", "README.txt"])
        #expect(try buffer.ids(in: buffer.sent) == ids.sorted())
        #expect(try buffer.names(in: buffer.rejected) == [corrupt, "01900000-0000-7000-8000-000000000000.reason"])
    }

    @Test("progress counts up to the pending total")
    func progress() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(5)
        let reports = ProgressLog()
        _ = try await buffer.sync(InMemoryUploadTransport(), configuration: seededConfiguration(batchCount: 2))
            .syncOnce(progress: reports.append)
        let handled = reports.values.map(\.handled)
        #expect(handled == [0, 2, 4, 5])
        #expect(reports.values.allSatisfy { $0.total == 5 })
        #expect(reports.values.last?.fraction == 1)
    }

    @Test("prune removes sent files older than the retention, by the time in their id, and never rejected ones")
    func prune() throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var random = SeededGenerator(state: 9)
        let old = UUIDv7.make(at: now.addingTimeInterval(-31 * 86_400), using: &random)
        let recent = UUIDv7.make(at: now.addingTimeInterval(-29 * 86_400), using: &random)
        let oldRejected = UUIDv7.make(at: now.addingTimeInterval(-400 * 86_400), using: &random)
        for id in [old, recent] {
            try Data("{}".utf8).write(to: buffer.sent.appendingPathComponent("\(id).json"))
        }
        try Data("{}".utf8).write(to: buffer.sent.appendingPathComponent("not-a-uuid.json"))
        try Data("{}".utf8).write(to: buffer.rejected.appendingPathComponent("\(oldRejected).json"))
        let sync = buffer.sync(InMemoryUploadTransport())
        #expect(try sync.pruneSent(olderThan: 30, now: now) == 1)
        #expect(try buffer.names(in: buffer.sent) == ["\(recent).json", "not-a-uuid.json"].sorted())
        #expect(try buffer.names(in: buffer.rejected) == ["\(oldRejected).json"])
        #expect(try sync.pruneSent(olderThan: 30, now: now) == 0)
    }

    @Test("rejected files go after their days (90 at most), by the time in their id or else their file's, with their reasons")
    func pruneRejected() throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var random = SeededGenerator(state: 11)
        let old = UUIDv7.make(at: now.addingTimeInterval(-31 * 86_400), using: &random)
        let recent = UUIDv7.make(at: now.addingTimeInterval(-29 * 86_400), using: &random)
        let ancient = UUIDv7.make(at: now.addingTimeInterval(-91 * 86_400), using: &random)
        for id in [old, recent, ancient] {
            try Data("{}".utf8).write(to: buffer.rejected.appendingPathComponent("\(id).json"))
            try Data("bad signature".utf8).write(to: buffer.rejected.appendingPathComponent("\(id).reason"))
        }
        // A file whose name is no id goes by its modification time.
        let odd = buffer.rejected.appendingPathComponent("not-a-uuid.json")
        try Data("{}".utf8).write(to: odd)
        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-40 * 86_400)], ofItemAtPath: odd.path)
        let sync = buffer.sync(InMemoryUploadTransport())
        // A year asked for is 90 days.
        #expect(try sync.pruneRejected(olderThan: 365, now: now) == 1)
        #expect(try buffer.names(in: buffer.rejected).filter { $0.hasPrefix(ancient) }.isEmpty)
        #expect(try sync.pruneRejected(olderThan: 30, now: now) == 2)
        #expect(try buffer.names(in: buffer.rejected) == ["\(recent).json", "\(recent).reason"])
        #expect(try sync.pruneRejected(olderThan: 30, now: now) == 0)
    }

    @Test("health and hasPending stream the directories")
    func healthAndPending() throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let sync = buffer.sync(InMemoryUploadTransport())
        #expect(try sync.hasPending() == false)
        let ids = try buffer.record(3)
        #expect(try sync.hasPending())
        var random = SeededGenerator(state: 5)
        let older = (0..<150).map { UUIDv7.make(at: Date(timeIntervalSince1970: 1_700_000_000 + Double($0)), using: &random) }
        for id in older {
            try Data().write(to: buffer.pending.appendingPathComponent("\(id).json"))
        }
        try Data().write(to: buffer.rejected.appendingPathComponent("\(ids[0]).json"))
        try Data().write(to: buffer.rejected.appendingPathComponent("\(ids[0]).reason"))
        let health = try sync.health()
        #expect(health.pending == 153 && health.rejected == 1 && health.lastSequence == 3)
        #expect(health.oldestPendingAt == Timestamp.string(Date(timeIntervalSince1970: 1_700_000_000)))
    }

    @Test("the pending estimate keeps the oldest names as files leave, and asks for a recount when it runs out")
    func pendingEstimate() throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        var random = SeededGenerator(state: 6)
        let count = PendingEstimate.oldestLimit + 2
        let names = (0..<count).map {
            UUIDv7.make(at: Date(timeIntervalSince1970: 1_700_000_000 + Double($0)), using: &random) + ".json"
        }
        for name in names.shuffled(using: &random) {
            try Data().write(to: buffer.pending.appendingPathComponent(name))
        }
        var estimate = try PendingEstimate.scan(pending: buffer.pending, rejected: buffer.rejected)
        #expect(estimate.pending == count && estimate.oldest == Array(names.prefix(PendingEstimate.oldestLimit)))
        estimate.remove(names[0], toRejected: true)
        #expect(estimate.health(lastSequence: nil).oldestPendingAt == Timestamp.string(Date(timeIntervalSince1970: 1_700_000_001)))
        #expect(estimate.health(lastSequence: nil).rejected == 1)
        for name in names.dropFirst().prefix(PendingEstimate.oldestLimit - 1) {
            #expect(!estimate.needsRescan)
            estimate.remove(name, toRejected: false)
        }
        #expect(estimate.pending == 2 && estimate.needsRescan)
        // A batch's own names count as pending and as candidates for the oldest.
        let health = estimate.health(lastSequence: 9, including: [names[count - 1]])
        #expect(health.pending == 2 && health.lastSequence == 9)
        #expect(health.oldestPendingAt == Timestamp.string(Date(timeIntervalSince1970: 1_700_000_000 + Double(count - 1))))
    }
}

/// Collects progress reports.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [SyncProgress] = []

    var values: [SyncProgress] {
        lock.withLock { reports }
    }

    func append(_ progress: SyncProgress) {
        lock.withLock { reports.append(progress) }
    }
}
