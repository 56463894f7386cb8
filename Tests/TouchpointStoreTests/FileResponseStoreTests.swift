import Foundation
import Testing
import TouchpointCore
@testable import TouchpointStore
import TouchpointTesting
import TouchpointJOSE

@Suite("File response store")
struct FileResponseStoreTests {
    private let start = Date(timeIntervalSince1970: 1_795_000_100)

    private func makeStore(_ root: URL, key: KioskKey, seed: UInt64 = 1) throws -> FileResponseStore {
        let clock = SteppingClock(start: start, step: 0.001)
        return try FileResponseStore(
            root: root, key: key, now: { clock.now() }, generator: SeededGenerator(state: seed))
    }

    @Test("a new store's directories are 0750; a store group or others can write to is refused, naming chmod go-w")
    func directoryPermissions() throws {
        try withTemporaryDirectory { dir in
            let root = dir.appendingPathComponent("kiosk/responses")
            let key = KioskKey.generate()
            _ = try makeStore(root, key: key)
            for name in ["", "pending", "sent", "rejected"] {
                #expect(try permissions(of: root.appendingPathComponent(name)) == 0o750, "\(name)")
            }
            for writable in [root, root.appendingPathComponent("pending")] {
                try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: writable.path)
                do {
                    _ = try makeStore(root, key: key)
                    Issue.record("a store with a 0777 directory \(writable.path) was opened")
                } catch let error as StoreError {
                    #expect(error.code == .insecurePermissions)
                    #expect(error.message.contains("run `chmod go-w \(writable.path)`"), "\(error)")
                }
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: writable.path)
            }
            _ = try makeStore(root, key: key)
        }
    }

    @Test("record writes pending/<id>.json that verifies and decodes to the draft's values")
    func recordWritesVerifiableFile() throws {
        try withTemporaryDirectory { dir in
            let root = dir.appendingPathComponent("responses")
            let key = KioskKey.generate()
            let store = try makeStore(root, key: key)
            #expect(try names(in: root) == ["pending", "rejected", "sent"])

            let draft = sampleDraft()
            let stored = try store.record(draft)
            let file = try #require(stored.file)
            #expect(file.lastPathComponent == "\(stored.response.id).json")
            #expect(try names(in: root.appendingPathComponent("pending")) == [file.lastPathComponent])
            #expect(try names(in: root) == ["pending", "rejected", "sent", "sequence"])

            let envelope = try FlattenedJWS.parse(Data(contentsOf: file))
            #expect(envelope == stored.envelope)
            #expect(try envelope.header().kid == key.keyID)
            let payload = try envelope.verify(with: key.publicJWK)
            let response = try SurveyResponse.decode(payload)
            #expect(response == stored.response)
            #expect(response == SurveyResponse(draft: draft, id: stored.response.id, sequence: 1))
            #expect(response.answer("reason") == .text("Friendly staff / quick test drive"))
            #expect(response.answer("model") == .option("ev-suv"))
            #expect(response.startedAt == draft.startedAt)
            #expect(response.completedAt == draft.completedAt)
            #expect(String(decoding: payload, as: UTF8.self).contains("staff / quick"))
            #expect(UUIDv7.date(of: response.id) == start)

            let check = ResponseFile.read(file, key: key.publicJWK)
            #expect(check.problem == nil)
            #expect(check.signatureValid == true)
            #expect(check.response == response)
        }
    }

    @Test("ids are increasing UUIDv7s, sequence numbers consecutive, across a reopen")
    func idsAndSequences() throws {
        try withTemporaryDirectory { dir in
            let root = dir.appendingPathComponent("responses")
            let key = KioskKey.generate()
            var recorded: [StoredResponse] = []
            let store = try makeStore(root, key: key)
            for _ in 0..<5 { recorded.append(try store.record(sampleDraft())) }
            let reopened = try FileResponseStore(root: root, key: key, now: { Date(timeIntervalSince1970: 1_795_000_200) })
            #expect(reopened.lastSequence == 5)
            recorded.append(try reopened.record(sampleDraft()))

            let ids = recorded.map(\.response.id)
            #expect(recorded.map(\.response.sequence) == [1, 2, 3, 4, 5, 6])
            #expect(ids == ids.sorted())
            #expect(Set(ids).count == ids.count)
            let pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
            for id in ids {
                #expect(id.wholeMatch(of: pattern) != nil, "\(id)")
            }
            #expect(try reopened.pendingFiles().map(\.lastPathComponent) == ids.map { "\($0).json" })
            #expect(try reopened.counts() == BufferCounts(pending: 6, sent: 0, rejected: 0))
        }
    }

    @Test("opening removes leftover temp files; scans skip them; counts see moved files")
    func tempFilesAndCounts() throws {
        try withTemporaryDirectory { dir in
            let root = dir.appendingPathComponent("responses")
            let key = KioskKey.generate()
            let store = try makeStore(root, key: key)
            let first = try store.record(sampleDraft())
            _ = try store.record(sampleDraft())
            let pending = root.appendingPathComponent("pending")
            try Data("partial".utf8).write(to: pending.appendingPathComponent(".tmp-dead"))
            try Data("partial".utf8).write(to: root.appendingPathComponent(".tmp-beef"))
            #expect(try store.pendingFiles().count == 2)

            let firstFile = try #require(first.file)
            try DurableFile.moveDurably(
                from: firstFile, to: root.appendingPathComponent("sent").appendingPathComponent(firstFile.lastPathComponent))
            #expect(try store.counts() == BufferCounts(pending: 1, sent: 1, rejected: 0))

            _ = try makeStore(root, key: key)
            let pendingNames = try names(in: pending)
            let rootNames = try names(in: root)
            #expect(!pendingNames.contains(".tmp-dead"))
            #expect(!rootNames.contains(".tmp-beef"))
        }
    }

    @Test("ResponseFile.read reports a tampered file, a file signed by another key, and junk")
    func responseFileProblems() throws {
        try withTemporaryDirectory { dir in
            let root = dir.appendingPathComponent("responses")
            let key = KioskKey.generate()
            let store = try makeStore(root, key: key)
            let stored = try store.record(sampleDraft())
            let file = try #require(stored.file)

            var text = try String(contentsOf: file, encoding: .utf8)
            var payload = try #require(Base64URL.decode(stored.envelope.payload))
            let index = try #require(payload.firstIndex(of: UInt8(ascii: "9")))
            payload[index] = UInt8(ascii: "0")
            text = text.replacingOccurrences(of: stored.envelope.payload, with: Base64URL.encode(payload))
            try DurableFile.write(Data(text.utf8), to: file)
            let tampered = ResponseFile.read(file, key: key.publicJWK)
            #expect(tampered.signatureValid == false)
            #expect(tampered.problem?.contains("signature") == true)
            #expect(tampered.response != nil)  // still shown, flagged

            let other = ResponseFile.read(try #require(try store.record(sampleDraft()).file), key: KioskKey.generate().publicJWK)
            #expect(other.signatureValid == false)

            let junk = pending(root).appendingPathComponent("junk.json")
            try Data("{}".utf8).write(to: junk)
            let junkCheck = ResponseFile.read(junk, key: nil)
            #expect(junkCheck.problem != nil)
            #expect(junkCheck.response == nil)
            #expect(try ResponseFile.scan(pending(root)).contains(junk))
        }
    }

    private func pending(_ root: URL) -> URL { root.appendingPathComponent("pending") }

    @Test("the in-memory store numbers and signs like the file store")
    func inMemory() throws {
        let key = KioskKey.generate()
        let store = InMemoryResponseStore(key: key)
        let first = try store.record(sampleDraft())
        let second = try store.record(sampleDraft())
        #expect([first.response.sequence, second.response.sequence] == [1, 2])
        #expect(first.file == nil)
        #expect(try SurveyResponse.decode(second.envelope.verify(with: key.publicJWK)) == second.response)
        #expect(try store.counts().pending == 2)
        #expect(store.responses.count == 2)
    }
}
