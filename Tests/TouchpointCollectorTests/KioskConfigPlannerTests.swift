import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointProtocol

/// What a kiosk is told to run, from what is published and assigned (issue 13's configuration document).
@Suite("Kiosk configuration documents")
struct KioskConfigPlannerTests {
    static func published(_ id: String, _ version: Int) -> PublishedSurvey {
        PublishedSurvey(
            id: id, version: version, digest: "sha256:\(id)-\(version)", source: "id: \(id)\nversion: \(version)\n",
            publishedAt: Fixtures.start, publishedBy: "cli:test")
    }

    let published = [published("retail-visit", 1), published("retail-visit", 2), published("retail-visit", 3),
                     published("service-visit", 1), published("test-drive", 1)]

    func plan(
        site: String = "malmo", kiosk: String = "k-1", touchpoint: String? = "retail", _ assignments: [SurveyAssignment],
        settings: KioskSettings? = nil
    ) throws -> KioskConfigDocument {
        try KioskConfigPlanner.document(
            site: site, kiosk: kiosk, touchpoint: touchpoint, published: published, assignments: assignments,
            settings: settings)
    }

    @Test func theMostSpecificMatchingAssignmentChoosesTheVersion() throws {
        let assignments = [
            SurveyAssignment(survey: "retail-visit", version: 1),
            SurveyAssignment(survey: "retail-visit", touchpoint: "retail", version: 2),
            SurveyAssignment(survey: "retail-visit", site: "malmo"),
            SurveyAssignment(survey: "retail-visit", site: "malmo", touchpoint: "retail", version: 1),
            SurveyAssignment(survey: "retail-visit", kiosk: "k-9", version: 2),
            SurveyAssignment(survey: "service-visit", site: "lund"),
            SurveyAssignment(survey: "test-drive", touchpoint: "test-drive"),
        ]
        let versions = { (document: KioskConfigDocument) in document.surveys.map { "\($0.id)@\($0.version)" } }
        // Site and touchpoint beat the site alone, the touchpoint alone and everywhere; other sites' and
        // touchpoints' assignments do not apply.
        #expect(versions(try plan(assignments)) == ["retail-visit@1"])
        // At another touchpoint of the same site: the site's assignment (latest version).
        #expect(versions(try plan(touchpoint: "service", assignments)) == ["retail-visit@3"])
        // At another site and touchpoint: everywhere's.
        #expect(versions(try plan(site: "lund", touchpoint: "service", assignments)) == ["retail-visit@1", "service-visit@1"])
        // A kiosk named by an assignment: that one.
        #expect(versions(try plan(kiosk: "k-9", assignments)) == ["retail-visit@2"])
        // A kiosk without a touchpoint matches no touchpoint assignment.
        #expect(versions(try plan(site: "lund", touchpoint: nil, assignments)) == ["retail-visit@1", "service-visit@1"])
        // The order assignments come in changes nothing.
        #expect(try plan(assignments.reversed()) == plan(assignments))
    }

    @Test func unpublishedSurveysAndVersionsAreLeftOut() throws {
        let document = try plan([
            SurveyAssignment(survey: "retail-visit", version: 7), SurveyAssignment(survey: "never-published"),
            SurveyAssignment(survey: "service-visit"),
        ])
        #expect(document.surveys.map(\.id) == ["service-visit"])
        #expect(document.surveys.first?.yaml == "id: service-visit\nversion: 1\n")
    }

    @Test func theVersionIsTheDigestOfTheContent() throws {
        let assignments = [SurveyAssignment(survey: "retail-visit"), SurveyAssignment(survey: "service-visit")]
        let one = try plan(assignments)
        #expect(one.isSealed)
        #expect(one.version.hasPrefix("sha256:") && one.version.count == 71)
        #expect(one.entityTag == "\"\(one.version)\"")
        // Another kiosk of the same site with the same set: the same document and version.
        #expect(try plan(kiosk: "k-2", assignments) == one)
        // Any change of content changes the version.
        #expect(try plan(assignments.dropLast()).version != one.version)
        #expect(try plan(site: "lund", assignments).version != one.version)
        #expect(try plan(assignments, settings: KioskSettings(idleTimeout: 60)).version != one.version)
        // No settings and empty settings are the same document.
        #expect(try plan(assignments, settings: KioskSettings()) == one)
        // A document changed after sealing no longer checks.
        var tampered = one
        tampered.surveys[0].yaml += "# changed\n"
        #expect(!tampered.isSealed)
        // It goes over the wire and back unchanged.
        let decoded = try JSONDecoder().decode(KioskConfigDocument.self, from: UploadProtocol.encode(one))
        #expect(decoded == one && decoded.isSealed)
    }

    @Test func settingsNameTheFieldThatIsWrong() {
        #expect(KioskSettings(language: "sv", idleTimeout: 90, minimumSeconds: 0).problems().isEmpty)
        let problems = KioskSettings(
            language: "de", idleTimeout: 0, minimumSeconds: -1, thankYou: LocalizedText(["sv": " ", "fi": "Kiitos"]),
            staffPinHash: "", privacyNotice: LocalizedText([:])
        ).problems()
        #expect(problems == [
            "language: 'de' is not supported (sv, en)",
            "idleTimeout: must be above 0 seconds, not 0.0",
            "minimumSeconds: must be 0 or more seconds, not -1.0",
            "thankYou: language 'fi' is not supported (sv, en)",
            "thankYou.sv: must be a non-empty text",
            "privacyNotice: must give a text in at least one language",
            "staffPinHash: must not be empty",
        ])
    }

    @Test func theFleetViewsSayWhichSetAKioskRunsAndWhetherItIsCurrent() throws {
        let plan = FleetPlan(
            published: published, assignments: [SurveyAssignment(survey: "retail-visit", site: "malmo")], settings: [:])
        let expected = try plan.document(site: "malmo", kiosk: "k-1", touchpoint: nil)
        func kiosk(_ id: String, site: String = "malmo", running: String?, problem: String? = nil) -> KioskRecord {
            KioskRecord(
                id: id, site: site, kid: "kid", enrolledAt: Fixtures.start,
                health: BufferHealth(pending: 0, rejected: 0, configVersion: running, configProblem: problem))
        }
        let current = try #require(plan.surveySet(of: kiosk("k-1", running: expected.version)))
        #expect(current.isCurrent)
        #expect(current.summary == "retail-visit v3 (\(KioskConfigDocument.shortVersion(expected.version)), current)")
        #expect(KioskConfigDocument.shortVersion(expected.version).count == 8 && !KioskConfigDocument.shortVersion(expected.version).contains(":"))

        let behind = try #require(plan.surveySet(of: kiosk("k-2", running: "sha256:00112233445566")))
        #expect(!behind.isCurrent)
        #expect(behind.summary == "00112233, not current: expected \(KioskConfigDocument.shortVersion(behind.expected)) (retail-visit v3)")

        let local = try #require(plan.surveySet(of: kiosk("k-3", running: nil)))
        #expect(!local.isCurrent && local.summary.hasPrefix("local surveys/, not current"))
        // Nothing assigned to a site's kiosk: its local surveys are what it should run.
        let elsewhere = try #require(plan.surveySet(of: kiosk("k-4", site: "lund", running: nil)))
        #expect(elsewhere.isCurrent && elsewhere.summary == "local surveys/ (current)")
        let broken = try #require(plan.surveySet(of: kiosk("k-1", running: expected.version, problem: "not sealed")))
        #expect(broken.summary.hasSuffix("; configuration problem: not sealed"))
        // A kiosk that has not reported its buffer yet has no set to show.
        #expect(plan.surveySet(of: KioskRecord(id: "k-5", site: "malmo", kid: "kid", enrolledAt: Fixtures.start)) == nil)
    }
}
