import Foundation
import ServiceLifecycleTestKit
import Testing
import TouchpointCore
import TouchpointStore
@testable import TouchpointSync
import TouchpointTesting
import TouchpointProtocol

/// Two batches in flight: the next batch is read and sent while the previous one is at the collector, and each
/// is still filed by its own answer, in the order sent.
@Suite("Sync pipeline")
struct SyncPipelineTests {
    /// The response ids in `batch`.
    static func ids(_ batch: UploadBatch) throws -> [String] {
        try batch.responses.map { try SurveyResponse.decode($0.unverifiedPayload()).id }
    }

    @Test("the next batch is sent while the previous one waits for its answer; each moves only on its own answer, in order")
    func twoBatchesInFlight() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(6)
        let arrived = Counter()
        let thirdReturned = Flag()
        let pendingWhenThirdArrived = Snapshot()
        let pending = buffer.pending
        let transport = InMemoryUploadTransport { _, call in
            arrived.increment()
            switch call {
            case 2:
                // The answer to batch 2 waits until batch 3 has arrived and been answered.
                guard try await eventually({ thirdReturned.value }) else {
                    return .refused(status: 0, message: "batch 3 never arrived while batch 2 was at the collector")
                }
            case 3:
                pendingWhenThirdArrived.take(try FileManager.default.contentsOfDirectory(atPath: pending.path))
                thirdReturned.set()
            default:
                break
            }
            return nil
        }
        let sent = buffer.sent
        let filed = Snapshot()
        let summary = try await buffer.sync(transport, configuration: seededConfiguration(batchCount: 2))
            .syncOnce(progress: { _ in
                filed.append((try? FileManager.default.contentsOfDirectory(atPath: sent.path)) ?? [])
            })
        let batches = transport.receivedBatches
        #expect(batches.map(\.responses.count) == [2, 2, 2, 0])
        #expect(summary.stored == 6 && summary.batches == 3)
        #expect(try buffer.ids(in: buffer.sent) == ids.sorted())
        // When batch 3 arrived, batch 2 had no answer yet: its files (and batch 3's) were still pending.
        let first = try Self.ids(batches[0])
        let second = try Self.ids(batches[1])
        let third = try Self.ids(batches[2])
        let pendingThen = Set(pendingWhenThirdArrived.values.flatMap { $0 }.map { String($0.dropLast(5)) })
        #expect(pendingThen == Set(second + third))
        // Batch 3 was answered first, but filed after batch 2: the progress reports see batch 2's files alone first.
        let moved = filed.values.map { Set($0.map { String($0.dropLast(5)) }) }
        #expect(moved == [[], Set(first), Set(first + second), Set(first + second + third)])
        // Batch 3 was read while batch 2 was in flight, so its health still counts batch 2's files as pending.
        #expect(batches.map(\.health.pending) == [6, 4, 4, 0])
    }

    @Test("with one batch in flight each batch is filed before the next is read and sent")
    func oneInFlight() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(6)
        let transport = InMemoryUploadTransport()
        var configuration = seededConfiguration(batchCount: 2)
        configuration.batchesInFlight = 1
        let summary = try await buffer.sync(transport, configuration: configuration).syncOnce()
        #expect(summary.stored == 6 && summary.batches == 3)
        #expect(transport.receivedBatches.map(\.health.pending) == [6, 4, 2, 0])
    }

    @Test(
        "a batch refused while the next is in flight: the next is filed by its own answer, the refused one stays pending, nothing more is sent",
        arguments: [false, true])
    func errorWithAnotherInFlight(nextAnswered: Bool) async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(8)
        let arrived = Counter()
        let sleeper = RecordingSleeper()
        let transport = InMemoryUploadTransport { _, call in
            arrived.increment()
            switch call {
            case 2:
                guard try await eventually({ arrived.value >= 3 }) else {
                    return .refused(status: 0, message: "batch 3 never arrived")
                }
                return .refused(status: 400, message: "HTTP 400 malformed: batch 2")
            case 3:
                return nextAnswered ? nil : .retry(reason: "HTTP 503", after: nil)
            default:
                return nil
            }
        }
        let sync = buffer.sync(transport, configuration: seededConfiguration(batchCount: 2), sleeper: sleeper)
        let error = await #expect(throws: SyncError.self) { try await sync.syncOnce() }
        #expect(error?.code == .refused)
        #expect(error?.message.contains("batch 2") == true)
        let batches = transport.receivedBatches
        #expect(batches.count == 3, "nothing is sent after the refusal")
        #expect(sleeper.delays.isEmpty, "no retry once the pass stops")
        let first = try Self.ids(batches[0])
        let second = try Self.ids(batches[1])
        let third = try Self.ids(batches[2])
        let delivered = first + (nextAnswered ? third : [])
        #expect(try buffer.ids(in: buffer.sent) == delivered.sorted())
        #expect(try buffer.ids(in: buffer.pending) == Set(ids).subtracting(delivered).sorted())
        #expect(Set(try buffer.ids(in: buffer.pending)).isSuperset(of: second))
        #expect(try buffer.names(in: buffer.rejected).isEmpty)
    }

    @Test("a retry of one batch while the next is in flight: both delivered once, the retried one alone after the backoff")
    func retryWithAnotherInFlight() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(6)
        let arrived = Counter()
        let transport = InMemoryUploadTransport { _, call in
            arrived.increment()
            guard call == 2 else { return nil }
            guard try await eventually({ arrived.value >= 3 }) else {
                return .refused(status: 0, message: "batch 3 never arrived")
            }
            return .retry(reason: "HTTP 503", after: nil)
        }
        let sleeper = RecordingSleeper()
        let summary = try await buffer.sync(
            transport, configuration: seededConfiguration(batchCount: 2), sleeper: sleeper
        ).syncOnce()
        let batches = transport.receivedBatches
        #expect(summary.stored == 6 && summary.retries == 1 && summary.batches == 3)
        #expect(sleeper.delays.count == 1)
        #expect(batches.map(\.responses.count) == [2, 2, 2, 2, 0])
        #expect(try Self.ids(batches[3]) == Self.ids(batches[1]), "the refused batch is sent again as it was")
        #expect(try buffer.ids(in: buffer.sent) == ids.sorted())
        #expect(transport.storedIDs == Set(ids))
    }

    @Test("the counter file is read once per pass: a number taken during the pass shows in the next pass")
    func counterReadOncePerPass() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(6)
        let root = buffer.root
        let key = buffer.key
        let transport = InMemoryUploadTransport { _, call in
            if call == 1 {
                // The kiosk records two more responses during the pass: the counter goes from 6 to 8.
                let store = try FileResponseStore(root: root, key: key)
                for _ in 0..<2 {
                    _ = try store.record(sampleDraft(comment: "written during the pass"))
                }
            }
            return nil
        }
        let sync = buffer.sync(transport, configuration: seededConfiguration(batchCount: 2))
        _ = try await sync.syncOnce()
        let firstPass = transport.receivedBatches.count
        #expect(transport.receivedBatches.allSatisfy { $0.health.lastSequence == 6 })
        _ = try await sync.syncOnce()
        #expect(transport.receivedBatches.dropFirst(firstPass).allSatisfy { $0.health.lastSequence == 8 })
        #expect(try buffer.ids(in: buffer.sent).count == 8)
    }

    @Test("a graceful shutdown ends the pass after the batches in flight, which are filed; nothing more is sent")
    func gracefulShutdownFinishesTheBatchesInFlight() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(10)
        let arrived = Counter()
        let release = Flag()
        let transport = InMemoryUploadTransport { _, call in
            arrived.increment()
            guard call == 2 || call == 3 else { return nil }
            // Batches 2 and 3 are answered only when the test says so.
            guard try await eventually({ release.value }) else {
                return .refused(status: 0, message: "never released")
            }
            return nil
        }
        let sync = buffer.sync(transport, configuration: seededConfiguration(batchCount: 2))
        let summary = try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: SyncSummary.self) { group in
                group.addTask { try await sync.syncOnce() }
                try #require(try await eventually { arrived.value >= 3 })
                trigger.triggerGracefulShutdown()
                release.set()
                return try #require(try await group.next())
            }
        }
        let batches = transport.receivedBatches
        #expect(batches.count == 3)
        #expect(summary.stored == 6 && summary.batches == 3)
        let delivered = try batches.flatMap(Self.ids)
        #expect(try buffer.ids(in: buffer.sent) == delivered.sorted())
        #expect(try buffer.ids(in: buffer.pending) == Set(ids).subtracting(delivered).sorted())
    }
}

/// Values collected from a transport script or a progress callback.
final class Snapshot: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [[String]] = []

    var values: [[String]] {
        lock.withLock { collected }
    }

    func take(_ names: [String]) {
        append(names)
    }

    func append(_ names: [String]) {
        lock.withLock { collected.append(names) }
    }
}
