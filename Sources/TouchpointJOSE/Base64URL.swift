import Foundation

/// Base64url without padding (RFC 4648 §5, as JOSE uses it), encoded and decoded over bytes.
///
/// Decoding is strict: only the URL alphabet, no padding, no length that leaves one character over, and the
/// unused low bits of the last character zero, so that every value has exactly one spelling.
public enum Base64URL {
    /// The 64 characters, by value.
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The value of each byte as a base64url character, or `invalid`.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    /// The table entry of a byte that is not a base64url character (any value ≥ 64 would do).
    private static let invalid: UInt8 = 0xFF

    /// Encodes `data` as unpadded base64url.
    public static func encode(_ data: Data) -> String {
        data.withUnsafeBytes { encode($0) }
    }

    /// Encodes `bytes` as unpadded base64url.
    public static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        let count = encodedCount(bytes.count)
        guard count > 0 else { return "" }
        return alphabet.withUnsafeBufferPointer { alphabet in
            String(unsafeUninitializedCapacity: count) { out in
                var written = 0
                var index = 0
                while index + 3 <= bytes.count {
                    let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                    out[written] = alphabet[Int(group >> 18)]
                    out[written + 1] = alphabet[Int(group >> 12 & 0x3F)]
                    out[written + 2] = alphabet[Int(group >> 6 & 0x3F)]
                    out[written + 3] = alphabet[Int(group & 0x3F)]
                    written += 4
                    index += 3
                }
                switch bytes.count - index {
                case 1:
                    let group = UInt32(bytes[index]) << 16
                    out[written] = alphabet[Int(group >> 18)]
                    out[written + 1] = alphabet[Int(group >> 12 & 0x3F)]
                    written += 2
                case 2:
                    let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
                    out[written] = alphabet[Int(group >> 18)]
                    out[written + 1] = alphabet[Int(group >> 12 & 0x3F)]
                    out[written + 2] = alphabet[Int(group >> 6 & 0x3F)]
                    written += 3
                default:
                    break
                }
                return written
            }
        }
    }

    /// Decodes unpadded base64url, or returns nil if `text` is not strictly that.
    public static func decode(_ text: String) -> Data? {
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// Decodes the unpadded base64url characters in `characters` (ASCII bytes), or returns nil if they are
    /// not strictly that: a byte outside the URL alphabet, padding, a length of 4n + 1, or non-zero unused
    /// bits in the last character (a non-canonical spelling).
    public static func decode(_ characters: UnsafeRawBufferPointer) -> Data? {
        let count = characters.count
        guard count % 4 != 1 else { return nil }
        guard count > 0 else { return Data() }
        var data = Data(count: count / 4 * 3 + max(count % 4 - 1, 0))
        let valid = values.withUnsafeBufferPointer { values in
            data.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) -> Bool in
                var read = 0
                var written = 0
                var seen: UInt8 = 0
                while read + 4 <= count {
                    let a = values[Int(characters[read])], b = values[Int(characters[read + 1])]
                    let c = values[Int(characters[read + 2])], d = values[Int(characters[read + 3])]
                    seen |= a | b | c | d
                    let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    out[written] = UInt8(truncatingIfNeeded: group >> 16)
                    out[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                    out[written + 2] = UInt8(truncatingIfNeeded: group)
                    written += 3
                    read += 4
                }
                switch count - read {
                case 2:
                    let a = values[Int(characters[read])], b = values[Int(characters[read + 1])]
                    seen |= a | b
                    // The last character carries 2 bits of the byte; its other 4 must be zero.
                    guard b & 0x0F == 0 else { return false }
                    out[written] = a << 2 | b >> 4
                case 3:
                    let a = values[Int(characters[read])], b = values[Int(characters[read + 1])]
                    let c = values[Int(characters[read + 2])]
                    seen |= a | b | c
                    // The last character carries 4 bits of the second byte; its other 2 must be zero.
                    guard c & 0x03 == 0 else { return false }
                    out[written] = a << 2 | b >> 4
                    out[written + 1] = b << 4 | c >> 2
                default:
                    break
                }
                // Every character's value is below 64; `invalid` has the high bits set.
                return seen & 0xC0 == 0
            }
        }
        return valid ? data : nil
    }

    /// Whether `byte` is one of the 64 characters of base64url.
    static func isCharacter(_ byte: UInt8) -> Bool {
        values[Int(byte)] != invalid
    }

    /// The number of characters of the unpadded encoding of `byteCount` bytes.
    static func encodedCount(_ byteCount: Int) -> Int {
        byteCount / 3 * 4 + (byteCount % 3 == 0 ? 0 : byteCount % 3 + 1)
    }
}
