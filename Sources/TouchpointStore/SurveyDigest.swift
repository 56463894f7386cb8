import Crypto
import Foundation
import TouchpointCore

/// The digest that ties a response to the exact survey definition it answers.
public enum SurveyDigest {
    /// `sha256:` + lowercase hex SHA-256 of the survey encoded as JSON with sorted keys and unescaped slashes.
    public static func digest(of survey: Survey) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(survey)
        } catch {
            throw StoreError.wrapping(.malformed, "cannot encode survey \(survey.id) for its digest", error)
        }
        return "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
