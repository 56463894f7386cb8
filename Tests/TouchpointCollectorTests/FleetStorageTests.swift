import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointJOSE

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

    @Test(arguments: StorageBackend.available) func assignmentsOnePerScopeAndOnlyOfPublishedVersions(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let later = start.addingTimeInterval(60)
            // Nothing published yet: refused, saying to publish first.
            do {
                _ = try await storage.assign(SurveyAssignment(survey: "retail-visit", site: "malmo"), at: start, by: "cli:eva")
                Issue.record("assigned an unpublished survey")
            } catch let error as CollectorError {
                #expect(error.code == .notFound && error.message.contains("publish it first"), "\(error.message)")
            }
            _ = try await storage.publish([survey("retail-visit", 1), survey("retail-visit", 2), survey("service-visit", 1)])
            do {
                _ = try await storage.assign(SurveyAssignment(survey: "retail-visit", kiosk: "k-7", version: 3), at: start, by: "cli:eva")
                Issue.record("pinned an unpublished version")
            } catch let error as CollectorError {
                #expect(error.message.contains("survey retail-visit version 3 is not published"), "\(error.message)")
            }
            #expect(try await storage.assign(SurveyAssignment(survey: "retail-visit", site: "malmo"), at: start, by: "cli:eva"))
            #expect(try await storage.assign(SurveyAssignment(survey: "retail-visit", site: "malmo"), at: later, by: "cli:ana") == false)
            #expect(try await storage.assign(SurveyAssignment(survey: "retail-visit", kiosk: "k-7", version: 1), at: start, by: "cli:eva"))
            // The same scope again with another version replaces the pin, not adds one.
            #expect(try await storage.assign(SurveyAssignment(survey: "retail-visit", kiosk: "k-7", version: 2), at: later, by: "cli:eva"))
            #expect(try await storage.assign(SurveyAssignment(survey: "service-visit"), at: start, by: "cli:eva"))
            #expect(try await storage.assign(
                SurveyAssignment(survey: "service-visit", site: "malmo", touchpoint: "service"), at: start, by: "cli:eva"))
            var plan = try await storage.fleetPlan()
            #expect(plan.assignments == [
                SurveyAssignment(survey: "retail-visit", kiosk: "k-7", version: 2),
                SurveyAssignment(survey: "retail-visit", site: "malmo"),
                SurveyAssignment(survey: "service-visit"),
                SurveyAssignment(survey: "service-visit", site: "malmo", touchpoint: "service"),
            ])
            #expect(plan.published.count == 3)
            #expect(plan.assignments(choosing: "retail-visit", version: 2).count == 2)
            #expect(plan.assignments(choosing: "retail-visit", version: 1).isEmpty)

            // Unassigning takes exactly that scope.
            #expect(try await storage.unassign(SurveyAssignment(survey: "service-visit", site: "malmo")) == false)
            #expect(try await storage.unassign(SurveyAssignment(survey: "service-visit", site: "malmo", touchpoint: "service")))
            #expect(try await storage.unassign(SurveyAssignment(survey: "service-visit", site: "malmo", touchpoint: "service")) == false)
            plan = try await storage.fleetPlan()
            #expect(plan.assignments.map(\.scope) == ["kiosk k-7", "site malmo", "every kiosk"])
        }
    }

    @Test(arguments: StorageBackend.available) func siteSettingsAndTheConfigurationServed(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let settings = KioskSettings(
                language: "sv", idleTimeout: 90, minimumSeconds: 4, thankYou: LocalizedText(["sv": "Tack!", "en": "Thank you!"]),
                staffPinHash: "pbkdf2-sha256$1$c2FsdA$aGFzaA", privacyNotice: LocalizedText(["en": "We keep your answers for 12 months."]))
            #expect(try await storage.setSiteSettings(settings, site: "malmo", at: start, by: "cli:eva"))
            #expect(try await storage.setSiteSettings(settings, site: "malmo", at: start, by: "cli:ana") == false)
            #expect(try await storage.setSiteSettings(KioskSettings(idleTimeout: 60), site: "lund", at: start, by: "cli:eva"))
            #expect(try await storage.fleetPlan().settings == ["malmo": settings, "lund": KioskSettings(idleTimeout: 60)])
            // Empty settings are no settings.
            #expect(try await storage.setSiteSettings(KioskSettings(), site: "lund", at: start, by: "cli:eva"))
            #expect(try await storage.setSiteSettings(nil, site: "lund", at: start, by: "cli:eva") == false)
            #expect(try await storage.fleetPlan().settings == ["malmo": settings])

            // The configuration last served is kept with the kiosk.
            let key = KioskKey.generate()
            try await storage.enroll(kiosk: "k-7", site: "malmo", jwk: key.publicJWK)
            try await storage.recordConfigServed(kiosk: "k-7", touchpoint: "service", version: "sha256:abc", at: start)
            let record = try #require(try await storage.kiosk("k-7"))
            #expect(record.config == ServedConfig(version: "sha256:abc", touchpoint: "service", fetchedAt: start))
            let target = try #require(try await storage.configTarget(kiosk: "k-7"))
            #expect(target.site == "malmo" && target.served == record.config)
            #expect(try await storage.configTarget(kiosk: "k-8") == nil)
        }
    }
}
