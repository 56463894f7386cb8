import Foundation
import Testing
import TouchpointCore
@testable import TouchpointStore

@Suite("PIN hashes and survey digests")
struct PINHashTests {
    @Test("PBKDF2-HMAC-SHA256 matches RFC 7914 §11 (P=passwd, S=salt, c=1, dkLen=64)")
    func rfc7914Vector() {
        let expected = """
            55 ac 04 6e 56 e3 08 9f ec 16 91 c2 25 44 b6 05 f9 41 85 21 6d de 04 65 e6 8b 9d 57 c2 0d ac bc \
            49 ca 9c cc f1 79 b6 45 99 16 64 b3 9d 77 ef 31 7c 71 b8 45 b1 e3 0b d5 09 11 20 41 d3 a1 97 83
            """
        let derived = PINHash.pbkdf2SHA256(password: Data("passwd".utf8), salt: Data("salt".utf8), iterations: 1, length: 64)
        #expect(derived.map { String(format: "%02x", $0) }.joined(separator: " ") == expected)
    }

    @Test("PBKDF2-HMAC-SHA256 matches RFC 7914 §11 with c=80000 (P=Password, S=NaCl)")
    func rfc7914IteratedVector() {
        let expected = "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
            + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"
        let derived = PINHash.pbkdf2SHA256(
            password: Data("Password".utf8), salt: Data("NaCl".utf8), iterations: 80_000, length: 64)
        #expect(derived.map { String(format: "%02x", $0) }.joined() == expected)
    }

    @Test("make/verify: the right PIN matches, a wrong one and a malformed hash do not")
    func makeAndVerify() throws {
        let hash = PINHash.make(pin: "4711", iterations: 1_000)
        #expect(hash.salt.count == 16)
        #expect(hash.encoded.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(PINHash.verify(pin: "4711", against: hash.encoded))
        #expect(!PINHash.verify(pin: "4712", against: hash.encoded))
        #expect(!PINHash.verify(pin: "4711", against: "plain:4711"))
        #expect(try PINHash(encoded: hash.encoded) == hash)
        #expect(PINHash.make(pin: "4711", iterations: 1_000).salt != hash.salt)

        let fixed = PINHash.make(pin: "1234", iterations: 2, salt: Data("NaCl".utf8))
        let manual = PINHash.pbkdf2SHA256(password: Data("1234".utf8), salt: Data("NaCl".utf8), iterations: 2, length: 32)
        #expect(fixed.hash == manual)
    }

    @Test("a malformed PIN hash gets an error saying what is wrong", arguments: [
        "", "pbkdf2-sha256$1000$c2FsdA", "bcrypt$10$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "pbkdf2-sha256$x$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA", "pbkdf2-sha256$0$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "pbkdf2-sha256$1000$c2F=sdA$AAAAAAAAAAAAAAAAAAAAAA", "pbkdf2-sha256$1000$c2FsdA$AAAA",
    ])
    func malformed(encoded: String) {
        expectCode(.malformed) { try PINHash(encoded: encoded) }
    }

    @Test("survey digest is sha256 hex of the sorted JSON and changes with the survey")
    func surveyDigest() throws {
        let survey = Survey(
            id: "retail-visit", version: 1, title: LocalizedText(["en": "Visit", "sv": "Besök"]), touchpoint: "retail",
            stage: .shop, languages: ["sv", "en"],
            questions: [Question(id: "nps", kind: .nps(labels: .standard(for: .nps)), text: LocalizedText(["en": "Recommend?"]))])
        let digest = try SurveyDigest.digest(of: survey)
        #expect(digest.wholeMatch(of: /sha256:[0-9a-f]{64}/) != nil)
        #expect(try SurveyDigest.digest(of: survey) == digest)
        var changed = survey
        changed.version = 2
        #expect(try SurveyDigest.digest(of: changed) != digest)
    }

    /// Digests of two bundled surveys as they were before surveys could carry `privacyNotice` and
    /// `singleKey`: responses already stored name these, so a survey using neither field keeps its digest.
    /// (Editing one of these files changes its digest, rightly: then update the value here.)
    @Test("bundled surveys without the newer optional fields keep the digest they had", arguments: [
        ("retail-visit", "sha256:5685d90bac2147985da7f83176604348ff72deb236fd376a7fb892dd9bd783aa"),
        ("delivery-handover", "sha256:23936f9eb3f9a5fedbad1b74d8676c9e1a71371908c083596a6ad164ce8117fa"),
    ])
    func bundledSurveyDigest(name: String, expected: String) throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("surveys/\(name).yaml")
        let survey = try SurveyParser.parse(yaml: try String(contentsOf: file, encoding: .utf8), file: file.path).get()
        #expect(try SurveyDigest.digest(of: survey) == expected)
    }
}
