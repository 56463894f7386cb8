import TouchpointCore

/// The surveys the collector checks responses against, keyed by id and version.
///
/// A surveys directory holds only the current version of each survey, so a response to that version is
/// checked, and any other version (older or newer) is not known: such responses are deferred, not refused.
/// Each survey's digest (``TouchpointCore/SurveyDigest``) is computed once here: a response to a known
/// version must carry it.
public struct CollectorSurveys: Sendable {
    private let byKey: [Key: Survey]
    private let digests: [Key: String]
    private let versions: [String: [Int]]

    private struct Key: Hashable, Sendable {
        var id: String
        var version: Int
    }

    /// What a lookup found.
    public enum Lookup: Sendable, Hashable {
        /// The survey at that version.
        case found(Survey)
        /// No survey with that id.
        case unknownSurvey
        /// The survey exists, but not at that version; `known` lists the versions that do.
        case unknownVersion(known: [Int])
    }

    /// Indexes the valid surveys of `catalog` (surveys with problems are left out, as the kiosk does).
    public init(catalog: SurveyCatalog) {
        self.init(surveys: catalog.surveys)
    }

    /// Indexes `surveys`; a later survey with the same id and version replaces an earlier one.
    public init(surveys: [Survey]) {
        var byKey: [Key: Survey] = [:]
        var digests: [Key: String] = [:]
        for survey in surveys {
            let key = Key(id: survey.id, version: survey.version)
            byKey[key] = survey
            // A survey JSON cannot encode has no digest: responses to it are rejected as not matching.
            digests[key] = try? SurveyDigest.digest(of: survey)
        }
        self.byKey = byKey
        self.digests = digests
        self.versions = Dictionary(grouping: byKey.keys, by: \.id).mapValues { $0.map(\.version).sorted() }
    }

    /// Every survey indexed, each id and version once.
    public var all: [Survey] {
        byKey.keys.sorted { ($0.id, $0.version) < ($1.id, $1.version) }.compactMap { byKey[$0] }
    }

    /// The survey `id` at `version`, or why there is none.
    public func lookup(id: String, version: Int) -> Lookup {
        if let survey = byKey[Key(id: id, version: version)] {
            return .found(survey)
        }
        if let known = versions[id] {
            return .unknownVersion(known: known)
        }
        return .unknownSurvey
    }

    /// The digest of survey `id` at `version` (`sha256:` + hex), or nil if that version is not known.
    public func digest(id: String, version: Int) -> String? {
        digests[Key(id: id, version: version)]
    }

    /// How many survey versions are known.
    public var count: Int { byKey.count }
}
