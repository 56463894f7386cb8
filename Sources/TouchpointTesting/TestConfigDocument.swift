import Foundation
import TouchpointCore
import TouchpointProtocol

/// Configuration documents as a collector would send them, for tests of the kiosk's side.
public enum TestConfigDocument {
    /// A sealed document for `site` holding the surveys defined by `yamls` (each with its real digest) and `settings`.
    public static func make(site: String, yamls: [String], settings: KioskSettings? = nil) throws -> KioskConfigDocument {
        let surveys = try yamls.map { yaml in
            let survey = try SurveyParser.parse(yaml: yaml, file: "test.yaml").get()
            return KioskConfigDocument.Survey(
                id: survey.id, version: survey.version, digest: try SurveyDigest.digest(of: survey), yaml: yaml)
        }
        return try KioskConfigDocument(site: site, surveys: surveys, settings: settings).sealed()
    }

    /// `document` as the collector encodes it.
    public static func body(_ document: KioskConfigDocument) throws -> Data {
        try UploadProtocol.encode(document)
    }
}
