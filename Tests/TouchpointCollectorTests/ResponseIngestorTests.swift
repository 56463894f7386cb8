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
