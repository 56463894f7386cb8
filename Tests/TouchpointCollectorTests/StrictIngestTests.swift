import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TouchpointCollector
import TouchpointCollectorServer
import TouchpointCore
import TouchpointJOSE
import TouchpointProtocol
import TouchpointStore

/// Every strict-ingest rule, each with a real signed payload that breaks it.
@Suite("Strict ingest: the collector stores exactly what was signed, and only what can be true")
struct StrictIngestTests {
    let key = KioskKey.generate()
    let verifier: ResponseVerifier
    let keys: [String: EnrolledKey]

    init() throws {
        verifier = ResponseVerifier(surveys: try Fixtures.surveys())
        keys = [key.keyID: EnrolledKey(
            kid: key.keyID, kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, enrolledAt: Fixtures.start)]
    }

    /// A valid response with a comment (`loved`, text), as canonical JSON text a kiosk signs.
    func commented(_ comment: String = "Friendly staff", sequence: UInt64 = 1) throws -> (SurveyResponse, String) {
        let response = FeedFixtures.response(sequence: sequence, nps: 9, comment: comment)
        return (response, String(decoding: try response.canonicalJSON(), as: UTF8.self))
    }

    /// `text` with `old` replaced by `new` (which must occur), signed as a kiosk would sign it.
    func signed(_ text: String, replacing old: String, with new: String) throws -> FlattenedJWS {
        #expect(text.contains(old), "the payload has no \(old)")
        return try FlattenedJWS.sign(payload: Data(text.replacingOccurrences(of: old, with: new).utf8), key: key)
    }

    func reason(_ jws: FlattenedJWS, at now: Date = Fixtures.receivedAt) throws -> String {
        let refusal = try #require(verifier.check(index: 0, jws: jws, batchKiosk: "kiosk-1", keys: keys, at: now).refusal)
        #expect(refusal.status == .rejected)
        return refusal.reason ?? ""
    }

    // MARK: Strict JSON

    @Test func duplicateKeysAreRejectedWhereverTheyAre() throws {
        let (response, text) = try commented()
        let twice = try reason(signed(text, replacing: "\"sequence\":1,", with: "\"sequence\":210,\"sequence\":211,"))
        #expect(twice == "payload is not strict JSON: field sequence: the key appears twice in its object")

        // The same key spelt with an escape is the same key.
        let escaped = try reason(signed(text, replacing: "\"sequence\":1,", with: "\"sequence\":1,\"seq\\u0075ence\":2,"))
        #expect(escaped.contains("field sequence: the key appears twice"), "\(escaped)")

        let digest = response.survey.digest
        let nested = try reason(signed(text, replacing: "\"digest\":\"\(digest)\"", with: "\"digest\":\"\(digest)\",\"version\":2"))
        #expect(nested.contains("field survey.version: the key appears twice"), "\(nested)")
    }

    @Test(arguments: [
        ("a\\u0000b", "U+0000"), ("a\\nb", "U+000A"), ("a\\tb", "U+0009"), ("a\\u001bb", "U+001B"), ("a\\u0085b", "U+0085"),
    ])
    func controlCharactersInStringsAreRejected(escaped: String, named: String) throws {
        let (_, text) = try commented("aXb")
        let reason = try reason(signed(text, replacing: "aXb", with: escaped))
        #expect(reason.contains("control character \(named) in a string"), "\(reason)")
        #expect(reason.contains("answers[1].value"), "the reason names the answer: \(reason)")
    }

    @Test func unknownFieldsAreRejectedAtEveryLevel() throws {
        let (response, text) = try commented()
        let top = try reason(signed(text, replacing: "\"suspect\":false", with: "\"suspect\":false,\"extra\":1"))
        #expect(top == "payload is not strict JSON: field extra: unknown field")
        let digest = response.survey.digest
        let survey = try reason(signed(text, replacing: "\"digest\":\"\(digest)\"", with: "\"digest\":\"\(digest)\",\"name\":\"x\""))
        #expect(survey.contains("field survey.name: unknown field"), "\(survey)")
        let answer = try reason(signed(text, replacing: "\"question\":\"recommend\"", with: "\"question\":\"recommend\",\"weight\":2"))
        #expect(answer.contains("field answers[0].weight: unknown field"), "\(answer)")
    }

    @Test func payloadFieldsAreExactlyThoseAKioskWrites() throws {
        // A response with every optional field: its canonical JSON has exactly the listed fields, so the list
        // and SurveyResponse's JSON form cannot drift apart unnoticed.
        var response = FeedFixtures.response(sequence: 1, nps: 9, comment: "ok", account: "acme")
        response.answers[0] = Answer(question: "recommend", type: .nps, value: .number(9))
        let object = try #require(try JSONSerialization.jsonObject(with: try response.canonicalJSON()) as? [String: Any])
        #expect(Set(object.keys) == ResponseVerifier.payloadFields([]))
        let survey = try #require(object["survey"] as? [String: Any])
        #expect(Set(survey.keys) == ResponseVerifier.payloadFields([.key("survey")]))
        let answer = try #require((object["answers"] as? [[String: Any]])?.first)
        #expect(Set(answer.keys) == ResponseVerifier.payloadFields([.key("answers"), .index(0)]))
    }

    @Test func whatTheKioskRecordsIsAccepted() async throws {
        try await withTemporaryDirectory { directory in
            let store = try FileResponseStore(root: directory, key: key, now: { Fixtures.start })
            let comment = "Bilen var klar – åäö, \"citat\", a/b \\ 🚗 \u{2028}"
            var draft = ResponseDraft(
                survey: SurveyReference(id: "retail-visit", version: 1, digest: Fixtures.digest("retail-visit")),
                site: "malmo", kiosk: "kiosk-1", touchpoint: "retail", stage: .shop, language: "en",
                startedAt: Fixtures.start.addingTimeInterval(-30), completedAt: Fixtures.start,
                answers: [
                    Answer(question: "recommend", type: .nps, value: .number(9)),
                    Answer(question: "loved", type: .text, value: .text(comment)),
                    Answer(question: "visit-satisfaction", type: .csat, value: .number(4)),
                ],
                status: .complete, suspect: false, mode: .attended, account: "ACME-42", appVersion: "0.1.0")
            draft.answers.append(Answer(question: "purpose", type: .choice, value: .option("offer")))
            let stored = try store.record(draft)
            let file = try #require(stored.file)
            let envelope = try FlattenedJWS.parse(try Data(contentsOf: file))
            let outcome = verifier.check(index: 0, jws: envelope, batchKiosk: "kiosk-1", keys: keys, at: Fixtures.receivedAt)
            #expect(outcome.refusal == nil, "\(outcome.refusal?.reason ?? "")")
            #expect(outcome.item?.response.answer("loved") == .text(comment))
        }
    }

    @Test func strictJSONNamesWhereTheSyntaxBreaks() throws {
        #expect(throws: StrictJSON.Problem.self) { try StrictJSON.check(Data("{\"a\":1,}".utf8)) }
        #expect(throws: StrictJSON.Problem.self) { try StrictJSON.check(Data("{\"a\":01}".utf8)) }
        #expect(throws: StrictJSON.Problem.self) { try StrictJSON.check(Data("{\"a\":1} x".utf8)) }
        #expect(throws: StrictJSON.Problem.self) { try StrictJSON.check(Data("\"\\ud800\"".utf8)) }
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        do throws(StrictJSON.Problem) {
            try StrictJSON.check(Data(deep.utf8))
            Issue.record("10 000 nested arrays were accepted")
        } catch {
            #expect(error.message.contains("nested more than"))
        }
        do throws(StrictJSON.Problem) {
            try StrictJSON.check(Data("{\"a\":[1,{\"b\":tru}]}".utf8))
            Issue.record("tru was accepted")
        } catch {
            #expect(error.description == "field a[1].b: not valid JSON at byte 13: expected a value")
        }
        try StrictJSON.check(Data(" {\"a\":[1,-2.5e+3,true,false,null,\"\\u00e5\\/\"],\"b\":{}} ".utf8))
    }

    // MARK: What can be true

    @Test func theSiteMustBeTheKiosksEnrolledSite() throws {
        var response = Fixtures.response(sequence: 1)
        response.site = "other-site"
        let reason = try reason(Fixtures.signed(response, key: key))
        #expect(reason == "field site: \"other-site\" is not site malmo, where kiosk kiosk-1 is enrolled")
    }

    @Test func completedAtIsNoLaterThanTheClockPlusTheSkew() throws {
        let now = Fixtures.receivedAt
        var response = Fixtures.response(sequence: 1)
        response.completedAt = try #require(Timestamp.date("9999-12-31T23:59:59.000Z"))
        let reason = try reason(Fixtures.signed(response, key: key), at: now)
        #expect(reason.hasPrefix("field completedAt: 9999-12-31T23:59:59.000Z is later than the collector's clock"), "\(reason)")
        #expect(reason.hasSuffix("plus 5 minutes"))

        // Just inside the skew is accepted; just outside is not.
        response.completedAt = now.addingTimeInterval(ResponseVerifier.clockSkew - 1)
        response.startedAt = response.completedAt.addingTimeInterval(-30)
        #expect(verifier.check(index: 0, jws: try Fixtures.signed(response, key: key), batchKiosk: "kiosk-1", keys: keys, at: now).item != nil)
        response.completedAt = now.addingTimeInterval(ResponseVerifier.clockSkew + 1)
        #expect(try self.reason(Fixtures.signed(response, key: key), at: now).hasPrefix("field completedAt"))
    }

    @Test func startedAtIsNotAfterCompletedAt() throws {
        var response = Fixtures.response(sequence: 1)
        response.startedAt = response.completedAt.addingTimeInterval(1)
        let reason = try reason(Fixtures.signed(response, key: key))
        #expect(reason.hasPrefix("field startedAt: "), "\(reason)")
        #expect(reason.contains("is after completedAt"))
    }

    @Test func textAnswersAreNoLongerThanTheLimit() throws {
        let long = try commented(String(repeating: "x", count: Question.maximumTextLength + 1)).0
        let reason = try reason(Fixtures.signed(long, key: key))
        #expect(reason == "answers[1] (question \"loved\"): the text is 2001 characters; the limit is 2000")
        let megabyte = try commented(String(repeating: "y", count: 1_048_576)).0
        #expect(try self.reason(Fixtures.signed(megabyte, key: key)).contains("the limit is 2000"))
        let longest = try commented(String(repeating: "x", count: Question.maximumTextLength)).0
        let outcome = verifier.check(index: 0, jws: try Fixtures.signed(longest, key: key), batchKiosk: "kiosk-1", keys: keys, at: Fixtures.receivedAt)
        #expect(outcome.item != nil)
    }

    @Test func theSurveyDigestMustMatchTheKnownVersion() throws {
        var response = Fixtures.response(sequence: 1)
        response.survey.digest = "sha256:" + String(repeating: "1", count: 64)
        let reason = try reason(Fixtures.signed(response, key: key))
        #expect(reason.hasPrefix("field survey.digest: \"sha256:1111"), "\(reason)")
        #expect(reason.contains("survey retail-visit version 1 known to the collector (\(Fixtures.digest("retail-visit")))"))

        // An unknown version is still deferred, whatever its digest.
        let later = Fixtures.response(sequence: 2, version: 99)
        let refusal = try #require(
            verifier.check(index: 0, jws: try Fixtures.signed(later, key: key), batchKiosk: "kiosk-1", keys: keys, at: Fixtures.receivedAt).refusal)
        #expect(refusal.status == .deferred)
    }

    @Test(arguments: StorageBackend.available)
    func aRejectedItemStoresNothingAndLeavesTheOthers(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, tokenHash: nil, at: Fixtures.start)
            let (_, text) = try commented("aXb", sequence: 1)
            let bad = try signed(text, replacing: "aXb", with: "a\\u0000b")
            let good = try Fixtures.signed(Fixtures.response(sequence: 2), key: key)
            var elsewhere = Fixtures.response(sequence: 3)
            elsewhere.site = "other-site"
            let batch = UploadBatch(
                kiosk: "kiosk-1", health: Fixtures.health, responses: [bad, good, try Fixtures.signed(elsewhere, key: key)])
            let ingestor = ResponseIngestor(storage: storage, surveys: try Fixtures.surveys(), logger: quietLogger)
            let result = try await ingestor.ingest(batch, at: Fixtures.receivedAt)
            #expect(result.results.map(\.status) == [.rejected, .stored, .rejected])
            let kiosk = try #require(try await storage.kiosk("kiosk-1"))
            #expect(kiosk.responseCount == 1)
            #expect(kiosk.highestSequence == 2)
        }
    }

    // MARK: The batch

    /// Posts `body` to a router-level collector and returns the status and the error message.
    func post(_ body: String) async throws -> (HTTPResponse.Status, String) {
        try await withStorage { storage, _ in
            try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, tokenHash: nil, at: Fixtures.start)
            let app = buildApplication(
                configuration: CollectorConfiguration(), storage: storage, surveys: try Fixtures.catalog(), logger: quietLogger)
            return try await app.test(.router) { client in
                let response = try await client.execute(uri: UploadProtocol.path, method: .post, body: ByteBuffer(string: body))
                let error = try? JSONDecoder().decode(UploadError.self, from: Data(response.body.readableBytesView))
                return (response.status, error?.message ?? "")
            }
        }
    }

    @Test func batchErrorsNameTheField() async throws {
        let jws = String(decoding: try Fixtures.signed(Fixtures.response(sequence: 1), key: key).serialized(), as: UTF8.self)
        let negative = try await post(#"{"kiosk":"kiosk-1","health":{"pending":1,"rejected":0,"lastSequence":-1},"responses":[]}"#)
        #expect(negative.0 == .badRequest)
        #expect(negative.1 == "not an upload batch: field health.lastSequence: -1 is negative")

        let pending = try await post(#"{"kiosk":"kiosk-1","health":{"pending":-3,"rejected":0},"responses":[]}"#)
        #expect(pending.1 == "not an upload batch: field health.pending: -3 is negative")

        let notJWS = try await post(#"{"kiosk":"kiosk-1","health":{"pending":1,"rejected":0},"responses":["#
            + jws + "," + jws + "," + jws + #","abc"]}"#)
        #expect(notJWS.0 == .badRequest)
        #expect(notJWS.1 == "not an upload batch: field responses[3]: expected a JWS object (protected, payload, signature)")

        let twice = try await post(#"{"kiosk":"kiosk-1","kiosk":"kiosk-2","health":{"pending":1,"rejected":0},"responses":[]}"#)
        #expect(twice.1 == "not an upload batch: field kiosk: the key appears twice in its object")

        let broken = try await post(#"{"kiosk":"kiosk-1","health":{"pending":1,"rejected":0},"responses":[}"#)
        #expect(broken.1 == "not an upload batch: field responses[0]: not valid JSON at byte 68: expected a value")

        let when = try await post(#"{"kiosk":"kiosk-1","health":{"pending":1,"rejected":0,"oldestPendingAt":"soon"},"responses":[]}"#)
        #expect(when.1.hasPrefix("not an upload batch: field health.oldestPendingAt: not an ISO 8601 timestamp"), "\(when.1)")
    }
}
