import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointProtocol
import TouchpointJOSE

@Suite("Verifying uploaded responses")
struct ResponseVerifierTests {
    let key = KioskKey.generate()
    let verifier: ResponseVerifier
    let keys: [String: EnrolledKey]

    init() throws {
        verifier = ResponseVerifier(surveys: try Fixtures.surveys())
        keys = [key.keyID: EnrolledKey(
            kid: key.keyID, kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, enrolledAt: Fixtures.start)]
    }

    func check(_ jws: FlattenedJWS, batchKiosk: String = "kiosk-1", keys: [String: EnrolledKey]? = nil) -> ResponseVerifier.Outcome {
        verifier.check(index: 0, jws: jws, batchKiosk: batchKiosk, keys: keys ?? self.keys, at: Fixtures.receivedAt)
    }

    func reason(of response: SurveyResponse) throws -> String? {
        check(try Fixtures.signed(response, key: key)).refusal?.reason
    }

    @Test func validResponseVerifiesWithPayloadHash() throws {
        let response = Fixtures.response(sequence: 1)
        let item = try #require(check(try Fixtures.signed(response, key: key)).item)
        #expect(item.response == response)
        #expect(item.kid == key.keyID)
        #expect(item.contentHash.count == 64)
        #expect(item.contentHash == CollectorToken.hash(String(decoding: try response.canonicalJSON(), as: UTF8.self)))
    }

    @Test func tamperedPayloadIsABadSignature() throws {
        let response = Fixtures.response(sequence: 1)
        var jws = try Fixtures.signed(response, key: key)
        var altered = response
        altered.answers[0].value = .number(10)
        jws.payload = Base64URL.encode(try altered.canonicalJSON())
        let refusal = try #require(check(jws).refusal)
        #expect(refusal.status == .rejected)
        #expect(refusal.id == response.id)
        #expect(refusal.reason?.hasPrefix("bad signature") == true)
    }

    @Test func unknownKeyIsRejected() throws {
        let stranger = KioskKey.generate()
        let refusal = try #require(check(try Fixtures.signed(Fixtures.response(sequence: 1), key: stranger)).refusal)
        #expect(refusal.status == .rejected)
        #expect(refusal.reason == "unknown key \(stranger.keyID)")
    }

    @Test func revokedKeyIsRejected() throws {
        var revoked = keys
        revoked[key.keyID]?.revokedAt = Fixtures.start
        let refusal = try #require(check(try Fixtures.signed(Fixtures.response(sequence: 1), key: key), keys: revoked).refusal)
        #expect(refusal.status == .rejected)
        #expect(refusal.reason == "key \(key.keyID) of kiosk kiosk-1 was revoked")
    }

    @Test func payloadKioskMustBeTheKeysKiosk() throws {
        let reason = try self.reason(of: Fixtures.response(kiosk: "kiosk-2", sequence: 1))
        #expect(reason == "field kiosk: \"kiosk-2\" does not match kiosk kiosk-1 of key \(key.keyID)")
    }

    @Test func theIDMustBeALowercaseUUID() throws {
        let good = "019a7b4e-8f00-7abc-8def-0123456789ab"
        #expect(try reason(of: Fixtures.response(sequence: 1, id: good)) == nil)
        for id in [
            good.uppercased(), "{\(good)}", String(good.dropLast()), good + "0", good.replacingOccurrences(of: "-", with: ""),
            "019a7b4e-8f00-7abc-8def-0123456789ag", "019a7b4e_8f00-7abc-8def-0123456789ab", "019a7b4e-8f007-abc-8def-0123456789ab",
            "019a7b4e-8f00-7abc-8def-0123456789aé", "",
        ] {
            let reason = try self.reason(of: Fixtures.response(sequence: 1, id: id))
            #expect(reason?.hasSuffix("is not a lowercase UUID") == true, "\(id): \(reason ?? "accepted")")
        }
    }

    @Test func batchKioskMustBeTheKeysKiosk() throws {
        let refusal = try #require(check(try Fixtures.signed(Fixtures.response(sequence: 1), key: key), batchKiosk: "kiosk-9").refusal)
        #expect(refusal.status == .rejected)
        #expect(refusal.reason?.contains("batch comes from kiosk kiosk-9") == true)
    }

    @Test func unknownSurveyVersionIsDeferred() throws {
        let refusal = try #require(check(try Fixtures.signed(Fixtures.response(sequence: 1, version: 3), key: key)).refusal)
        #expect(refusal.status == .deferred)
        #expect(refusal.reason == "survey retail-visit version 3 is not known to the collector yet")
    }

    @Test func unknownSurveyIsDeferred() throws {
        var response = Fixtures.response(sequence: 1)
        response.survey.id = "delivery"
        let refusal = try #require(check(try Fixtures.signed(response, key: key)).refusal)
        #expect(refusal.status == .deferred)
        #expect(refusal.reason == "survey delivery is not known to the collector yet")
    }

    @Test func answerOffTheScaleNamesTheField() throws {
        let reason = try self.reason(of: Fixtures.response(sequence: 1, answers: [
            Answer(question: "recommend", type: .nps, value: .number(9)),
            Answer(question: "visit-satisfaction", type: .csat, value: .number(6)),
        ]))
        #expect(reason == "answers[1] (question \"visit-satisfaction\"): 6 is outside 1–5")
    }

    @Test func npsElevenIsOutsideZeroToTen() throws {
        let reason = try self.reason(of: Fixtures.response(sequence: 1, answers: [
            Answer(question: "recommend", type: .nps, value: .number(11)),
            Answer(question: "visit-satisfaction", type: .csat, value: .number(4)),
        ]))
        #expect(reason == "answers[0] (question \"recommend\"): 11 is outside 0–10")
    }

    @Test func unknownOptionNamesTheField() throws {
        let reason = try self.reason(of: Fixtures.response(sequence: 1, answers: [
            Answer(question: "recommend", type: .nps, value: .number(9)),
            Answer(question: "visit-satisfaction", type: .csat, value: .number(4)),
            Answer(question: "purpose", type: .choice, value: .option("lunch")),
        ]))
        #expect(reason == "answers[2] (question \"purpose\"): \"lunch\" is not one of the options browse, test-drive, offer, other")
    }

    @Test func unknownQuestionNamesTheField() throws {
        let reason = try self.reason(of: Fixtures.response(sequence: 1, answers: [
            Answer(question: "recommend", type: .nps, value: .number(9)),
            Answer(question: "colour", type: .text, value: .text("red")),
            Answer(question: "visit-satisfaction", type: .csat, value: .number(4)),
        ]))
        #expect(reason == "answers[1] (question \"colour\"): survey retail-visit version 1 has no such question")
    }

    @Test func typeAndValueKindMustMatchTheQuestion() throws {
        let wrongType = try reason(of: Fixtures.response(sequence: 1, answers: [
            Answer(question: "recommend", type: .csat, value: .number(4)),
        ]))
        #expect(wrongType == "answers[0] (question \"recommend\"): type csat does not match the question's type nps")
        let wrongValue = try reason(of: Fixtures.response(sequence: 1, answers: [
            Answer(question: "recommend", type: .nps, value: .text("nine")),
        ]))
        #expect(wrongValue == "answers[0] (question \"recommend\"): expected a number")
    }

    @Test func completeResponseMustAnswerVisibleRequiredQuestions() throws {
        let answers = [Answer(question: "recommend", type: .nps, value: .number(9))]
        let reason = try self.reason(of: Fixtures.response(sequence: 1, answers: answers))
        #expect(reason == "field answers: required question \"visit-satisfaction\" is not answered in a complete response")
        #expect(check(try Fixtures.signed(Fixtures.response(sequence: 1, answers: answers, status: .partial), key: key)).item != nil)
    }

    @Test func answerToAHiddenQuestionIsRejected() throws {
        let reason = try self.reason(of: Fixtures.response(sequence: 1, answers: [
            Answer(question: "recommend", type: .nps, value: .number(9)),
            Answer(question: "improve", type: .text, value: .text("more coffee")),
            Answer(question: "visit-satisfaction", type: .csat, value: .number(4)),
        ]))
        #expect(reason == "answers[1] (question \"improve\"): answered although its condition hides it")
        let shown = check(try Fixtures.signed(Fixtures.response(sequence: 1, answers: [
            Answer(question: "recommend", type: .nps, value: .number(3)),
            Answer(question: "improve", type: .text, value: .text("more coffee")),
            Answer(question: "visit-satisfaction", type: .csat, value: .number(4)),
        ]), key: key))
        #expect(shown.item != nil)
    }

    @Test func malformedPayloadNamesTheField() throws {
        let json = try JSONSerialization.jsonObject(with: Fixtures.response(sequence: 1).canonicalJSON())
        var object = try #require(json as? [String: Any])
        var answers = try #require(object["answers"] as? [[String: Any]])
        answers[1]["type"] = "stars"
        object["answers"] = answers
        let payload = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let refusal = try #require(check(try FlattenedJWS.sign(payload: payload, key: key)).refusal)
        #expect(refusal.status == .rejected)
        #expect(refusal.reason?.hasPrefix("payload is not a survey response: field answers[1].type") == true, "\(refusal.reason ?? "")")

        object.removeValue(forKey: "sequence")
        let missing = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let reason = check(try FlattenedJWS.sign(payload: missing, key: key)).refusal?.reason
        #expect(reason == "payload is not a survey response: missing field sequence")
    }

    @Test func aLargeBatchIsVerifiedInParallelAndKeepsItsOrder() async throws {
        var responses = try Fixtures.batch(key: key, sequences: 1...200)
        responses[17].signature = responses[18].signature
        let outcomes = await verifier.verify(UploadBatch(kiosk: "kiosk-1", health: Fixtures.health, responses: responses), keys: keys, at: Fixtures.receivedAt)
        #expect(outcomes.map(\.index) == Array(0..<200))
        #expect(outcomes.filter { $0.item != nil }.count == 199)
        #expect(outcomes[17].refusal?.reason?.hasPrefix("bad signature") == true)
        #expect(outcomes[42].item?.response.sequence == 43)
    }
}
