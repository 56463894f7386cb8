import Foundation
import Testing
@testable import TouchpointSync

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Directory stream")
struct DirectoryStreamTests {
    @Test("read gives a file's bytes whole (small, empty, several pages) and nil for a file that is gone")
    func readsWhole() throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        var random = SeededGenerator(state: 11)
        let files: [String: Data] = [
            "small.json": Data("{\"a\":1}\n".utf8),
            "empty.json": Data(),
            "large.json": Data((0..<20_000).map { _ in UInt8.random(in: 0...255, using: &random) }),
        ]
        for (name, data) in files {
            try data.write(to: buffer.pending.appendingPathComponent(name))
        }
        let stream = try DirectoryStream(buffer.pending)
        defer { stream.close() }
        for (name, data) in files {
            #expect(try stream.read(name) == data, "\(name)")
        }
        #expect(try stream.read("gone.json") == nil)
    }

    #if os(Linux)
    @Test("reading a pending file leaves its access time alone (O_NOATIME, the kiosk's own files)")
    func keepsAccessTime() throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let file = buffer.pending.appendingPathComponent("old.json")
        try Data("{}".utf8).write(to: file)
        // An access time older than the modification and change times: relatime would update it on a read.
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_500_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, file.path, &times, 0) == 0)
        let stream = try DirectoryStream(buffer.pending)
        defer { stream.close() }
        #expect(try stream.read("old.json") == Data("{}".utf8))
        var status = stat()
        #expect(stat(file.path, &status) == 0)
        #expect(status.st_atim.tv_sec == 1_000_000_000)
    }
    #endif
}
