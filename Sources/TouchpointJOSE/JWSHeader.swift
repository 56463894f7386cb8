import Foundation

/// The protected header of a Touchpoint JWS: `alg`, `kid`, `typ` (and `crit`, which is always refused).
public struct JWSHeader: Sendable, Hashable, Codable {
    /// The signature algorithm; Touchpoint accepts only `EdDSA`.
    public var alg: String
    /// The signing key's id (its RFC 7638 thumbprint).
    public var kid: String?
    /// The media type of the whole JWS; ``FlattenedJWS/responseType`` for response files.
    public var typ: String?
    /// Critical extensions; none are understood, so a JWS that lists any is rejected.
    public var crit: [String]?

    /// Creates a header.
    public init(alg: String = FlattenedJWS.algorithm, kid: String? = nil, typ: String? = nil, crit: [String]? = nil) {
        self.alg = alg
        self.kid = kid
        self.typ = typ
        self.crit = crit
    }
}

extension JWSHeader {
    /// The header `json` holds when it is in the form every Touchpoint kiosk writes — an object of `alg`, `kid`
    /// and `typ` strings (`alg` required, each at most once) without escapes or control characters, whitespace
    /// allowed between tokens — read in one pass; nil for anything else, which `JSONDecoder` then reads (and
    /// reads the same way where this accepts).
    init?(plain json: Data) {
        let header: JWSHeader? = json.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var offset = 0
            func skipSpace() {
                while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
            }
            func take(_ byte: UInt8) -> Bool {
                skipSpace()
                guard offset < bytes.count, bytes[offset] == byte else { return false }
                offset += 1
                return true
            }
            /// A string without escapes, control characters or a leading byte order mark; nil otherwise.
            func string() -> String? {
                guard take(UInt8(ascii: "\"")) else { return nil }
                let start = offset
                while offset < bytes.count, bytes[offset] != UInt8(ascii: "\"") {
                    let byte = bytes[offset]
                    if byte < 0x20 || byte == UInt8(ascii: "\\") || byte == 0x7F || byte >= 0x80 { return nil }
                    offset += 1
                }
                guard offset < bytes.count else { return nil }
                defer { offset += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
            }
            var alg: String?, kid: String?, typ: String?
            guard take(UInt8(ascii: "{")) else { return nil }
            repeat {
                guard let key = string(), take(UInt8(ascii: ":")), let value = string() else { return nil }
                switch key {
                case "alg" where alg == nil: alg = value
                case "kid" where kid == nil: kid = value
                case "typ" where typ == nil: typ = value
                default: return nil
                }
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")), let alg else { return nil }
            skipSpace()
            guard offset == bytes.count else { return nil }
            return JWSHeader(alg: alg, kid: kid, typ: typ)
        }
        guard let header else { return nil }
        self = header
    }
}
