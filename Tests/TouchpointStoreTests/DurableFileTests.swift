import Foundation
import Testing
@testable import TouchpointStore

@Suite("Durable files")
struct DurableFileTests {
    @Test("write leaves exactly the final file with the bytes and mode, and replaces atomically")
    func writeLeavesOnlyFinalFile() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("a.json")
            try DurableFile.write(Data("one".utf8), to: url)
            #expect(try names(in: dir) == ["a.json"])
            #expect(try Data(contentsOf: url) == Data("one".utf8))
            #expect(try permissions(of: url) & 0o600 == 0o600)

            let large = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0) })
            try DurableFile.write(large, to: url, mode: 0o600)
            #expect(try Data(contentsOf: url) == large)
            #expect(try permissions(of: url) == 0o600)
            #expect(try names(in: dir) == ["a.json"])
        }
    }

    @Test("write into a missing directory fails with .io and leaves nothing")
    func writeFailure() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("missing/a.json")
            expectCode(.io) { try DurableFile.write(Data("x".utf8), to: url) }
            let left = try names(in: dir)
            #expect(left == [])
        }
    }

    @Test("removeTemporaryFiles deletes stale .tmp-* files only")
    func cleanup() throws {
        try withTemporaryDirectory { dir in
            for name in [".tmp-1", ".tmp-abcdef", "a.json", "tmp-keep", ".hidden"] {
                try Data("x".utf8).write(to: dir.appendingPathComponent(name))
            }
            #expect(try DurableFile.removeTemporaryFiles(in: dir) == 2)
            #expect(try names(in: dir) == [".hidden", "a.json", "tmp-keep"])
            #expect(try DurableFile.removeTemporaryFiles(in: dir) == 0)
        }
    }

    @Test("moveDurably moves between directories")
    func move() throws {
        try withTemporaryDirectory { dir in
            let from = dir.appendingPathComponent("pending", isDirectory: true)
            let to = dir.appendingPathComponent("sent", isDirectory: true)
            try FileManager.default.createDirectory(at: from, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: to, withIntermediateDirectories: true)
            try DurableFile.write(Data("x".utf8), to: from.appendingPathComponent("r.json"))
            try DurableFile.moveDurably(from: from.appendingPathComponent("r.json"), to: to.appendingPathComponent("r.json"))
            #expect(try names(in: from) == [])
            #expect(try names(in: to) == ["r.json"])
            try DurableFile.fsyncDirectory(to)
        }
    }
}

@Suite("Sequence counter")
struct SequenceCounterTests {
    @Test("counts 1, 2, 3 and a new instance continues after the last number")
    func countsAndSurvivesReopen() throws {
        try withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("sequence")
            var counter = try SequenceCounter(file: file)
            #expect(counter.last == 0)
            #expect(try [counter.next(), counter.next(), counter.next()] == [1, 2, 3])
            #expect(counter.last == 3)
            #expect(try String(contentsOf: file, encoding: .utf8) == "3\n")

            var reopened = try SequenceCounter(file: file)
            #expect(reopened.last == 3)
            #expect(try reopened.next() == 4)
            #expect(try names(in: dir) == ["sequence"])
        }
    }

    @Test("a corrupt counter file is an error, never a reset", arguments: ["", "\n", "abc\n", "-1\n", "12 \n", "99999999999999999999999\n"])
    func corrupt(content: String) throws {
        try withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("sequence")
            try Data(content.utf8).write(to: file)
            expectCode(.corruptCounter) { try SequenceCounter(file: file) }
            #expect(try Data(contentsOf: file) == Data(content.utf8))
        }
    }
}
