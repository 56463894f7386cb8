import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointJOSE
import TouchpointProtocol

/// `PlainBatch` reads a subset of what the general path (`StrictJSON.check` + `JSONDecoder`) accepts of an upload
/// body, and for that subset builds the same batch.
@Suite("Reading plain upload bodies in one pass")
struct PlainBatchTests {
    static func general(_ body: Data) -> UploadBatch? {
        do {
            try StrictJSON.check(body)
            return try JSONDecoder().decode(UploadBatch.self, from: body)
        } catch {
            return nil
        }
    }

    static func batch(_ generator: inout SeededGenerator, key: KioskKey) throws -> UploadBatch {
        let responses = try (0..<Int.random(in: 0...5, using: &generator)).map { index in
            try Fixtures.signed(Fixtures.response(sequence: UInt64(index + 1)), key: key)
        }
        let oldest = Bool.random(using: &generator)
            ? Date(timeIntervalSince1970: Double(Int64.random(in: 0...4_000_000_000_000, using: &generator)) / 1000) : nil
        let health = BufferHealth(
            pending: Int.random(in: 0...Int.max, using: &generator) >> Int.random(in: 0...62, using: &generator),
            rejected: Int.random(in: 0...50, using: &generator), oldestPendingAt: oldest,
            lastSequence: Bool.random(using: &generator) ? UInt64.random(in: 0...UInt64.max, using: &generator) : nil,
            configVersion: Bool.random(using: &generator) ? "sha256:\(UInt64.random(in: 0...UInt64.max, using: &generator))" : nil,
            configProblem: Bool.random(using: &generator) ? "config: not sealed (\u{e5})" : nil,
            defaults: [nil, [], ["site"], ["site", "kiosk"]][Int.random(in: 0...3, using: &generator)])
        return UploadBatch(kiosk: "kiosk-\(Int.random(in: 1...9, using: &generator))", health: health, responses: responses)
    }

    @Test func whatAKioskSendsIsReadAsTheGeneralPathReadsIt() throws {
        var generator = SeededGenerator(state: 5)
        let key = KioskKey.generate()
        for _ in 0..<500 {
            let batch = try Self.batch(&generator, key: key)
            let body = try UploadProtocol.encode(batch)
            let plain = try #require(PlainBatch.batch(body), "\(String(decoding: body, as: UTF8.self))")
            #expect(plain == batch)
            #expect(plain == Self.general(body))
        }
        // Response files joined as they are on disk (a newline after each) are plain too.
        let batch = try Self.batch(&generator, key: key)
        var body = Data(#"{"kiosk":"kiosk-1","health":{"pending":2,"rejected":0},"responses":["#.utf8)
        for (index, jws) in batch.responses.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(try jws.serialized())
        }
        body.append(contentsOf: "]}".utf8)
        #expect(PlainBatch.batch(body)?.responses == batch.responses)
    }

    @Test func everythingOutsideThePlainFormIsLeftToTheGeneralPath() throws {
        let key = KioskKey.generate()
        let batch = UploadBatch(
            kiosk: "kiosk-1", health: BufferHealth(pending: 3, rejected: 1, lastSequence: 9),
            responses: [try Fixtures.signed(Fixtures.response(sequence: 1), key: key)])
        let body = String(decoding: try UploadProtocol.encode(batch), as: UTF8.self)
        for (original, replacement) in [
            (#""kiosk":"kiosk-1""#, #""kiosk":"kiosk-1","extra":true"#),
            (#""kiosk":"kiosk-1""#, #""kiosk":"kiosk-1","kiosk":"kiosk-2""#),
            (#""kiosk":"kiosk-1""#, #""kiosk":"kiosk\u002d1""#),
            (#""pending":3"#, #""pending":-3"#),
            (#""pending":3"#, #""pending":3.0"#),
            (#""lastSequence":9"#, #""lastSequence":null"#),
            (#""lastSequence":9"#, #""lastSequence":9,"oldestPendingAt":"yesterday""#),
            (#""payload":""#, #""header":{},"payload":""#),
            (#""responses":["#, #""responses":[null,"#),
        ] {
            #expect(body.contains(original), "\(original)")
            let variant = Data(body.replacingOccurrences(of: original, with: replacement).utf8)
            #expect(PlainBatch.batch(variant) == nil, "\(replacement)")
        }
    }

    @Test func neverAcceptsWhatTheGeneralPathRefusesNorReadsItDifferently() throws {
        var generator = SeededGenerator(state: 77)
        let key = KioskKey.generate()
        var accepted = 0
        for round in 0..<3000 {
            let body = JSONEdits.edited(try UploadProtocol.encode(try Self.batch(&generator, key: key)), using: &generator)
            guard let plain = PlainBatch.batch(body) else { continue }
            accepted += 1
            #expect(plain == Self.general(body), "round \(round): \(String(decoding: body, as: UTF8.self))")
        }
        #expect(accepted > 100)
    }
}
