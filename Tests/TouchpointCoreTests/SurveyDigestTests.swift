import Foundation
import Testing
@testable import TouchpointCore

/// `sha256:` + hex SHA-256 of `survey` encoded as the kiosk's `SurveyDigest` (TouchpointStore) encodes it:
/// JSON with sorted keys and unescaped slashes.
private func digest(of survey: Survey) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return "sha256:" + SHA256.hex(try encoder.encode(survey))
}

private func canonicalJSON(_ survey: Survey) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(survey), as: UTF8.self)
}

@Suite("Survey digest")
struct SurveyDigestTests {
    @Test("The test SHA-256 gives the FIPS 180-2 example digests", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func sha256Vectors(message: String, expected: String) {
        #expect(SHA256.hex(Array(message.utf8)) == expected)
    }

    /// Digests computed before surveys had `privacyNotice` and `singleKey`. Responses already stored carry
    /// these; a survey that uses neither field must keep its digest. (Editing the file changes it, rightly:
    /// then update the value here.)
    @Test("Bundled surveys without the new fields keep the digest they had before", arguments: [
        ("retail-visit", "sha256:5685d90bac2147985da7f83176604348ff72deb236fd376a7fb892dd9bd783aa"),
        ("delivery-handover", "sha256:23936f9eb3f9a5fedbad1b74d8676c9e1a71371908c083596a6ad164ce8117fa"),
    ])
    func bundledDigest(name: String, expected: String) throws {
        let url = SurveyParserTests.surveysDirectory.appendingPathComponent(name + ".yaml")
        let survey = try parsedSurvey(try String(contentsOf: url, encoding: .utf8), file: url.path)
        #expect(survey.privacyNotice == nil)
        #expect(survey.singleKey == nil)
        #expect(try digest(of: survey) == expected)
    }

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
        #expect(try digest(of: noticed) != digest(of: plain))
        #expect(try JSONDecoder().decode(Survey.self, from: Data(noticedJSON.utf8)) == noticed)
        #expect(try JSONDecoder().decode(Survey.self, from: Data(plainJSON.utf8)) == plain)
    }
}
