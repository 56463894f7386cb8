import Crypto
import Foundation

/// The digest that ties a response to the exact survey definition it answers.
///
/// One definition for both ends: the kiosk writes it into every response (`survey.digest`), the collector
/// compares it with the digest of the survey version it knows.
public enum SurveyDigest {
    /// `sha256:` + lowercase hex SHA-256 of the survey encoded as JSON with sorted keys and unescaped slashes.
    ///
    /// Throws the `EncodingError` if the survey cannot be encoded (a value JSON cannot hold, such as NaN).
    public static func digest(of survey: Survey) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(survey)
        return "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
