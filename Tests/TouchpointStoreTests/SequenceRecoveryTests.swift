import Foundation
import Testing
import TouchpointCore
@testable import TouchpointStore
import TouchpointJOSE

#if canImport(Glibc)
import Glibc
#endif

/// The one-durable-write commit: the counter written in place, its open and closed forms, recovery from the
/// stored files after a machine crash, and the flush before anything removes files.
@Suite("Sequence recovery")
struct SequenceRecoveryTests {
    /// A boot id that is not this boot's: a counter left open in it was left by a machine that then crashed.
    private let earlierBoot = "00000000-dead-beef-0000-000000000000"

    private func makeStore(_ root: URL, key: KioskKey) throws -> FileResponseStore {
        let clock = SteppingClock(start: Date(timeIntervalSince1970: 1_795_000_100), step: 0.001)
        return try FileResponseStore(root: root, key: key, now: { clock.now() }, generator: SeededGenerator(state: 3))
    }

    private func counterText(_ root: URL) throws -> String {
        try String(contentsOf: root.appendingPathComponent("sequence"), encoding: .utf8)
    }

    private func inode(_ url: URL) throws -> UInt64 {
        var info = stat()
        try #require(stat(url.path, &info) == 0, "stat \(url.path)")
        return UInt64(info.st_ino)
    }

    @Test("each commit rewrites the counter's 20 digits in place; readers see the number; close writes `N\\n`")
    func openFormInPlace() throws {
        try withTemporaryDirectory { dir in
            let root = dir.appendingPathComponent("responses")
            let boot = try #require(BootID.current, "no boot id on this system")
            let store = try makeStore(root, key: KioskKey.generate())
            _ = try store.record(sampleDraft())
            let file = root.appendingPathComponent("sequence")
            #expect(try counterText(root) == "00000000000000000001 \(boot)\n")
            let first = try inode(file)
            for expected in 2...4 as ClosedRange<UInt64> {
                #expect(try store.record(sampleDraft()).response.sequence == expected)
                #expect(try SequenceCounter(file: file).last == expected)
            }
            #expect(try counterText(root) == "00000000000000000004 \(boot)\n")
            #expect(try inode(file) == first, "the counter file was replaced, not written in place")
            #expect(try permissions(of: file) == 0o644)

            try store.close()
            #expect(try counterText(root) == "4\n")
            let reopened = try makeStore(root, key: KioskKey.generate())
            #expect(reopened.counterRecovery == .counter)
            #expect(try reopened.record(sampleDraft()).response.sequence == 5)
        }
    }

    @Test("a counter left open before a machine crash, behind the stored files: the next number is above them all")
    func behindTheFilesAfterMachineCrash() throws {
        try withTemporaryDirectory { dir in
            let root = dir.appendingPathComponent("responses")
            let key = KioskKey.generate()
            let store = try makeStore(root, key: key)
            let stored = try (0..<5).map { _ in try store.record(sampleDraft()) }
            // Spread them: the highest in rejected/, the next in sent/.
            for (index, directory) in [(4, "rejected"), (3, "sent")] {
                let file = try #require(stored[index].file)
                try DurableFile.moveDurably(
                    from: file, to: root.appendingPathComponent(directory).appendingPathComponent(file.lastPathComponent))
            }
            // The power went: the in-place writes after 2 never reached the disk.
            try Data("00000000000000000002 \(earlierBoot)\n".utf8).write(to: root.appendingPathComponent("sequence"))

            let recovered = try makeStore(root, key: key)
            #expect(recovered.counterRecovery == .scanned(highestStored: 5))
            #expect(recovered.lastSequence == 5)
            // Written at once in this boot's open form, so the next start need not read the files again.
            let boot = try #require(BootID.current)
            #expect(try counterText(root) == "00000000000000000005 \(boot)\n")
            #expect(try recovered.record(sampleDraft()).response.sequence == 6)
            #expect(try makeStore(root, key: key).counterRecovery == .counter)
        }
    }

    @Test("a counter ahead of the files after a machine crash keeps its number (numbers after it were never stored)")
    func aheadOfTheFiles() throws {
        try withTemporaryDirectory { dir in
            let root = dir.appendingPathComponent("responses")
            let key = KioskKey.generate()
            _ = try makeStore(root, key: key).record(sampleDraft())
            try Data("00000000000000000009 \(earlierBoot)\n".utf8).write(to: root.appendingPathComponent("sequence"))
            let recovered = try makeStore(root, key: key)
            #expect(recovered.counterRecovery == .scanned(highestStored: 1))
            #expect(try recovered.record(sampleDraft()).response.sequence == 10)
        }
    }

    @Test("the open form of this boot is trusted without reading the files: a killed kiosk's last write is in the page cache")
    func openFormOfThisBootIsTrusted() throws {
        try withTemporaryDirectory { dir in
            let root = dir.appendingPathComponent("responses")
            let key = KioskKey.generate()
            let store = try makeStore(root, key: key)
            for _ in 0..<3 { _ = try store.record(sampleDraft()) }
            // No close: as after kill -9.
            let next = try makeStore(root, key: key)
            #expect(next.counterRecovery == .counter)
            #expect(next.lastSequence == 3)
            #expect(try next.record(sampleDraft()).response.sequence == 4)
        }
    }

    @Test("a missing counter beside stored files is recovered from them; a new store writes nothing until its first record")
    func missingCounter() throws {
        try withTemporaryDirectory { dir in
            let root = dir.appendingPathComponent("responses")
            let key = KioskKey.generate()
            let fresh = try makeStore(root, key: key)
            #expect(fresh.counterRecovery == .scanned(highestStored: 0))
            #expect(try names(in: root) == ["pending", "rejected", "sent"])
            for _ in 0..<2 { _ = try fresh.record(sampleDraft()) }
            try FileManager.default.removeItem(at: root.appendingPathComponent("sequence"))

            let recovered = try makeStore(root, key: key)
            #expect(recovered.counterRecovery == .scanned(highestStored: 2))
            #expect(try SequenceCounter(file: root.appendingPathComponent("sequence")).last == 2)
            #expect(try recovered.record(sampleDraft()).response.sequence == 3)
        }
    }

    @Test("a corrupt counter is an error that says how high the stored files go, and the file is left alone")
    func corruptCounterMessage() throws {
        try withTemporaryDirectory { dir in
            let root = dir.appendingPathComponent("responses")
            let key = KioskKey.generate()
            let store = try makeStore(root, key: key)
            for _ in 0..<3 { _ = try store.record(sampleDraft()) }
            let file = root.appendingPathComponent("sequence")
            try Data("0000000000000\0\0\0\0\0\0\0 \(earlierBoot)\n".utf8).write(to: file)
            do {
                _ = try makeStore(root, key: key)
                Issue.record("a corrupt counter was accepted")
            } catch let error as StoreError {
                #expect(error.code == .corruptCounter)
                #expect(error.message.contains("sequence counter \(file.path) does not hold a number"), "\(error)")
                #expect(error.message.contains("set it to the highest sequence number stored so far"), "\(error)")
                #expect(error.message.contains("the highest in pending, sent, rejected is 3"), "\(error)")
            }
            #expect(try Data(contentsOf: file) == Data("0000000000000\0\0\0\0\0\0\0 \(earlierBoot)\n".utf8))
        }
    }

    @Test("the counter reads both forms and refuses near-misses of the open form",
          arguments: ["0000000000000000000x b\n", "12 b\n", "00000000000000000012 \n", "99999999999999999999 b\n",
                      "00000000000000000012 bad/boot\n", "00000000000000000012  b\n"])
    func openFormParsing(content: String) throws {
        try withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("sequence")
            try Data("00000000000000000012 \(earlierBoot)\n".utf8).write(to: file)
            let open = try SequenceCounter(file: file)
            #expect(open.last == 12)
            #expect(open.openInBoot == earlierBoot)
            try Data("12\n".utf8).write(to: file)
            #expect(try SequenceCounter(file: file).openInBoot == nil)

            try Data(content.utf8).write(to: file)
            expectCode(.corruptCounter) { try SequenceCounter(file: file) }
        }
    }

    @Test("makeDurable: fine for a counter of this boot, closed, or missing; refuses one left open in an earlier boot")
    func makeDurable() throws {
        try withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("sequence")
            try SequenceCounter.makeDurable(file: file)  // missing: nothing to flush
            let boot = try #require(BootID.current)
            for content in ["7\n", "00000000000000000007 \(boot)\n"] {
                try Data(content.utf8).write(to: file)
                try SequenceCounter.makeDurable(file: file)
                #expect(try String(contentsOf: file, encoding: .utf8) == content)
            }
            try Data("00000000000000000007 \(earlierBoot)\n".utf8).write(to: file)
            expectCode(.unrecoveredCounter) { try SequenceCounter.makeDurable(file: file) }
            try Data("seven\n".utf8).write(to: file)
            expectCode(.corruptCounter) { try SequenceCounter.makeDurable(file: file) }
        }
    }

    @Test("after a kiosk restarts on a counter from an earlier boot, makeDurable accepts it again")
    func recoveryUnblocksPruning() throws {
        try withTemporaryDirectory { dir in
            let root = dir.appendingPathComponent("responses")
            let key = KioskKey.generate()
            _ = try makeStore(root, key: key).record(sampleDraft())
            let file = root.appendingPathComponent("sequence")
            try Data("00000000000000000001 \(earlierBoot)\n".utf8).write(to: file)
            expectCode(.unrecoveredCounter) { try SequenceCounter.makeDurable(file: file) }
            _ = try makeStore(root, key: key)
            try SequenceCounter.makeDurable(file: file)
        }
    }
}
