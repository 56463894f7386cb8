import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointJOSE

/// The dashboard's weekday × hour heatmap and NPS targets (issue 14).
@Suite("Volume by weekday and hour; NPS targets")
struct VolumeAndTargetsTests {
    let key = KioskKey.generate()

    @Test(arguments: StorageBackend.available) func responsesAreCountedPerUTCHourWithTheFilters(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK)
            // Fixtures complete at start + sequence minutes; start is 2026-11-18T11:06:40Z.
            var responses = (1...5).map { Fixtures.response(sequence: UInt64($0)) }
            responses[4].completedAt = Fixtures.start.addingTimeInterval(86_400 + 3 * 3600)  // the next day, 14:06
            responses[3].suspect = true
            _ = try await storage.ingest(try Fixtures.verified(responses, key: key), health: Fixtures.health, kiosk: "kiosk-1", at: Fixtures.start)
            let hour = try #require(Timestamp.date("2026-11-18T11:00:00Z"))
            let later = try #require(Timestamp.date("2026-11-19T14:00:00Z"))
            #expect(try await storage.responsesPerHour(AnswerSelection()) == [hour: 3, later: 1], "the suspect one left out")
            #expect(try await storage.responsesPerHour(AnswerSelection(includeSuspect: true)) == [hour: 4, later: 1])
            #expect(try await storage.responsesPerHour(AnswerSelection(from: later)) == [later: 1])
            #expect(try await storage.responsesPerHour(AnswerSelection(filters: [.site: "lund"])).isEmpty)
            #expect(try await storage.responsesPerHour(AnswerSelection(filters: [.question: "recommend", .touchpoint: "retail"])) == [hour: 3, later: 1])
        }
    }

    @Test func hoursAreLaidOutInTheSitesTimeZoneAcrossDaylightSaving() throws {
        let stockholm = try #require(TimeZone(identifier: "Europe/Stockholm"))
        let summer = try #require(Timestamp.date("2026-06-03T12:00:00Z"))  // a Wednesday: 14:00 in Stockholm (UTC+2)
        let winter = try #require(Timestamp.date("2026-12-06T23:00:00Z"))  // a Sunday 23:00 UTC: Monday 00:00 (UTC+1)
        let heatmap = VolumeHeatmap(hourly: [summer: 5, winter: 2], timeZone: stockholm)
        #expect(heatmap.counts[2][14] == 5)
        #expect(heatmap.counts[0][0] == 2)
        #expect(heatmap.total == 7 && heatmap.maximum == 5)
        let utc = VolumeHeatmap(hourly: [summer: 5, winter: 2], timeZone: try #require(TimeZone(identifier: "UTC")))
        #expect(utc.counts[2][12] == 5 && utc.counts[6][23] == 2)
    }

    @Test func targetsAreReadAndBadOnesSayWhere() throws {
        let targets = try NPSTargets.parse(yaml: "nps:\n  sites: { malmo: 60 }\n  touchpoints:\n    service: -10.5\n", file: "t.yaml")
        #expect(targets == NPSTargets(sites: ["malmo": 60], touchpoints: ["service": -10.5]))
        do {
            _ = try NPSTargets.parse(yaml: "nps:\n  sites: { malmo: 160 }\n  regions: {}\nother: 1\n", file: "t.yaml")
            Issue.record("bad targets accepted")
        } catch {
            let text = error.description
            #expect(text.contains("t.yaml:2:19: the target of malmo must be an NPS from -100 to 100"), "\(text)")
            #expect(text.contains("t.yaml:3:3: unknown key 'regions' in nps"), "\(text)")
            #expect(text.contains("t.yaml:4:1: unknown key 'other' in the targets file"), "\(text)")
        }
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/targets.yaml")
        let demo = try NPSTargets.parse(yaml: try String(contentsOf: example, encoding: .utf8), file: "examples/targets.yaml")
        #expect(demo.sites.count == 6 && demo.touchpoints["service"] == 30)
    }
}
