import Foundation
import TouchpointCore
import TouchpointStore
import TouchpointJOSE

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Section 1: the kiosk's commit (`FileResponseStore.record`) against the bare durable write it needs, and the
/// two durable writes it made before issue 12 (the counter, then the file).
enum CommitBench {
    static func run(fixtures: Fixtures, count: Int, in work: URL) throws {
        let store = try FileResponseStore(root: work.appendingPathComponent("commit-kiosk", isDirectory: true), key: fixtures.key)
        let bare = work.appendingPathComponent("commit-bare", isDirectory: true)
        try FileManager.default.createDirectory(at: bare, withIntermediateDirectories: true)
        let bareDirectory = bare.path

        // The bytes the bare write uses: exactly what record wrote for this draft.
        let bytes = try store.record(fixtures.draft).envelope.serialized()

        // Warm-up (not counted): code paths, directory blocks, the allocator.
        for index in 0..<20 {
            _ = try store.record(fixtures.draft)
            try bareDurableWrite(bytes, directory: bareDirectory, name: "warm-\(index).json")
        }

        // Interleaved so that both see the same disk and file system state over the run.
        var record = Samples(capacity: count)
        var single = Samples(capacity: count)
        var double = Samples(capacity: count)
        for index in 0..<count {
            var start = nowNanoseconds()
            _ = try store.record(fixtures.draft)
            record.add(nowNanoseconds() - start)

            start = nowNanoseconds()
            try bareDurableWrite(bytes, directory: bareDirectory, name: "single-\(index).json")
            single.add(nowNanoseconds() - start)

            // What record did on disk before issue 12: the counter file, then the response file, both durable.
            start = nowNanoseconds()
            try bareDurableWrite(Data("\(index + 1)\n".utf8), directory: bareDirectory, name: "sequence")
            try bareDurableWrite(bytes, directory: bareDirectory, name: "double-\(index).json")
            double.add(nowNanoseconds() - start)
        }

        // CPU only: number, encode, sign, serialize — no I/O.
        var cpu = Samples(capacity: count)
        var generator = SystemRandomNumberGenerator()
        for index in 0..<count {
            let start = nowNanoseconds()
            let id = UUIDv7.make(at: Date(), using: &generator)
            let response = SurveyResponse(draft: fixtures.draft, id: id, sequence: UInt64(index + 1))
            _ = try FlattenedJWS.sign(payload: try response.canonicalJSON(), key: fixtures.key).serialized()
            cpu.add(nowNanoseconds() - start)
        }

        let width = 52
        say("1. Kiosk commit latency: \(count) commits of a service-visit response (5 answers with a comment, \(bytes.count) bytes)")
        say("   " + pad("FileResponseStore.record", width) + record.summary())
        say("   " + pad("bare write+fsync+rename+fsync-dir, same bytes", width) + single.summary())
        say("   " + pad("ratio record / bare", width) + "p50 " + ratio(record.percentile(50) / single.percentile(50), atMost: 1.3)
            + String(format: "     p99 %.2f×     mean %.2f×", record.percentile(99) / single.percentile(99), record.mean / single.mean))
        say("   " + pad("before: two bare durable writes (counter + file)", width) + double.summary())
        say("   " + pad("encode + sign only, no I/O", width) + cpu.summary())
    }

    /// `1.12 (goal ≤ 1.3)`: a ratio that should stay at or under its goal.
    static func ratio(_ value: Double, atMost goal: Double) -> String {
        String(format: "%.2f", value) + " (goal ≤ \(goal))"
    }

    /// The C way: open(O_CREAT|O_EXCL) a temp file, write, fsync, close, rename over `name`, fsync the directory.
    static func bareDurableWrite(_ data: Data, directory: String, name: String) throws {
        let temporary = directory + "/.tmp-" + name
        let final = directory + "/" + name
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BenchError.system("create", temporary) }
        do {
            try writeAll(fd, data, path: temporary)
            guard fsync(fd) == 0 else { throw BenchError.system("fsync", temporary) }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw BenchError.system("close", temporary) }
        guard rename(temporary, final) == 0 else { throw BenchError.system("rename", temporary) }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw BenchError.system("open", directory) }
        defer { close(directoryFD) }
        guard fsync(directoryFD) == 0 else { throw BenchError.system("fsync", directory) }
    }
}
