import Foundation
import Testing
@testable import TouchpointCore

/// The survey as `SurveyDigest` encodes it before hashing: JSON with sorted keys and
/// unescaped slashes. (The digest itself is checked in TouchpointStoreTests.)
private func canonicalJSON(_ survey: Survey) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(survey), as: UTF8.self)
}

@Suite("Survey encoding for the digest")
struct SurveyDigestTests {
    @Test("privacyNotice and singleKey are encoded only when given, and change the digest then")
    func newFieldsInTheEncoding() throws {
        let plain = Survey(
            id: "s", version: 1, title: LocalizedText(["en": "S"]), touchpoint: "retail", stage: .shop,
            languages: ["en"], questions: [Question(id: "q", kind: .text, text: LocalizedText(["en": "Q?"]))])
        let plainJSON = try canonicalJSON(plain)
        #expect(!plainJSON.contains("privacyNotice"))
        #expect(!plainJSON.contains("singleKey"))

        var noticed = plain
        noticed.privacyNotice = LocalizedText(["en": "Kept a year."])
        noticed.singleKey = false
        let noticedJSON = try canonicalJSON(noticed)
        #expect(noticedJSON.contains("\"privacyNotice\":{\"en\":\"Kept a year.\"}"))
        #expect(noticedJSON.contains("\"singleKey\":false"))
        #expect(noticedJSON != plainJSON)
        #expect(try JSONDecoder().decode(Survey.self, from: Data(noticedJSON.utf8)) == noticed)
        #expect(try JSONDecoder().decode(Survey.self, from: Data(plainJSON.utf8)) == plain)
    }
}
