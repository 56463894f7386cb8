import Foundation
import TouchpointCore
import TouchpointProtocol

/// A survey version as the collector keeps it once published (issue 13): immutable, its YAML as given.
public struct PublishedSurvey: Sendable, Hashable {
    /// The survey id.
    public var id: String
    /// The survey version.
    public var version: Int
    /// `sha256:` + hex of the survey's canonical definition (``TouchpointCore/SurveyDigest``).
    public var digest: String
    /// The YAML source, exactly as published.
    public var source: String
    /// When it was published.
    public var publishedAt: Date
    /// Who published it (`cli:<user>` from the command line).
    public var publishedBy: String

    /// Creates a published survey.
    public init(id: String, version: Int, digest: String, source: String, publishedAt: Date, publishedBy: String) {
        self.id = id
        self.version = version
        self.digest = digest
        self.source = source
        self.publishedAt = publishedAt
        self.publishedBy = publishedBy
    }
}

/// What publishing one survey version did.
public enum PublishOutcome: Sendable, Hashable {
    /// A version not published before: stored.
    case published
    /// Already published with the same content: nothing changed.
    case unchanged
}

/// Surveys published centrally, in a storage (issue 13).
public protocol FleetStorage: Sendable {
    /// Publishes `surveys` in one transaction, each in order: an id and version not yet published is stored
    /// (``PublishOutcome/published``); one published with the same digest is left as it is
    /// (``PublishOutcome/unchanged``). A published version never changes: one published with another digest
    /// throws `.conflict`, saying to raise the version, and nothing of the call is stored.
    func publish(_ surveys: [PublishedSurvey]) async throws -> [PublishOutcome]

    /// Every published survey version, by id, then version.
    func publishedSurveys() async throws -> [PublishedSurvey]

    /// Stores `assignment`, replacing one with the same survey and scope (site, touchpoint, kiosk); returns false
    /// when that one was already the same. Throws `.notFound` when the survey, or the pinned version, is not
    /// published.
    func assign(_ assignment: SurveyAssignment, at date: Date, by actor: String) async throws -> Bool

    /// Removes the assignment of `assignment.survey` with exactly `assignment`'s scope (its version is not
    /// compared); returns false when there was none.
    func unassign(_ assignment: SurveyAssignment) async throws -> Bool

    /// Sets the kiosk settings of `site` (nil removes them); returns false when they were already so.
    func setSiteSettings(_ settings: KioskSettings?, site: String, at date: Date, by actor: String) async throws -> Bool

    /// What the collector tells kiosks to run: published surveys, assignments and site settings, read at once.
    func fleetPlan() async throws -> FleetPlan

    /// The site of enrolled kiosk `kiosk` and the configuration it was last told to run, read from its row alone
    /// (not ``CollectorStorage/kiosks()``, which computes every kiosk's gaps): nil when it is not enrolled.
    func configTarget(kiosk: String) async throws -> (site: String, served: ServedConfig?)?

    /// Records that `kiosk` (at `touchpoint`, if it has one) was told configuration `version` at `date`.
    func recordConfigServed(kiosk: String, touchpoint: String?, version: String, at date: Date) async throws
}

/// Everything configuration documents are made from (``FleetStorage/fleetPlan()``): what is published, assigned
/// and set per site.
public struct FleetPlan: Sendable, Hashable {
    /// Every published survey version.
    public var published: [PublishedSurvey]
    /// Every assignment, by survey, then scope.
    public var assignments: [SurveyAssignment]
    /// The settings of each site that has some.
    public var settings: [String: KioskSettings]

    /// Creates a plan.
    public init(published: [PublishedSurvey], assignments: [SurveyAssignment], settings: [String: KioskSettings]) {
        self.published = published
        self.assignments = assignments
        self.settings = settings
    }

    /// The sealed document for `kiosk` of `site` at `touchpoint`.
    public func document(site: String, kiosk: String, touchpoint: String?) throws -> KioskConfigDocument {
        try KioskConfigPlanner.document(
            site: site, kiosk: kiosk, touchpoint: touchpoint, published: published, assignments: assignments,
            settings: settings[site])
    }

    /// The assignments that choose `survey` version `version` for some kiosk: pinned to it, or unpinned while it
    /// is the latest published.
    public func assignments(choosing survey: String, version: Int) -> [SurveyAssignment] {
        let latest = published.filter { $0.id == survey }.map(\.version).max()
        return assignments.filter { $0.survey == survey && ($0.version ?? latest) == version }
    }
}

extension CollectorError {
    /// The refusal to assign a survey, or a version of it, that is not published.
    public static func unpublished(_ assignment: SurveyAssignment) -> CollectorError {
        if let version = assignment.version {
            return CollectorError(
                .notFound, "survey \(assignment.survey) version \(version) is not published; publish it first "
                    + "(touchpoint collector surveys publish FILE) or assign a published version")
        }
        return CollectorError(
            .notFound, "survey \(assignment.survey) is not published; publish it first (touchpoint collector surveys publish FILE)")
    }
}

extension CollectorError {
    /// The refusal to publish `survey` again with other content than `existingDigest`, saying which version to
    /// use instead (one above `highestVersion`, the highest published of that id).
    public static func republished(_ survey: PublishedSurvey, existingDigest: String, highestVersion: Int) -> CollectorError {
        CollectorError(
            .conflict,
            "survey \(survey.id) version \(survey.version) is already published with other content (\(existingDigest), "
                + "not \(survey.digest)); a published version never changes: raise version to \(highestVersion + 1) and publish again")
    }
}

/// Which kiosks run a survey: every scope field given must match the kiosk; none given means every kiosk.
public struct SurveyAssignment: Sendable, Hashable {
    /// The survey id.
    public var survey: String
    /// Only kiosks of this site, if given.
    public var site: String?
    /// Only kiosks at this touchpoint, if given.
    public var touchpoint: String?
    /// Only this kiosk, if given.
    public var kiosk: String?
    /// A pinned version; nil runs the latest published one.
    public var version: Int?

    /// Creates an assignment.
    public init(survey: String, site: String? = nil, touchpoint: String? = nil, kiosk: String? = nil, version: Int? = nil) {
        self.survey = survey
        self.site = site
        self.touchpoint = touchpoint
        self.kiosk = kiosk
        self.version = version
    }

    /// Whether it applies to `kiosk` of `site` at `touchpoint`.
    public func matches(site: String, kiosk: String, touchpoint: String?) -> Bool {
        (self.site.map { $0 == site } ?? true) && (self.kiosk.map { $0 == kiosk } ?? true)
            && (self.touchpoint.map { $0 == touchpoint } ?? true)
    }

    /// The scope in words: `site malmo, touchpoint service, kiosk kiosk-7`, or `every kiosk`.
    public var scope: String {
        let parts = [("site", site), ("touchpoint", touchpoint), ("kiosk", kiosk)].compactMap { name, value in
            value.map { "\(name) \($0)" }
        }
        return parts.isEmpty ? "every kiosk" : parts.joined(separator: ", ")
    }

    /// How specific it is, for choosing among several for one survey: one naming a kiosk beats one naming a site,
    /// which beats one naming a touchpoint, which beats one for every kiosk. Two assignments of a survey that match
    /// the same kiosk never rank equal: with the same scope fields given they would name the same scope.
    public var specificity: Int {
        (kiosk != nil ? 4 : 0) + (site != nil ? 2 : 0) + (touchpoint != nil ? 1 : 0)
    }
}

/// What one kiosk is to run, from what is published and assigned: pure, so every collector process gives every
/// kiosk the same document.
public enum KioskConfigPlanner {
    /// The sealed document for `kiosk` of `site` at `touchpoint`: for each assigned survey, the version its
    /// most specific matching assignment names (or the latest published), with the site's `settings`.
    ///
    /// An assignment whose survey or pinned version is not published is skipped (publishing checks that before
    /// an assignment is stored).
    public static func document(
        site: String, kiosk: String, touchpoint: String?, published: [PublishedSurvey], assignments: [SurveyAssignment],
        settings: KioskSettings?
    ) throws -> KioskConfigDocument {
        var chosen: [String: SurveyAssignment] = [:]
        for assignment in assignments where assignment.matches(site: site, kiosk: kiosk, touchpoint: touchpoint) {
            if let current = chosen[assignment.survey], current.specificity >= assignment.specificity { continue }
            chosen[assignment.survey] = assignment
        }
        let versions = Dictionary(grouping: published, by: \.id)
        let surveys = chosen.values.compactMap { assignment -> KioskConfigDocument.Survey? in
            let candidates = versions[assignment.survey] ?? []
            let survey = assignment.version.map { pinned in candidates.first { $0.version == pinned } }
                ?? candidates.max { $0.version < $1.version }
            return survey.map { KioskConfigDocument.Survey(id: $0.id, version: $0.version, digest: $0.digest, yaml: $0.source) }
        }
        return try KioskConfigDocument(site: site, surveys: surveys, settings: settings).sealed()
    }
}

extension BufferHealth {
    /// ``defaults`` as a storage column holds it: the names joined by `,` (they are setting names such as `site`);
    /// nil when none.
    public var storedDefaults: String? {
        guard let defaults, !defaults.isEmpty else { return nil }
        return defaults.joined(separator: ",")
    }

    /// ``defaults`` from its storage column (see ``storedDefaults``).
    public static func defaults(stored: String?) -> [String]? {
        stored.map { $0.split(separator: ",").map(String.init) }
    }
}

/// How both storages keep assignments and site settings in columns: a scope field not given as `''` (so a
/// primary key makes one assignment per scope), settings as their protocol JSON.
public struct FleetColumns: Sendable {
    /// The site column: the site, or `''`.
    public var site: String
    /// The touchpoint column: the touchpoint, or `''`.
    public var touchpoint: String
    /// The kiosk column: the kiosk, or `''`.
    public var kiosk: String

    /// The columns of `assignment`'s scope.
    public init(_ assignment: SurveyAssignment) {
        site = assignment.site ?? ""
        touchpoint = assignment.touchpoint ?? ""
        kiosk = assignment.kiosk ?? ""
    }

    /// The assignment a stored row holds.
    public static func assignment(survey: String, site: String, touchpoint: String, kiosk: String, version: Int?) -> SurveyAssignment {
        SurveyAssignment(
            survey: survey, site: site.isEmpty ? nil : site, touchpoint: touchpoint.isEmpty ? nil : touchpoint,
            kiosk: kiosk.isEmpty ? nil : kiosk, version: version)
    }

    /// The settings column for `settings`: their protocol JSON (sorted keys), nil for none or empty settings.
    public static func settingsText(_ settings: KioskSettings?) throws -> String? {
        guard let settings, !settings.isEmpty else { return nil }
        return String(decoding: try UploadProtocol.encode(settings), as: UTF8.self)
    }

    /// The settings a stored column holds; a column that does not decode is an error naming the site.
    public static func settings(_ text: String, site: String) throws -> KioskSettings {
        do {
            return try JSONDecoder().decode(KioskSettings.self, from: Data(text.utf8))
        } catch {
            throw CollectorError(.unavailable, "the stored settings of site \(site) cannot be read: \(DecodingProblem.describe(error))")
        }
    }
}

/// The survey set a kiosk runs, as it last reported it, beside the one it is to run now (the fleet views).
public struct KioskSurveySet: Sendable, Hashable, Codable {
    /// The configuration version the kiosk reported running (``TouchpointProtocol/BufferHealth/configVersion``); nil:
    /// its local `surveys/` only, or it has not reported yet.
    public var running: String?
    /// The version it is to run now, from what is published, assigned and set.
    public var expected: String
    /// The surveys of the expected set, `id vN`.
    public var expectedSurveys: [String]
    /// Why the kiosk could not use the last configuration it fetched, as it reported it.
    public var problem: String?

    /// Creates a record.
    public init(running: String?, expected: String, expectedSurveys: [String], problem: String?) {
        self.running = running
        self.expected = expected
        self.expectedSurveys = expectedSurveys
        self.problem = problem
    }

    /// Whether the kiosk runs what it is to run: the expected version, or — with nothing assigned and no
    /// settings — its local surveys.
    public var isCurrent: Bool {
        running == expected || (running == nil && expectedSurveys.isEmpty && problem == nil)
    }

    /// One line for the fleet views: `retail-visit v2, service-visit v1 (3fa2c1d0, current)`, `local surveys/`,
    /// or `3fa2c1d0, not current: expected 9b1e4f20 (retail-visit v2)`.
    public var summary: String {
        let expectedText = expectedSurveys.isEmpty ? "local surveys/" : expectedSurveys.joined(separator: ", ")
        var text: String
        if isCurrent {
            text = running.map { "\(expectedText) (\(KioskConfigDocument.shortVersion($0)), current)" } ?? "local surveys/ (current)"
        } else {
            text = "\(running.map(KioskConfigDocument.shortVersion) ?? "local surveys/"), not current: expected \(KioskConfigDocument.shortVersion(expected)) (\(expectedText))"
        }
        if let problem { text += "; configuration problem: \(problem)" }
        return text
    }
}

extension FleetPlan {
    /// The survey set of `kiosk`: what it reported running beside what it is to run now (nil for a kiosk that has not
    /// reported its buffer yet, or whose document cannot be made).
    public func surveySet(of kiosk: KioskRecord) -> KioskSurveySet? {
        guard let health = kiosk.health,
            let document = try? document(site: kiosk.site, kiosk: kiosk.id, touchpoint: kiosk.config?.touchpoint)
        else { return nil }
        return KioskSurveySet(
            running: health.configVersion, expected: document.version,
            expectedSurveys: document.surveys.map { "\($0.id) v\($0.version)" }, problem: health.configProblem)
    }
}
