import Foundation
import Testing
@testable import TouchpointCore

@Suite("SurveyResponse")
struct SurveyResponseTests {
    func response(startedAt: Date = t0.addingTimeInterval(0.25), completedAt: Date = t0.addingTimeInterval(42.5),
                  account: String? = "acme/123") -> SurveyResponse {
        let draft = ResponseDraft(
            survey: SurveyReference(id: "retail-visit", version: 2, digest: "sha256:" + String(repeating: "0f", count: 32)),
            site: "sto-1", kiosk: "kiosk-7", touchpoint: "retail", stage: .shop, language: "sv",
            startedAt: startedAt, completedAt: completedAt,
            answers: [
                Answer(question: "recommend", type: .nps, value: .number(9)),
                Answer(question: "loved", type: .text, value: .text("Bra kaffe / snabb service")),
                Answer(question: "numeric-comment", type: .text, value: .text("10")),
                Answer(question: "purpose", type: .choice, value: .option("test-drive")),
                Answer(question: "on-time", type: .yesno, value: .bool(false)),
            ],
            status: .partial, suspect: true, mode: .unattended, account: account, appVersion: "touchpoint/1.2.3")
        return SurveyResponse(draft: draft, id: "019a7b4e-8f00-7abc-8def-0123456789ab", sequence: 17)
    }

    /// The date of a whole number of milliseconds since 1970, as a payload timestamp denotes it.
    static func date(millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    func jsonObject(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("The draft's fields are carried into the response")
    func fromDraft() {
        let value = response()
        #expect(value.id == "019a7b4e-8f00-7abc-8def-0123456789ab")
        #expect(value.sequence == 17)
        #expect(value.survey.version == 2)
        #expect(value.language == "sv")
        #expect(value.status == .partial)
        #expect(value.suspect)
        #expect(value.answer("purpose") == .option("test-drive"))
        #expect(value.answer("missing") == nil)
    }

    @Test("Encode then decode gives an equal response")
    func roundTrip() throws {
        let original = response()
        let decoded = try SurveyResponse.decode(try original.canonicalJSON())
        #expect(decoded == original)
        let withoutAccount = response(account: nil)
        #expect(try SurveyResponse.decode(try withoutAccount.canonicalJSON()) == withoutAccount)
    }

    @Test("Answer values decode back to their kinds; choice answers as options")
    func answerKinds() throws {
        let decoded = try SurveyResponse.decode(try response().canonicalJSON())
        #expect(decoded.answers.map(\.value) == [
            .number(9), .text("Bra kaffe / snabb service"), .text("10"), .option("test-drive"), .bool(false),
        ])
        #expect(decoded.answers.map(\.type) == [.nps, .text, .text, .choice, .yesno])
    }

    @Test("Scale answers of 0 and 1 stay numbers, not booleans")
    func zeroAndOne() throws {
        var draft = ResponseDraft(
            survey: SurveyReference(id: "s", version: 1, digest: "sha256:00"), site: "s", kiosk: "k",
            touchpoint: "t", stage: .own, language: "en", startedAt: t0, completedAt: t0, answers: [],
            status: .complete, suspect: false, mode: .attended, appVersion: "1")
        draft.answers = [
            Answer(question: "a", type: .nps, value: .number(0)),
            Answer(question: "b", type: .ces, value: .number(1)),
            Answer(question: "c", type: .yesno, value: .bool(true)),
            Answer(question: "d", type: .text, value: .text("true")),
        ]
        let original = SurveyResponse(draft: draft, id: "x", sequence: 0)
        let decoded = try SurveyResponse.decode(try original.canonicalJSON())
        #expect(decoded.answers.map(\.value) == [.number(0), .number(1), .bool(true), .text("true")])
    }

    @Test("Timestamps are ISO 8601 UTC with milliseconds")
    func timestampFormat() throws {
        let object = try jsonObject(try response(startedAt: t0, completedAt: t0.addingTimeInterval(61.5)).canonicalJSON())
        #expect(object["startedAt"] as? String == "2025-11-13T02:13:20.000Z")
        #expect(object["completedAt"] as? String == "2025-11-13T02:14:21.500Z")
    }

    @Test("Timestamp strings keep the exact millisecond of a millisecond-exact date")
    func timestampMilliseconds() {
        // 1 763 000 000.007 s is 02:13:20.007; the format must say .007, not .006.
        #expect(Timestamp.string(Date(timeIntervalSince1970: 1_763_000_000.007)) == "2025-11-13T02:13:20.007Z")
        var wrong: [String] = []
        for millis in 0..<1000 {
            let date = Self.date(millis: 1_763_000_000_000 + Int64(millis))
            let string = Timestamp.string(date)
            if !string.hasSuffix(String(format: ".%03dZ", millis)) { wrong.append(string) }
        }
        #expect(wrong.count == 0, "of 1000 milliseconds, e.g. \(wrong.prefix(3))")
    }

    @Test("Decoding and re-encoding a payload gives the same bytes")
    func decodeEncodeStable() throws {
        var unstable: [String] = []
        for millis in stride(from: 1, to: 1000, by: 3) {
            let original = response(completedAt: Self.date(millis: 1_763_000_042_000 + Int64(millis)))
            let bytes = try original.canonicalJSON()
            let decoded = try SurveyResponse.decode(bytes)
            let again = try decoded.canonicalJSON()
            if decoded != original || again != bytes {
                unstable.append(Timestamp.string(original.completedAt))
            }
        }
        #expect(unstable.count == 0, "of 333 payloads, e.g. \(unstable.prefix(3))")
    }

    @Test("Timestamp.date reads timestamps with and without fractional seconds")
    func timestampParsing() throws {
        let withFraction = try #require(Timestamp.date("2025-11-13T02:13:20.250Z"))
        #expect(withFraction == t0.addingTimeInterval(0.25))
        #expect(Timestamp.date("2025-11-13T02:13:20Z") == t0)
        #expect(Timestamp.date("13 Nov 2025") == nil)
    }

    @Test("A payload with a malformed timestamp does not decode")
    func malformedTimestamp() throws {
        let text = String(decoding: try response().canonicalJSON(), as: UTF8.self)
            .replacingOccurrences(of: "2025-11-13T02:13:20.250Z", with: "yesterday")
        #expect(throws: DecodingError.self) { try SurveyResponse.decode(Data(text.utf8)) }
    }

    @Test("canonicalJSON sorts keys and leaves slashes unescaped")
    func canonicalForm() throws {
        let text = String(decoding: try response().canonicalJSON(), as: UTF8.self)
        #expect(text.contains("\"appVersion\":\"touchpoint/1.2.3\""))
        #expect(text.contains("\"account\":\"acme/123\""))
        #expect(!text.contains("\\/"))
        #expect(!text.contains("\n"))

        // Top-level keys that occur nowhere else appear in sorted order.
        let keys = ["account", "answers", "appVersion", "completedAt", "kiosk", "language", "mode", "sequence",
                    "site", "stage", "startedAt", "status", "survey", "suspect", "touchpoint"]
        let positions = try keys.map { key in
            try #require(text.range(of: "\"\(key)\":")?.lowerBound, "key \(key)")
        }
        #expect(positions == positions.sorted())
        // Keys inside an answer are sorted too.
        #expect(text.contains("{\"question\":\"recommend\",\"type\":\"nps\",\"value\":9}"))
        #expect(text.contains("\"survey\":{\"digest\":\"sha256:"))
    }

    @Test("A missing account leaves the key out")
    func noAccount() throws {
        let object = try jsonObject(try response(account: nil).canonicalJSON())
        #expect(object["account"] == nil)
        #expect(object["sequence"] as? Int == 17)
        #expect(object["suspect"] as? Bool == true)
        #expect(object["status"] as? String == "partial")
    }
}
