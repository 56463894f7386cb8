import TouchpointCore

/// The surveys the collector checks responses against, keyed by id and version.
///
/// A surveys directory holds only the current version of each survey, so a response to that version is
/// checked, and any other version (older or newer) is not known: such responses are deferred, not refused.
public struct CollectorSurveys: Sendable {
    private let byKey: [Key: Survey]
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
        for survey in surveys {
            byKey[Key(id: survey.id, version: survey.version)] = survey
        }
        self.byKey = byKey
        self.versions = Dictionary(grouping: byKey.keys, by: \.id).mapValues { $0.map(\.version).sorted() }
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

    /// How many survey versions are known.
    public var count: Int { byKey.count }
}
