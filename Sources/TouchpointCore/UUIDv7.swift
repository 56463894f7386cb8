import Foundation

/// Time-ordered unique ids (RFC 9562 UUID version 7): 48 bits of Unix milliseconds, then random bits.
///
/// Pure: the time and the random source are parameters.
public enum UUIDv7 {
    /// A lowercase UUIDv7 string for `date`, with random bits from `generator`.
    public static func make<G: RandomNumberGenerator>(at date: Date, using generator: inout G) -> String {
        let millis = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down)))
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(index))))
        }
        let randomA = generator.next()
        let randomB = generator.next()
        for index in 6..<16 {
            let source = index < 11 ? randomA : randomB
            bytes[index] = UInt8(truncatingIfNeeded: source >> (8 * UInt64(index % 8)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        // 8-4-4-4-12 lowercase hex digits (String(format:) per byte cost as much as signing the response).
        return Hex.lowercase(bytes[0..<4]) + "-" + Hex.lowercase(bytes[4..<6]) + "-" + Hex.lowercase(bytes[6..<8]) + "-"
            + Hex.lowercase(bytes[8..<10]) + "-" + Hex.lowercase(bytes[10..<16])
    }

    /// A UUIDv7 for `date` that sorts after `previous` (RFC 9562's monotonic method): a new random one when it does
    /// already, otherwise `previous` with its last 48 random bits plus one — two ids made in the same millisecond
    /// by one store keep their order, so the names of a kiosk's response files sort in sequence order.
    public static func make<G: RandomNumberGenerator>(at date: Date, after previous: String?, using generator: inout G) -> String {
        let fresh = make(at: date, using: &generator)
        guard let previous, fresh <= previous, previous.utf8.count == 36,
            let tail = UInt64(previous.suffix(12), radix: 16), tail < 0xFFFF_FFFF_FFFF
        else { return fresh }
        let next = String(tail + 1, radix: 16)
        return String(previous.prefix(24)) + String(repeating: "0", count: 12 - next.count) + next
    }

    /// The millisecond timestamp encoded in a UUIDv7 string, or nil if it is not one.
    public static func date(of id: String) -> Date? {
        let hex = id.replacingOccurrences(of: "-", with: "")
        guard hex.count == 32, hex.dropFirst(12).first == "7", let millis = UInt64(hex.prefix(12), radix: 16) else {
            return nil
        }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }
}
