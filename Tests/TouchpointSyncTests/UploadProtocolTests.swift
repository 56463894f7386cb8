import Foundation
import Testing
import TouchpointCore
import TouchpointStore
@testable import TouchpointSync
import TouchpointProtocol
import TouchpointJOSE

@Suite("Upload protocol types")
struct UploadProtocolTests {
    static func envelope() throws -> FlattenedJWS {
        try FlattenedJWS.sign(payload: Data(#"{"hello":"kiosk/7"}"#.utf8), key: KioskKey.generate())
    }

    static func batch(_ count: Int) throws -> UploadBatch {
        UploadBatch(
            kiosk: "kiosk-7",
            health: BufferHealth(
                pending: 12, rejected: 1, oldestPendingAt: Date(timeIntervalSince1970: 1_795_000_000.125),
                lastSequence: 40),
            responses: try (0..<count).map { _ in try envelope() })
    }

    @Test("a batch survives JSON both ways, with the JWS members untouched")
    func batchRoundTrip() throws {
        let batch = try Self.batch(3)
        let data = try UploadProtocol.encode(batch)
        let decoded = try JSONDecoder().decode(UploadBatch.self, from: data)
        #expect(decoded == batch)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""oldestPendingAt":"2026-11-18T"#))
        #expect(text.contains(#".125Z""#))
        #expect(text.contains(#""lastSequence":40"#))
        #expect(!text.contains(#"\/"#))
    }

    @Test("health without pending files omits the oldest time")
    func emptyHealth() throws {
        let health = BufferHealth(pending: 0, rejected: 0)
        let decoded = try JSONDecoder().decode(BufferHealth.self, from: UploadProtocol.encode(health))
        #expect(decoded == health)
        #expect(decoded.oldestPendingAt == nil)
        #expect(decoded.lastSequence == nil)
    }

    @Test("results and errors survive JSON both ways")
    func resultRoundTrip() throws {
        let result = UploadResult(results: [
            ItemResult(index: 0, id: "a", status: .stored),
            ItemResult(index: 1, id: "b", status: .duplicate),
            ItemResult(index: 2, id: nil, status: .rejected, reason: "bad signature"),
            ItemResult(index: 3, id: "d", status: .deferred, reason: "unknown survey version"),
        ])
        #expect(try JSONDecoder().decode(UploadResult.self, from: UploadProtocol.encode(result)) == result)
        let json = #"{"results":[{"index":0,"id":"x","status":"stored"}]}"#
        #expect(try JSONDecoder().decode(UploadResult.self, from: Data(json.utf8)).results.first?.status == .stored)
        let error = UploadError(error: "too_large", message: "the body is over 8 MiB")
        #expect(try JSONDecoder().decode(UploadError.self, from: UploadProtocol.encode(error)) == error)
    }

    @Test("only stored and duplicate count as delivered")
    func delivered() {
        #expect(ItemStatus.stored.isDelivered)
        #expect(ItemStatus.duplicate.isDelivered)
        #expect(!ItemStatus.rejected.isDelivered)
        #expect(!ItemStatus.deferred.isDelivered)
    }

    @Test("an answer answers a batch only with one result per item, indices in order")
    func answersBatch() throws {
        let batch = try Self.batch(3)
        let whole = UploadResult(results: (0..<3).map { ItemResult(index: $0, id: nil, status: .stored) })
        #expect(whole.answers(batch))
        #expect(!UploadResult(results: Array(whole.results.prefix(2))).answers(batch))
        #expect(!UploadResult(results: whole.results + [ItemResult(index: 3, id: nil, status: .stored)]).answers(batch))
        #expect(!UploadResult(results: whole.results.reversed()).answers(batch))
        #expect(UploadResult(results: []).answers(try Self.batch(0)))
        #expect(!UploadResult(results: []).answers(batch))
    }

    @Test("HTTP answers map to outcomes: 200 whole, cut-off, mismatched; 401/403; 413; 429/5xx; other 4xx")
    func classify() throws {
        let batch = try Self.batch(2)
        let whole = UploadResult(results: [
            ItemResult(index: 0, id: nil, status: .stored), ItemResult(index: 1, id: nil, status: .rejected, reason: "x"),
        ])
        let body = try UploadProtocol.encode(whole)
        func outcome(_ status: Int, _ body: Data, _ after: Duration? = nil) -> UploadOutcome {
            HTTPUploadTransport.classify(status: status, body: body, retryAfter: after, batch: batch)
        }
        #expect(outcome(200, body) == .answered(whole))
        guard case .retry = outcome(200, body.prefix(body.count - 5)) else {
            Issue.record("a cut-off 200 must be retried")
            return
        }
        let short = try UploadProtocol.encode(UploadResult(results: [whole.results[0]]))
        guard case .retry(let reason, _) = outcome(200, short) else {
            Issue.record("a 200 with too few results must be retried")
            return
        }
        #expect(reason.contains("1 result(s) for 2 item(s)"))
        let denied = try UploadProtocol.encode(UploadError(error: "unauthorized", message: "unknown token"))
        #expect(outcome(401, denied) == .unauthorized("HTTP 401 unauthorized: unknown token"))
        #expect(outcome(403, Data()) == .unauthorized("HTTP 403"))
        #expect(outcome(413, Data("too big".utf8)) == .tooLarge)
        #expect(outcome(429, Data(), .seconds(30)) == .retry(reason: "HTTP 429", after: .seconds(30)))
        #expect(outcome(503, Data("down for maintenance\n".utf8)) == .retry(reason: "HTTP 503: down for maintenance", after: nil))
        #expect(outcome(500, Data()) == .retry(reason: "HTTP 500", after: nil))
        let malformed = try UploadProtocol.encode(UploadError(error: "malformed", message: "responses is missing"))
        #expect(outcome(400, malformed) == .refused(status: 400, message: "HTTP 400 malformed: responses is missing"))
        #expect(outcome(404, Data()) == .refused(status: 404, message: "HTTP 404"))
    }
}
