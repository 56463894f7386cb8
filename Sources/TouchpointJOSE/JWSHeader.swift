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
