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
