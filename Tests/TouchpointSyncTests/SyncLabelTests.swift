import Foundation
import Testing
import TouchpointCore
import TouchpointStore
import TouchpointJOSE
@testable import TouchpointSync
import TouchpointTesting
import TouchpointProtocol

/// The batch label comes from the files, and a refusal caused by the caller's setup moves nothing.
@Suite("Sync labels and local slips")
struct SyncLabelTests {
    /// A sync of `buffer` configured as `kiosk` (the files say kiosk-7).
    func sync(_ buffer: Buffer, as kiosk: String, _ transport: InMemoryUploadTransport,
              sleeper: RecordingSleeper = RecordingSleeper()) -> ResponseSync {
        ResponseSync(
            responsesDirectory: buffer.root, kiosk: kiosk, transport: transport,
            configuration: seededConfiguration(batchCount: 2), logger: testLogger(),
            now: { Date(timeIntervalSince1970: 1_800_000_000) }, sleep: sleeper.sleep)
    }

    @Test("batches carry the kiosk id of their files, not a configured default; the closing health report too")
    func labelFromFiles() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(3)
        let transport = InMemoryUploadTransport()
        // `touchpoint sync` without --kiosk-id is configured as kiosk-1.
        let summary = try await sync(buffer, as: "kiosk-1", transport).syncOnce()
        #expect(summary.stored == 3 && summary.rejected == 0)
        #expect(transport.receivedBatches.map(\.kiosk) == ["kiosk-7", "kiosk-7", "kiosk-7"])
        // Two batches in flight may arrive in either order; the closing health report comes last.
        let counts = transport.receivedBatches.map(\.responses.count)
        #expect(counts.dropLast().sorted() == [1, 2] && counts.last == 0, "\(counts)")
        #expect(try buffer.ids(in: buffer.sent) == ids.sorted())
    }

    @Test("files of two kiosks in one pending/: a clear error before the mixed batch is sent, nothing moved")
    func mixedKiosks() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(2)
        var stranger = sampleDraft()
        stranger.kiosk = "kiosk-8"
        let store = try FileResponseStore(root: buffer.root, key: buffer.key)
        _ = try store.record(stranger)
        let transport = InMemoryUploadTransport()
        let sync = ResponseSync(
            responsesDirectory: buffer.root, kiosk: "kiosk-7", transport: transport,
            configuration: seededConfiguration(batchCount: 10), logger: testLogger())
        let error = await #expect(throws: SyncError.self) { try await sync.syncOnce() }
        #expect(error?.code == .mixedKiosks)
        let message = error?.message ?? ""
        #expect(message.contains("kiosk-7") && message.contains("kiosk-8") && message.contains("belongs to one kiosk"), "\(message)")
        #expect(transport.receivedBatches.isEmpty)
        #expect(try buffer.ids(in: buffer.pending).count == 3)
        #expect(try buffer.names(in: buffer.sent).isEmpty)
        #expect(try buffer.names(in: buffer.rejected).isEmpty)
    }

    @Test("401 and 403 (the caller's token or label) stop the pass with every response still pending")
    func unauthorizedKeepsPending() async throws {
        for status in [401, 403] {
            let buffer = try Buffer()
            defer { buffer.remove() }
            let ids = try buffer.record(3)
            let transport = InMemoryUploadTransport { _, _ in
                .unauthorized("HTTP \(status) forbidden: the token is not kiosk-7's")
            }
            let error = await #expect(throws: SyncError.self) { try await sync(buffer, as: "kiosk-7", transport).syncOnce() }
            #expect(error?.code == .unauthorized)
            #expect(try buffer.ids(in: buffer.pending) == ids.sorted())
            #expect(try buffer.names(in: buffer.rejected).isEmpty)
            #expect(try buffer.names(in: buffer.sent).isEmpty)
        }
    }

    @Test("a certificate that does not verify stops the pass at once: no retries, nothing moved")
    func untrustedStops() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(3)
        let message = "the collector at https://collector.example presented a TLS certificate that does not verify"
        let transport = InMemoryUploadTransport { _, _ in .untrusted(message) }
        let sleeper = RecordingSleeper()
        let error = await #expect(throws: SyncError.self) {
            try await sync(buffer, as: "kiosk-7", transport, sleeper: sleeper).syncOnce()
        }
        #expect(error?.code == .untrusted)
        #expect(error?.description == message)
        #expect(transport.receivedBatches.count == 1)
        #expect(sleeper.delays.isEmpty)
        #expect(try buffer.ids(in: buffer.pending) == ids.sorted())
        #expect(try buffer.names(in: buffer.rejected).isEmpty)
    }

    @Test("a pending file whose payload carries no kiosk id can never be accepted: rejected locally with the reason")
    func payloadWithoutKiosk() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        let ids = try buffer.record(1)
        let name = "01900000-0000-7000-8000-000000000001.json"
        let envelope = try FlattenedJWS.sign(payload: Data(#"{"id":"x"}"#.utf8), key: buffer.key)
        try envelope.serialized().write(to: buffer.pending.appendingPathComponent(name))
        let transport = InMemoryUploadTransport()
        let summary = try await sync(buffer, as: "kiosk-7", transport).syncOnce()
        #expect(summary.stored == 1 && summary.rejected == 1)
        #expect(try buffer.ids(in: buffer.sent) == ids)
        let reason = try String(contentsOf: buffer.rejected.appendingPathComponent(ResponseSync.reasonFileName(for: name)), encoding: .utf8)
        #expect(reason.contains("rejected by the kiosk") && reason.contains("kiosk"), "\(reason)")
    }
}
