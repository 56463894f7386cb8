import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TouchpointCollector
@testable import TouchpointCollectorServer
import TouchpointCore
import TouchpointJOSE
import TouchpointProtocol
import TouchpointTesting

/// The read deadline and the cap on concurrent uploads, against a live collector on 127.0.0.1.
///
/// No assertion depends on how fast the machine is: each test waits for the event itself (a 503, a closed
/// connection, a 200) with a generous timeout, and the only time compared is a lower bound.
@Suite("Upload limits: read deadline and concurrent uploads")
struct UploadLimitsTests {
    let key = KioskKey.generate()

    /// Runs `body` with a client of a live collector (and its port) on a fresh database with kiosk-1 enrolled at malmo.
    func withLiveCollector(
        _ configuration: CollectorConfiguration, _ body: @escaping @Sendable (any TestClientProtocol, Int) async throws -> Void
    ) async throws {
        try await withStorage { storage, _ in
            try await storage.enroll(
                kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, tokenHash: TestKiosk.uploadTokenHash, at: Fixtures.start)
            let admin = try await TestAccess.token(in: storage)
            let app = buildApplication(configuration: configuration, storage: storage, surveys: try Fixtures.catalog(), logger: quietLogger)
            // AsyncHTTPClient underneath: it opens a new connection when the collector closed an idle one.
            try await app.test(.ahc(.http)) { client in
                try await body(SignedInClient(client, token: admin), try #require(client.port))
            }
        }
    }

    /// A valid one-item batch from kiosk-1 (sequence `sequence`), as the request body.
    func batch(_ sequence: UInt64) throws -> ByteBuffer {
        ByteBuffer(bytes: try UploadProtocol.encode(UploadBatch(
            kiosk: "kiosk-1", health: BufferHealth(pending: 1, rejected: 0),
            responses: [try Fixtures.signed(Fixtures.response(sequence: sequence), key: key)])))
    }

    /// `POST /v1/responses` with `body`; the status code.
    func upload(_ body: ByteBuffer, _ client: any TestClientProtocol) async throws -> Int {
        Int(try await client.execute(uri: UploadProtocol.path, method: .post, body: body).status.code)
    }

    /// `GET /healthz`; the status code.
    func healthz(_ client: any TestClientProtocol) async throws -> Int {
        Int(try await client.execute(uri: UploadProtocol.healthPath, method: .get).status.code)
    }

    @Test func uploadsOverTheCapGet503AtOnceAndTheRestIsServed() async throws {
        // A deadline far beyond the test: the two stalled uploads hold both slots until the test closes them.
        let configuration = CollectorConfiguration(host: "127.0.0.1", port: 0, readDeadline: .seconds(600), maxConcurrentUploads: 2)
        try await withLiveCollector(configuration) { client, port in
            var stalled: [RawHTTPConnection] = []
            for _ in 0..<2 {
                let connection = try RawHTTPConnection(port: port)
                try await connection.sendPartialUpload(path: UploadProtocol.path, contentLength: 100_000, sent: 1000)
                stalled.append(connection)
            }
            // Once both hold a slot (waited for: a complete probe is answered until they do), uploads are refused.
            let full = await eventually(timeout: 60) { try await upload(ByteBuffer(string: "{}"), client) == 503 }
            #expect(full, "uploads were not refused while two stalled ones held both slots")
            // At once, without the body being read: this one declares 5 MB and sends none of it.
            let third = try RawHTTPConnection(port: port)
            try await third.sendPartialUpload(path: UploadProtocol.path, contentLength: 5_000_000, sent: 0)
            let refusal = try #require(await third.readResponse(timeout: 60), "no answer to an upload over the cap")
            #expect(refusal.hasPrefix("HTTP/1.1 503"), "\(refusal)")
            #expect(refusal.lowercased().contains("retry-after: 5"), "\(refusal)")
            // Asked until it answers: on a loaded machine one request may outlast the test client's 15 s deadline.
            #expect(await eventually(timeout: 120) { try await healthz(client) == 200 })

            // The stalled clients give up: their slots come back and a normal upload is stored.
            stalled.removeAll()
            let served = await eventually(timeout: 60) { try await upload(try batch(1), client) == 200 }
            #expect(served, "a normal upload was not served after the stalled ones closed")
        }
    }

    @Test func aStalledUploadIsCutOffAtTheReadDeadline() async throws {
        let deadline = 1.0
        let configuration = CollectorConfiguration(host: "127.0.0.1", port: 0, readDeadline: .seconds(deadline), maxConcurrentUploads: 4)
        try await withLiveCollector(configuration) { client, port in
            let started = Date()
            let stalled = try RawHTTPConnection(port: port)
            try await stalled.sendPartialUpload(path: UploadProtocol.path, contentLength: 1_000_000, sent: 10_000)
            let answer = await stalled.readUntilClosed(timeout: 120)
            let elapsed = Date().timeIntervalSince(started)
            let text = try #require(answer, "the stalled upload was still open after 120 s")
            // Cut off: a 408 if the route's deadline came first, or just closed by the idle timeout.
            #expect(text.isEmpty || text.hasPrefix("HTTP/1.1 408"), "\(text)")
            #expect(elapsed >= deadline * 0.9, "cut off after \(elapsed) s, before the deadline")

            // The collector still answers. Asked until it does (a loaded machine may make one request outlast the test
            // client's 15 s deadline); a repeated upload is answered 200 as a duplicate.
            #expect(await eventually(timeout: 120) { try await healthz(client) == 200 })
            #expect(await eventually(timeout: 120) { try await upload(try batch(1), client) == 200 })
        }
    }

    @Test func aBodyStillArrivingAtTheDeadlineIsCutOff() async throws {
        // A body that sends one chunk and then nothing, or a trickle: the route stops reading at the deadline
        // however often bytes come (the idle timeout only cuts off silent connections).
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        continuation.yield(ByteBuffer(string: "{"))
        let trickle = Task {
            while !Task.isCancelled {
                continuation.yield(ByteBuffer(string: " "))
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        defer { trickle.cancel() }
        let request = Request(
            head: HTTPRequest(method: .post, scheme: "http", authority: "127.0.0.1", path: UploadProtocol.path),
            body: RequestBody(asyncSequence: stream))
        let started = ContinuousClock.now
        let read = await UploadController.readBody(request, limit: 1 << 20, deadline: .milliseconds(300))
        guard case .timedOut = read else {
            Issue.record("expected the read to time out, got \(read)")
            return
        }
        #expect(ContinuousClock.now - started >= .milliseconds(300))

        // A body that ends is read whole; one over the limit is refused.
        let whole = await UploadController.readBody(
            Request(head: request.head, body: RequestBody(buffer: ByteBuffer(string: "{}"))), limit: 10, deadline: .seconds(600))
        guard case .body(let data) = whole, data == Data("{}".utf8) else {
            Issue.record("expected the whole body, got \(whole)")
            return
        }
        let large = await UploadController.readBody(
            Request(head: request.head, body: RequestBody(buffer: ByteBuffer(string: String(repeating: " ", count: 11)))),
            limit: 10, deadline: .seconds(600))
        guard case .tooLarge = large else {
            Issue.record("expected too large, got \(large)")
            return
        }
    }
}

/// Polls `condition` every 100 ms until it holds; false if it has not after `timeout` seconds.
func eventually(timeout: Double, _ condition: () async throws -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if (try? await condition()) == true { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return (try? await condition()) == true
}
