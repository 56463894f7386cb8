import Foundation
import TouchpointCore

/// What a collector tells a kiosk to run (issue 13): the surveys assigned to it, as published, and its site's
/// settings. Served at ``path``; its ``version`` is the HTTP entity tag.
///
/// The version is a digest of the document's own content (see ``sealed()``), with no time and no kiosk id in
/// it: kiosks given the same set share a version, every collector process computes the same one, and a kiosk
/// can check the document it received (``isSealed``).
public struct KioskConfigDocument: Sendable, Hashable, Codable {
    /// The configuration path, `GET /v1/kiosk/config`.
    public static let path = "/v1/kiosk/config"
    /// The document format this build reads and writes.
    public static let currentFormat = 1

    /// One published survey version: its definition exactly as published.
    public struct Survey: Sendable, Hashable, Codable {
        /// The survey id.
        public var id: String
        /// The survey version.
        public var version: Int
        /// `sha256:` + hex of the survey's canonical definition (``TouchpointCore/SurveyDigest``).
        public var digest: String
        /// The YAML source, as published.
        public var yaml: String

        /// Creates an entry.
        public init(id: String, version: Int, digest: String, yaml: String) {
            self.id = id
            self.version = version
            self.digest = digest
            self.yaml = yaml
        }
    }

    /// The format of this document (``currentFormat``).
    public var format: Int
    /// `sha256:` + hex of the document with an empty version: see ``sealed()``.
    public var version: String
    /// The site the kiosk is enrolled for.
    public var site: String
    /// The surveys to run, sorted by id.
    public var surveys: [Survey]
    /// The site's settings; nil when the collector sets none.
    public var settings: KioskSettings?

    /// Creates a document with an empty version; ``sealed()`` fills it in. Surveys are sorted by id.
    public init(site: String, surveys: [Survey], settings: KioskSettings?, format: Int = KioskConfigDocument.currentFormat) {
        self.format = format
        self.version = ""
        self.site = site
        self.surveys = surveys.sorted { ($0.id, $0.version) < ($1.id, $1.version) }
        self.settings = settings.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The document with its version set: `sha256:` + hex of the SHA-256 of its protocol encoding
    /// (``UploadProtocol/encode(_:)``: sorted keys) with the version empty.
    public func sealed() throws -> KioskConfigDocument {
        var document = self
        document.version = try contentVersion()
        return document
    }

    /// Whether ``version`` is the digest of the rest of the document.
    public var isSealed: Bool {
        (try? contentVersion()) == version
    }

    /// A version as shown to people: the first 8 hex digits of its digest (`3fa2c1d0`).
    public static func shortVersion(_ version: String) -> String {
        String(version.dropFirst(version.hasPrefix("sha256:") ? 7 : 0).prefix(8))
    }

    /// `"<version>"`: the HTTP entity tag of this document.
    public var entityTag: String { "\"" + version + "\"" }

    private func contentVersion() throws -> String {
        var unsealed = self
        unsealed.version = ""
        return SurveyDigest.sha256(try UploadProtocol.encode(unsealed))
    }
}
