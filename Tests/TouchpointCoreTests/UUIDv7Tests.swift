import Foundation
import Testing
@testable import TouchpointCore

@Suite("UUIDv7")
struct UUIDv7Tests {
    static let hexDigits = Set("0123456789abcdef")

    func characters(_ id: String) -> [Character] { Array(id) }

    @Test("The id is a lowercase 8-4-4-4-12 UUID")
    func format() {
        var generator = SeededGenerator(seed: 1)
        let id = UUIDv7.make(at: t0, using: &generator)
        let chars = characters(id)
        #expect(chars.count == 36)
        for (index, char) in chars.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                #expect(char == "-", "position \(index) of \(id)")
            } else {
                #expect(Self.hexDigits.contains(char), "position \(index) of \(id)")
            }
        }
    }

    @Test("Version nibble is 7 and the variant bits are 10", arguments: [0, 1, 2, 3, 42, 1_000_000] as [UInt64])
    func versionAndVariant(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let id = UUIDv7.make(at: t0.addingTimeInterval(Double(seed)), using: &generator)
        let chars = characters(id)
        #expect(chars[14] == "7")
        let variant = try #require(UInt8(String(chars[19]), radix: 16))
        #expect(variant & 0b1100 == 0b1000)
    }

    @Test("Only the version and variant bits of the random part are overwritten")
    func bitsOverwritten() {
        var zeros = ConstantGenerator(value: 0)
        #expect(UUIDv7.make(at: Date(timeIntervalSince1970: 0), using: &zeros) == "00000000-0000-7000-8000-000000000000")
        var ones = ConstantGenerator(value: .max)
        #expect(UUIDv7.make(at: Date(timeIntervalSince1970: 0), using: &ones) == "00000000-0000-7fff-bfff-ffffffffffff")
    }

    @Test("The first 48 bits are the Unix time in milliseconds")
    func timePrefix() {
        var generator = SeededGenerator(seed: 7)
        // 0x0123456789ab ms = 1250999896491 ms
        let date = Date(timeIntervalSince1970: 1_250_999_896.491)
        let id = UUIDv7.make(at: date, using: &generator)
        #expect(id.hasPrefix("01234567-89ab-7"))
    }

    @Test("Later dates give ids that sort later")
    func ordering() {
        var generator = SeededGenerator(seed: 99)
        let dates = [0.0, 0.001, 0.002, 1, 59.999, 3600, 86_400 * 365].map { t0.addingTimeInterval($0) }
        let ids = dates.map { UUIDv7.make(at: $0, using: &generator) }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
    }

    @Test("date(of:) gives back the time to the millisecond", arguments: [
        0.0, 0.0004, 1_763_000_000.123_456, 1_763_000_000.999_9, 1_250_999_896.491, 4_102_444_800.5,
    ])
    func dateRoundTrip(seconds: Double) throws {
        var generator = SeededGenerator(seed: 5)
        let id = UUIDv7.make(at: Date(timeIntervalSince1970: seconds), using: &generator)
        let date = try #require(UUIDv7.date(of: id))
        let expectedMillis = (seconds * 1000).rounded(.down)
        #expect((date.timeIntervalSince1970 * 1000).rounded() == expectedMillis)
    }

    @Test("date(of:) refuses ids that are not version 7", arguments: [
        "0190f3b1-2c4d-4e5f-8a6b-7c8d9e0f1a2b",  // version 4
        "not-a-uuid",
        "",
        "0190f3b1-2c4d-7e5f-8a6b",
    ])
    func dateOfOther(id: String) {
        #expect(UUIDv7.date(of: id) == nil)
    }

    @Test("The same seed gives the same id; another seed changes only the random part")
    func deterministic() {
        var a = SeededGenerator(seed: 11)
        var b = SeededGenerator(seed: 11)
        var c = SeededGenerator(seed: 12)
        let first = UUIDv7.make(at: t0, using: &a)
        #expect(first == UUIDv7.make(at: t0, using: &b))
        let other = UUIDv7.make(at: t0, using: &c)
        #expect(other != first)
        #expect(other.prefix(15) == first.prefix(15))
        // A generator's next id differs from its first.
        #expect(UUIDv7.make(at: t0, using: &a) != first)
    }

    @Test func idsMadeInOneMillisecondAfterEachOtherKeepTheirOrder() {
        var generator = SeededGenerator(seed: 9)
        let instant = Date(timeIntervalSince1970: 1_800_000_000.123)
        var previous: String?
        var ids: [String] = []
        for _ in 0..<500 {
            let id = UUIDv7.make(at: instant, after: previous, using: &generator)
            ids.append(id)
            previous = id
        }
        #expect(ids == ids.sorted() && Set(ids).count == ids.count)
        #expect(ids.allSatisfy { UUIDv7.date(of: $0) == UUIDv7.date(of: ids[0]) })
        #expect(ids.allSatisfy { $0.count == 36 && Array($0)[14] == "7" && "89ab".contains(Array($0)[19]) })
        // A later millisecond is a fresh random id again.
        let later = UUIDv7.make(at: instant.addingTimeInterval(0.002), after: previous, using: &generator)
        #expect(later > ids[ids.count - 1] && later.prefix(13) != ids[0].prefix(13))
    }
}
