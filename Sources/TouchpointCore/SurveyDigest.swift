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
        return sha256(try encoder.encode(survey))
    }

    /// `sha256:` + lowercase hex SHA-256 of `data`: the form of every content digest Touchpoint writes.
    public static func sha256(_ data: Data) -> String {
        "sha256:" + Hex.lowercase(SHA256.hash(data: data))
    }
}
