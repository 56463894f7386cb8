import Foundation
import Testing
import TouchpointCore

/// The payload and timestamp texts written without Foundation's encoders are the bytes Foundation writes.
@Suite("Canonical payloads and timestamps written directly")
struct CanonicalJSONTests {
    static func text(_ generator: inout SeededGenerator, maximum: Int) -> String {
        let pieces = [
            "a", "Z", "7", " ", "å", "ö", "É", "ß", "\"", "\\", "/", "😀", "👍🏽", "中", "'", "<", "&", "é", "-", ".",
            "\u{7F}", "\u{80}", "\u{9F}", "\u{A0}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFD}", "e\u{301}",
        ]
        let length = Int.random(in: 0...maximum, using: &generator)
        return (0..<length).map { _ in pieces.randomElement(using: &generator) ?? "a" }.joined()
    }

    static func response(_ generator: inout SeededGenerator) -> SurveyResponse {
        let answers = (0..<Int.random(in: 0...6, using: &generator)).map { index -> Answer in
            let type = QuestionType.allCases.randomElement(using: &generator) ?? .nps
            let value: AnswerValue
            switch type {
            case .nps, .ces, .csat: value = .number(Int.random(in: Int.min...Int.max, using: &generator) >> Int.random(in: 0...62, using: &generator))
            case .yesno: value = .bool(Bool.random(using: &generator))
            case .choice: value = .option(text(&generator, maximum: 8))
            case .text: value = .text(text(&generator, maximum: 300))
            }
            return Answer(question: text(&generator, maximum: 10), type: type, value: value)
        }
        let started = Date(timeIntervalSince1970: Double(Int64.random(in: -62_000_000_000_000...253_000_000_000_000, using: &generator)) / 1000)
        let draft = ResponseDraft(
            survey: SurveyReference(
                id: text(&generator, maximum: 12), version: Int.random(in: Int.min...Int.max, using: &generator),
                digest: text(&generator, maximum: 12)),
            site: text(&generator, maximum: 12), kiosk: text(&generator, maximum: 12), touchpoint: text(&generator, maximum: 12),
            stage: Bool.random(using: &generator) ? .shop : .own, language: text(&generator, maximum: 3),
            startedAt: started, completedAt: started.addingTimeInterval(Double.random(in: 0...1_000_000, using: &generator)),
            answers: answers, status: Bool.random(using: &generator) ? .complete : .partial,
            suspect: Bool.random(using: &generator), mode: Bool.random(using: &generator) ? .attended : .unattended,
            account: Bool.random(using: &generator) ? text(&generator, maximum: 20) : nil, appVersion: text(&generator, maximum: 10))
        return SurveyResponse(draft: draft, id: text(&generator, maximum: 36), sequence: UInt64.random(in: 0...UInt64.max, using: &generator))
    }

    @Test func theDirectPayloadIsTheBytesJSONEncoderWrites() throws {
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<5000 {
            let response = Self.response(&generator)
            let direct = try response.canonicalJSON()
            let encoded = try response.encodedCanonicalJSON()
            #expect(direct == encoded, "\(String(decoding: direct, as: UTF8.self))\n\(String(decoding: encoded, as: UTF8.self))")
        }
    }

    @Test func aControlCharacterLeavesThePayloadToJSONEncoder() throws {
        var generator = SeededGenerator(seed: 7)
        var response = Self.response(&generator)
        for control in ["\u{0}", "\n", "\t", "\u{1F}", "\u{8}", "\u{C}"] {
            response.appVersion = "1.0" + control
            let text = String(decoding: try response.canonicalJSON(), as: UTF8.self)
            #expect(try response.canonicalJSON() == response.encodedCanonicalJSON())
            #expect(!text.contains(control), "a raw control character in \(text.debugDescription)")
        }
    }

    /// What `Timestamp.string` wrote before it was written directly: Foundation's ISO 8601 style.
    static func foundationTimestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
        return whole.dropLast() + String(format: ".%03dZ", Int(millis - seconds * 1000))
    }

    @Test func timestampsAreTheTextFoundationWrites() {
        var generator = SeededGenerator(seed: 1970)
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -0.0005), Date(timeIntervalSince1970: 951_782_400),
                     Date(timeIntervalSince1970: 4_107_542_400), Date(timeIntervalSince1970: 253_402_300_799.999),
                     Date(timeIntervalSince1970: -62_135_596_800)]
        for _ in 0..<20_000 {
            dates.append(Date(timeIntervalSince1970: Double.random(in: -62_135_596_800...253_402_300_799, using: &generator)))
        }
        for date in dates {
            let text = Timestamp.string(date)
            #expect(text == Self.foundationTimestamp(date), "\(date.timeIntervalSince1970)")
            #expect(Timestamp.date(text).map(Timestamp.string) == text)
            #expect(Timestamp.date(text) == Self.foundationDate(text), "\(text)")
        }
        // Out of range or another form: read as Foundation reads it (or not at all).
        for text in ["2026-02-30T10:00:00.000Z", "2026-13-01T10:00:00.000Z", "2026-11-30T24:00:00.000Z",
                     "2026-11-30T10:00:60.000Z", "2026-11-30T10:00:00Z", "2026-11-30T10:00:00.5Z", "1500-01-01T00:00:00.000Z",
                     "2026-11-30 10:00:00.000Z", "2026-11-30T10:00:00.000+01:00", "+026-11-30T10:00:00.000Z"] {
            #expect(Timestamp.date(text) == Self.foundationDate(text), "\(text)")
        }
    }

    /// What `Timestamp.date` read before it read the usual form itself: Foundation's ISO 8601 parser, rounded
    /// to the millisecond.
    static func foundationDate(_ text: String) -> Date? {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        guard let parsed = (try? style.parse(text)) ?? (try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text)) else {
            return nil
        }
        return Date(timeIntervalSince1970: (parsed.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    @Test func civilDaysRoundTrip() {
        for number in stride(from: Int64(-800_000), through: 3_000_000, by: 97) {
            let (year, month, day) = CivilTime.civil(number)
            #expect(CivilTime.days(year: year, month: month, day: day) == number)
        }
        #expect(CivilTime.civil(0) == (1970, 1, 1))
        #expect(CivilTime.civil(11_016) == (2000, 2, 29))
        #expect(CivilTime.padded(7, width: 4) == "0007")
        #expect(CivilTime.padded(-7, width: 4) == "-007")
        #expect(CivilTime.padded(12345, width: 4) == "12345")
        #expect(CivilTime.text(milliseconds: 86_399_999, separator: UInt8(ascii: " ")) == "1970-01-01 23:59:59.999")
        #expect(CivilTime.text(milliseconds: -1, separator: UInt8(ascii: "T"), suffix: UInt8(ascii: "Z")) == "1969-12-31T23:59:59.999Z")
        #expect(CivilTime.text(milliseconds: -12_275_000_000_000, separator: UInt8(ascii: "T")) == nil)
    }
}
