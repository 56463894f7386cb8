import Foundation
import Testing
import TouchpointCore
import TouchpointStore
@testable import TouchpointSync
import TouchpointTesting

/// Pruning `sent/` against the kiosk's sequence counter, which the kiosk writes without fsync.
@Suite("Prune and the sequence counter")
struct PruneCounterTests {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Two sent files, one older than 30 days; returns their names (old first).
    private func sentFiles(_ buffer: Buffer) throws -> [String] {
        var random = SeededGenerator(state: 11)
        let names = [-31.0, -29.0].map { days in
            UUIDv7.make(at: now.addingTimeInterval(days * 86_400), using: &random) + ".json"
        }
        for name in names {
            try Data("{}".utf8).write(to: buffer.sent.appendingPathComponent(name))
        }
        return names
    }

    @Test("a counter left open before a machine restart stops pruning before the first removal; after the kiosk recovers it, pruning goes on")
    func refusesAnUnrecoveredCounter() throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let names = try sentFiles(buffer)
        let counter = buffer.root.appendingPathComponent("sequence")
        let stale = "00000000000000000004 00000000-dead-beef-0000-000000000000\n"
        try Data(stale.utf8).write(to: counter)
        let sync = buffer.sync(InMemoryUploadTransport())
        do {
            try sync.pruneSent(olderThan: 30, now: now)
            Issue.record("pruned with a counter from an earlier boot")
        } catch let error as SyncError {
            #expect(error.code == .io)
            #expect("\(error)".contains("not pruning \(buffer.sent.path)"), "\(error)")
            #expect("\(error)".contains("left open by a kiosk before the machine restarted"), "\(error)")
        }
        #expect(try buffer.names(in: buffer.sent) == names.sorted(), "a file went before the counter was safe")
        #expect(try String(contentsOf: counter, encoding: .utf8) == stale)

        // The kiosk starts: it recovers the counter (here from the counter itself: the files are not responses).
        _ = try FileResponseStore(root: buffer.root, key: buffer.key)
        let recovered = try String(contentsOf: counter, encoding: .utf8)
        #expect(try SequenceCounter(file: counter).last == 4, "\(recovered)")
        #expect(try sync.pruneSent(olderThan: 30, now: now) == 1)
        #expect(try buffer.names(in: buffer.sent) == [names[1]])
        #expect(try String(contentsOf: counter, encoding: .utf8) == recovered, "pruning changed the counter")
    }

    @Test("pruning beside a running store: the counter of this boot is flushed and the old file goes")
    func prunesBesideARunningStore() throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let names = try sentFiles(buffer)
        let store = try FileResponseStore(root: buffer.root, key: buffer.key)
        _ = try store.record(sampleDraft())
        let counter = buffer.root.appendingPathComponent("sequence")
        let before = try String(contentsOf: counter, encoding: .utf8)
        #expect(try buffer.sync(InMemoryUploadTransport()).pruneSent(olderThan: 30, now: now) == 1)
        #expect(try buffer.names(in: buffer.sent) == [names[1]])
        #expect(try String(contentsOf: counter, encoding: .utf8) == before)
        #expect(try store.record(sampleDraft()).response.sequence == 2)
    }

    @Test("a sync flushes the counter before each batch and still sends when the counter waits for the kiosk's recovery")
    func syncSendsBesideTheCounter() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(3)
        let counter = buffer.root.appendingPathComponent("sequence")
        let before = try String(contentsOf: counter, encoding: .utf8)
        let transport = InMemoryUploadTransport()
        var summary = try await buffer.sync(transport).syncOnce()
        #expect(summary.stored == 3)
        #expect(try String(contentsOf: counter, encoding: .utf8) == before, "the sync changed the counter")

        // A counter left open before a machine restart: the files still go; the kiosk's next start recovers it.
        try buffer.record(2)
        let stale = "00000000000000000001 00000000-dead-beef-0000-000000000000\n"
        try Data(stale.utf8).write(to: counter)
        summary = try await buffer.sync(transport).syncOnce()
        #expect(summary.stored == 2)
        #expect(try String(contentsOf: counter, encoding: .utf8) == stale)
        #expect(try buffer.names(in: buffer.pending).isEmpty)
    }
}
