import Foundation
import Testing
import TouchpointCollector
import TouchpointCore

/// `PlainPayload` reads a subset of what the general path (`StrictJSON.check` + `JSONDecoder`) accepts, and for
/// that subset builds the same response.
@Suite("Reading plain response payloads in one pass")
struct PlainPayloadTests {
    /// What the general path makes of `payload`: the response, or nil if it refuses it.
    static func general(_ payload: Data) -> SurveyResponse? {
        do {
            try StrictJSON.check(payload, fields: ResponseVerifier.payloadFields)
            return try SurveyResponse.decode(payload)
        } catch {
            return nil
        }
    }

    /// Text with what a customer might type: letters of several scripts, quotes, backslashes, slashes, emoji.
    static func text(_ generator: inout SeededGenerator, maximum: Int = 40) -> String {
        let pieces = ["a", "Z", "7", " ", "å", "ö", "É", "ß", "\"", "\\", "/", "😀", "👍🏽", "中", "'", "<", "&", "é", "-", ".", ",", "\u{A0}", "\u{2028}"]
        let length = Int.random(in: 0...maximum, using: &generator)
        return (0..<length).map { _ in pieces.randomElement(using: &generator) ?? "a" }.joined()
    }

    static func response(_ generator: inout SeededGenerator) -> SurveyResponse {
        let types = QuestionType.allCases
        let answers = (0..<Int.random(in: 0...6, using: &generator)).map { index -> Answer in
            let type = types.randomElement(using: &generator) ?? .nps
            let value: AnswerValue
            switch type {
            case .nps, .ces, .csat: value = .number(Int.random(in: -20...20, using: &generator))
            case .yesno: value = .bool(Bool.random(using: &generator))
            case .choice: value = .option(text(&generator, maximum: 8))
            case .text: value = .text(text(&generator, maximum: 200))
            }
            return Answer(question: "q\(index)-" + text(&generator, maximum: 6), type: type, value: value)
        }
        let started = Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000_000, using: &generator)) / 1000)
        let draft = ResponseDraft(
            survey: SurveyReference(
                id: text(&generator, maximum: 12), version: Int.random(in: 0...Int.max, using: &generator),
                digest: "sha256:" + text(&generator, maximum: 8)),
            site: text(&generator, maximum: 12), kiosk: text(&generator, maximum: 12), touchpoint: text(&generator, maximum: 12),
            stage: Bool.random(using: &generator) ? .shop : .own, language: text(&generator, maximum: 3),
            startedAt: started, completedAt: started.addingTimeInterval(Double(Int.random(in: 0...600_000, using: &generator)) / 1000),
            answers: answers, status: Bool.random(using: &generator) ? .complete : .partial,
            suspect: Bool.random(using: &generator), mode: Bool.random(using: &generator) ? .attended : .unattended,
            account: Bool.random(using: &generator) ? text(&generator, maximum: 20) : nil, appVersion: text(&generator, maximum: 10))
        return SurveyResponse(
            draft: draft, id: UUID().uuidString.lowercased(), sequence: UInt64.random(in: 0...UInt64.max, using: &generator))
    }

    @Test func everyKioskWrittenPayloadIsReadAsTheGeneralPathReadsIt() throws {
        var generator = SeededGenerator(state: 12)
        for _ in 0..<3000 {
            let response = Self.response(&generator)
            let payload = try response.canonicalJSON()
            let plain = try #require(PlainPayload.response(payload), "\(String(decoding: payload, as: UTF8.self))")
            let general = try #require(Self.general(payload))
            #expect(plain == general)
            #expect(plain.answers == response.answers && plain.account == response.account && plain.id == response.id)
        }
    }

    @Test func whitespaceAndFieldOrderAreStillPlain() throws {
        let response = Fixtures.response(sequence: 3)
        let payload = """
             { "status" : "complete",\t"sequence":3 , "id":"\(response.id)", "survey":{"version":1,"id":"retail-visit",
            "digest":"\(response.survey.digest)"},"site":"malmo","kiosk":"kiosk-1","touchpoint":"retail","stage":"shop",
            "language":"en","startedAt":"\(Timestamp.string(response.startedAt))","completedAt":"\(Timestamp.string(response.completedAt))",
            "answers":[ {"value":9,"type":"nps","question":"recommend"},{"question":"visit-satisfaction","type":"csat","value":4},
            {"question":"purpose","type":"choice","value":"offer"} ],"suspect":false,"mode":"\(response.mode.rawValue)","appVersion":"\(response.appVersion)"}\r\n
            """
        let plain = try #require(PlainPayload.response(Data(payload.utf8)))
        #expect(plain == Self.general(Data(payload.utf8)))
        #expect(plain == response)
    }

    /// Each of these the general path reads (or refuses) itself: a `\u` or control escape, a fraction, an exponent,
    /// a leading zero, `-0`, `null`, a duplicate or unknown field, a missing one, a byte order mark, bad UTF-8,
    /// a control character, text after the document.
    @Test func everythingOutsideThePlainFormIsLeftToTheGeneralPath() throws {
        let payload = String(decoding: try Fixtures.response(sequence: 3).canonicalJSON(), as: UTF8.self)
        let variants: [(String, String)] = [
            ("\"site\":\"malmo\"", "\"site\":\"mal\\u006do\""),
            ("\"site\":\"malmo\"", "\"site\":\"mal\\nmo\""),
            ("\"sequence\":3", "\"sequence\":3.0"),
            ("\"sequence\":3", "\"sequence\":3e0"),
            ("\"sequence\":3", "\"sequence\":03"),
            ("\"value\":9", "\"value\":-0"),
            ("\"value\":9", "\"value\":null"),
            ("\"value\":9", "\"value\":9.5"),
            ("\"sequence\":3", "\"sequence\":3,\"sequence\":3"),
            ("\"sequence\":3", "\"sequence\":3,\"extra\":1"),
            ("\"sequence\":3,", ""),
            ("\"site\":\"malmo\"", "\"site\":\"\u{FEFF}malmo\""),
            ("\"site\":\"malmo\"", "\"site\":\"mal\u{1}mo\""),
            ("\"site\":\"malmo\"", "\"site\":\"mal\u{85}mo\""),
            ("\"site\":\"malmo\"", "\"site\":\"malmo\",\"account\":null"),
            ("\"stage\":\"shop\"", "\"stage\":\"SHOP\""),
            ("\"sequence\":3", "\"sequence\":18446744073709551616"),
        ]
        for (original, replacement) in variants {
            #expect(payload.contains(original), "\(original)")
            let variant = Data(payload.replacingOccurrences(of: original, with: replacement).utf8)
            #expect(PlainPayload.response(variant) == nil, "\(replacement)")
        }
        #expect(PlainPayload.response(Data(payload.utf8) + Data("x".utf8)) == nil)
        #expect(PlainPayload.response(Data([0xEF, 0xBB, 0xBF]) + Data(payload.utf8)) == nil)
        var invalid = Data(payload.utf8)
        let site = try #require(payload.utf8.firstRange(of: "malmo".utf8))
        invalid[payload.utf8.distance(from: payload.utf8.startIndex, to: site.lowerBound)] = 0xFF
        #expect(PlainPayload.response(invalid) == nil)
    }

    /// Random edits of real payloads: whatever the one-pass reader accepts, the general path accepts too, as the
    /// same response.
    @Test func neverAcceptsWhatTheGeneralPathRefusesNorReadsItDifferently() throws {
        var generator = SeededGenerator(state: 2026)
        var accepted = 0
        for round in 0..<20_000 {
            let response = Self.response(&generator)
            let payload = JSONEdits.edited(try response.canonicalJSON(), using: &generator)
            guard let plain = PlainPayload.response(payload) else { continue }
            accepted += 1
            let general = Self.general(payload)
            #expect(plain == general, "round \(round): \(String(decoding: payload, as: UTF8.self))")
        }
        // Some edits keep a payload plain (inside a comment, a digit of a number): the comparison above ran.
        #expect(accepted > 100)
    }
}

/// Random small edits of JSON bytes, for comparing a one-pass reader with the general path.
enum JSONEdits {
    /// Bytes that change a JSON document's meaning or validity: structure, escapes, digits, literals, a control
    /// character, DEL, a C1 control, a byte order mark, bytes that are not UTF-8.
    static let interesting: [UInt8] = Array("{}[]:,\"\\/ 0123456789-+.eEtrufalsn\u{1}\u{7F}".utf8)
        + [0xC2, 0x85, 0xEF, 0xBB, 0xBF, 0xFF, 0x80]

    /// `data` with one to three random edits: a byte removed, inserted or replaced, or a run repeated.
    static func edited(_ data: Data, using generator: inout SeededGenerator) -> Data {
        var bytes = [UInt8](data)
        for _ in 0..<Int.random(in: 1...3, using: &generator) where !bytes.isEmpty {
            let position = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: bytes.remove(at: position)
            case 1: bytes.insert(interesting.randomElement(using: &generator) ?? 0, at: position)
            case 2: bytes[position] = interesting.randomElement(using: &generator) ?? 0
            default:
                let end = min(bytes.count, position + Int.random(in: 1...12, using: &generator))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            }
        }
        return Data(bytes)
    }
}
