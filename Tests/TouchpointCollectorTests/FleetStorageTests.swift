import Foundation
import Testing
import TouchpointCollector

/// Surveys published centrally, in both storages (issue 13).
@Suite("Fleet storage: published surveys")
struct FleetStorageTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    func survey(_ id: String, _ version: Int, digest: String? = nil, by: String = "cli:eva") -> PublishedSurvey {
        PublishedSurvey(
            id: id, version: version, digest: digest ?? "sha256:\(id)-\(version)", source: "id: \(id)\nversion: \(version)\n",
            publishedAt: start.addingTimeInterval(Double(version)), publishedBy: by)
    }

    @Test(arguments: StorageBackend.available) func aPublishedVersionNeverChanges(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            #expect(try await storage.publish([survey("retail-visit", 1), survey("service-visit", 1)]) == [.published, .published])
            // The same content again changes nothing, not even who published it or when.
            #expect(try await storage.publish([survey("retail-visit", 1, by: "cli:ana"), survey("retail-visit", 2)])
                == [.unchanged, .published])
            // Other content under a published version: refused, saying which version to use; nothing of the call stored.
            do {
                _ = try await storage.publish([survey("test-drive", 1), survey("retail-visit", 1, digest: "sha256:other")])
                Issue.record("published other content under retail-visit version 1")
            } catch let error as CollectorError {
                #expect(error.code == .conflict)
                #expect(error.message.contains("survey retail-visit version 1 is already published with other content"), "\(error.message)")
                #expect(error.message.contains("raise version to 3"), "\(error.message)")
            }
            let stored = try await storage.publishedSurveys()
            #expect(stored.map { "\($0.id)@\($0.version)" } == ["retail-visit@1", "retail-visit@2", "service-visit@1"])
            #expect(stored.first == survey("retail-visit", 1))
        }
    }

    @Test(arguments: StorageBackend.available) func publishedSurveysOutliveARestart(backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            let first = try await location.open()
            _ = try await first.publish([survey("retail-visit", 1)])
            try await first.close()
            let second = try await location.open()
            #expect(try await second.publishedSurveys() == [survey("retail-visit", 1)])
            #expect(try await second.publish([survey("retail-visit", 1)]) == [.unchanged])
            try await second.close()
        }
    }
}
