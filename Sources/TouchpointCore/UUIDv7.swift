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

    /// The millisecond timestamp encoded in a UUIDv7 string, or nil if it is not one.
    public static func date(of id: String) -> Date? {
        let hex = id.replacingOccurrences(of: "-", with: "")
        guard hex.count == 32, hex.dropFirst(12).first == "7", let millis = UInt64(hex.prefix(12), radix: 16) else {
            return nil
        }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }
}
