import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointProtocol
import TouchpointJOSE

@Suite("Ingesting a batch: verify, then store in one transaction")
struct ResponseIngestorTests {
    let key = KioskKey.generate()

    @Test(arguments: StorageBackend.available) func validItemsAreStoredAndInvalidOnesRefusedInOrder(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK)
            let ingestor = ResponseIngestor(storage: storage, surveys: try Fixtures.surveys(), logger: quietLogger)
            let valid = Fixtures.response(sequence: 1)
            let offScale = Fixtures.response(sequence: 2, answers: [
                Answer(question: "recommend", type: .nps, value: .number(11)),
                Answer(question: "visit-satisfaction", type: .csat, value: .number(4)),
            ])
            let newer = Fixtures.response(sequence: 3, version: 2)
            let batch = UploadBatch(kiosk: "kiosk-1", health: Fixtures.health, responses: [
                try Fixtures.signed(valid, key: key), try Fixtures.signed(offScale, key: key), try Fixtures.signed(newer, key: key),
            ])
            let result = try await ingestor.ingest(batch, at: Fixtures.start)
            #expect(result.answers(batch))
            #expect(result.results.map(\.status) == [.stored, .rejected, .deferred])
            #expect(result.results.map(\.id) == [valid.id, offScale.id, newer.id])
            let record = try #require(try await storage.kiosk("kiosk-1"))
            #expect(record.responseCount == 1 && record.highestSequence == 1)

            let again = try await ingestor.ingest(batch, at: Fixtures.start)
            #expect(again.results.map(\.status) == [.duplicate, .rejected, .deferred])
        }
    }

    @Test(arguments: StorageBackend.available) func aSurveyVersionPublishedInTheStorageIsNoLongerDeferred(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK)
            // Two ingestors on one storage: two collector processes, one of which publishes.
            let ingestor = ResponseIngestor(storage: storage, surveys: try Fixtures.surveys(), logger: quietLogger)
            let other = ResponseIngestor(storage: storage, surveys: try Fixtures.surveys(), logger: quietLogger)
            let bundled = try String(
                contentsOf: Fixtures.surveysDirectory.appendingPathComponent("retail-visit.yaml"), encoding: .utf8)
            let source = bundled.replacingOccurrences(of: "\nversion: 1\n", with: "\nversion: 2\n")
            let survey = try SurveyParser.parse(yaml: source, file: "retail-visit.yaml").get()
            #expect(survey.version == 2)
            let digest = try SurveyDigest.digest(of: survey)
            var newer = Fixtures.response(sequence: 1, version: 2)
            newer.survey.digest = digest
            let batch = UploadBatch(kiosk: "kiosk-1", health: Fixtures.health, responses: [try Fixtures.signed(newer, key: key)])
            #expect(try await ingestor.ingest(batch, at: Fixtures.start).results.map(\.status) == [.deferred])

            _ = try await storage.publish([PublishedSurvey(
                id: "retail-visit", version: 2, digest: digest, source: source, publishedAt: Fixtures.start, publishedBy: "cli:eva")])
            #expect(try await ingestor.ingest(batch, at: Fixtures.start).results.map(\.status) == [.stored])
            #expect(try await other.ingest(batch, at: Fixtures.start).results.map(\.status) == [.duplicate])
            // Another answer to the published version is checked against it: off its scale, refused.
            var wrong = Fixtures.response(sequence: 2, version: 2, answers: [Answer(question: "recommend", type: .nps, value: .number(11))])
            wrong.survey.digest = digest
            let refused = try await ingestor.ingest(
                UploadBatch(kiosk: "kiosk-1", health: Fixtures.health, responses: [try Fixtures.signed(wrong, key: key)]), at: Fixtures.start)
            #expect(refused.results.map(\.status) == [.rejected])
            #expect(refused.results.first?.reason?.contains("11 is outside 0–10") == true, "\(refused)")
        }
    }

    @Test(arguments: StorageBackend.available) func anUnknownKioskGetsUnknownKeyPerItem(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let ingestor = ResponseIngestor(storage: storage, surveys: try Fixtures.surveys(), logger: quietLogger)
            let batch = UploadBatch(kiosk: "kiosk-1", health: Fixtures.health, responses: try Fixtures.batch(key: key, sequences: 1...2))
            let result = try await ingestor.ingest(batch, at: Fixtures.start)
            #expect(result.results.map(\.status) == [.rejected, .rejected])
            #expect(result.results.allSatisfy { $0.reason == "unknown key \(key.keyID)" })
            #expect(try await storage.kiosks().isEmpty)
        }
    }
}
