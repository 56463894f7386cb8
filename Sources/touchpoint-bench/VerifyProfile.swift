import Foundation
import Logging
import TouchpointSync
import TouchpointCollector
import TouchpointCore
import TouchpointJOSE
import TouchpointProtocol

#if canImport(Glibc)
import Glibc
#endif

/// `touchpoint-bench verify-profile [N] [ROUNDS]`: the collector's per-item check on one core, over and over,
/// for a profiler (`perf record`); prints the time per item of each stage. Not part of a run.
extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw BenchError(message) }
        return self
    }
}

enum VerifyProfile {
    static func run(_ arguments: [String]) async throws {
        let count = arguments.first.flatMap { Int($0) } ?? 2000
        let rounds = arguments.dropFirst().first.flatMap { Int($0) } ?? 10
        let fixtures = try Fixtures(surveys: nil)
        var generator = SystemRandomNumberGenerator()
        let envelopes = try (0..<count).map { index in
            let response = SurveyResponse(
                draft: fixtures.draft, id: UUIDv7.make(at: Date(), using: &generator), sequence: UInt64(index + 1))
            return try FlattenedJWS.sign(payload: try response.canonicalJSON(), key: fixtures.key)
        }
        let verifier = ResponseVerifier(surveys: CollectorSurveys(catalog: fixtures.catalog))
        let keys = [fixtures.key.keyID: EnrolledKey(
            kid: fixtures.key.keyID, kiosk: Fixtures.kiosk, site: Fixtures.site, jwk: fixtures.key.publicJWK, enrolledAt: Date())]
        let payloads = try envelopes.map { try $0.unverifiedPayload() }
        let now = Date()

        func time(_ label: String, _ body: () throws -> Void) rethrows {
            let start = nowNanoseconds()
            for _ in 0..<rounds { try body() }
            let perItem = Double(nowNanoseconds() - start) / Double(rounds * count) / 1000
            say(pad(label, 40) + String(format: "%.1f µs/item", perItem))
        }
        try time("ResponseVerifier.check, one core") {
            for (index, envelope) in envelopes.enumerated() {
                guard case .verified = verifier.check(index: index, jws: envelope, batchKiosk: Fixtures.kiosk, keys: keys, at: now)
                else { throw BenchError("not verified") }
            }
        }
        try time("FlattenedJWS.verify") {
            for envelope in envelopes { _ = try envelope.verify(with: fixtures.key.publicJWK) }
        }
        time("StrictJSON.check (payload fields)") {
            for payload in payloads { _ = try? StrictJSON.check(payload, fields: ResponseVerifier.payloadFields) }
        }
        let decoder = JSONDecoder()
        try time("SurveyResponse.decode (JSONDecoder)") {
            for payload in payloads { _ = try SurveyResponse.decode(payload, using: decoder) }
        }
        time("PlainPayload.response") {
            for payload in payloads { _ = PlainPayload.response(payload) }
        }
        let responses = try payloads.map { try SurveyResponse.decode($0) }
        time("Timestamp.string ×2") {
            for response in responses {
                _ = Timestamp.string(response.startedAt)
                _ = Timestamp.string(response.completedAt)
            }
        }
        let stamps = responses.map { Timestamp.string($0.completedAt) }
        time("Timestamp.date ×2") {
            for stamp in stamps {
                _ = Timestamp.date(stamp)
                _ = Timestamp.date(stamp)
            }
        }
        try time("header(using:)") {
            for envelope in envelopes { _ = try envelope.header(using: decoder) }
        }
        let publicKey = fixtures.key.publicKey
        try time("ParsedJWS + verify, key parsed once") {
            for envelope in envelopes {
                let parsed = try ParsedJWS(envelope, header: envelope.header(using: decoder), expectedKeyID: fixtures.key.keyID)
                _ = try parsed.verify(with: publicKey, keyName: fixtures.key.keyID)
            }
        }
        let survey = try fixtures.catalog.survey("service-visit").orThrow("no survey")
        time("ResponseValidator.problem") {
            for response in responses { _ = ResponseValidator.problem(in: response, against: survey) }
        }
        time("UUID check") {
            for response in responses { _ = UUID(uuidString: response.id)?.uuidString.lowercased() == response.id }
        }
        let surveys = CollectorSurveys(catalog: fixtures.catalog)
        time("surveys.lookup + digest") {
            for response in responses {
                _ = surveys.lookup(id: response.survey.id, version: response.survey.version)
                _ = surveys.digest(id: response.survey.id, version: response.survey.version)
            }
        }
        time("VerifiedItem.cesPoints") {
            for _ in responses { _ = VerifiedItem.cesPoints(of: survey) }
        }
        try time("canonicalJSON (kiosk)") {
            for response in responses { _ = try response.canonicalJSON() }
        }
    }
}

/// `touchpoint-bench ingest-profile [N]`: writes N pending files, prints `ready <pid>`, waits 3 s (time to attach
/// `perf record -p`), then syncs them to the in-process collector and prints the rate. Not part of a run.
enum IngestProfile {
    static func run(_ arguments: [String], logger: Logger) async throws {
        let count = arguments.first.flatMap { Int($0) } ?? 20_000
        let fixtures = try Fixtures(surveys: nil)
        let work = try Machine.makeWorkDirectory(nil)
        defer { try? FileManager.default.removeItem(at: work) }
        let root = work.appendingPathComponent("kiosk", isDirectory: true)
        try await fixtures.recordInBulk(count: count, into: root)
        let collector = try await InProcessCollector.start(
            database: work.appendingPathComponent("collector.sqlite"), fixtures: fixtures, logger: logger)
        say("ready \(getpid())")
        try await Task.sleep(for: .seconds(3))
        let (summary, elapsed) = try await HTTPUploadTransport.withTransport(
            configuration: .init(collectorURL: collector.url, token: Fixtures.uploadToken), logger: logger
        ) { transport in
            let sync = ResponseSync(
                responsesDirectory: root, kiosk: Fixtures.kiosk, transport: transport,
                configuration: SyncConfiguration(batchCount: SyncBench.batchCount), logger: logger)
            let start = nowNanoseconds()
            let summary = try await sync.syncOnce()
            return (summary, secondsSince(start))
        }
        try await collector.stop()
        say("synced \(summary.stored) in \(seconds(elapsed)): \(rate(Double(summary.stored) / elapsed)) responses/s")
    }
}
