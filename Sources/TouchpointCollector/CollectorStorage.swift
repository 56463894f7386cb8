import Foundation
import TouchpointCore
import TouchpointProtocol
import TouchpointJOSE

/// Where the collector keeps enrolled kiosks and received responses.
///
/// The collector's storage. SQL lives only in its implementations (`SQLiteCollectorStorage` in
/// TouchpointCollectorSQLite), so another database can follow without touching verification or routes.
public protocol CollectorStorage: ReportStorage, FeedStorage, AccountStorage, AccessStorage, FleetStorage,
    FleetAlertStorage, CaseStorage, ErasureStorage, RetentionStorage, PersonalDataStorage {
    /// Enrols `jwk` as the active key of kiosk `kiosk` at `site`, with an optional bearer token hash.
    ///
    /// A kiosk has at most one active key: enrolling a second key while one is active throws `.conflict`
    /// (revoke the old one first); enrolling the same key again updates the site and token hash.
    /// A key enrolled for another kiosk, or a revoked key, throws `.conflict`; a kiosk or site id that
    /// breaks the id rule throws `.invalidID`; a JWK that is not Ed25519, or whose `kid` is not its
    /// thumbprint, throws `.invalidKey` (all checked by ``EnrolmentKey``). Returns the key id.
    @discardableResult
    func enroll(kiosk: String, site: String, jwk: PublicJWK, tokenHash: String?, at date: Date) async throws -> String

    /// Revokes the active key of `kiosk`: responses signed with it are rejected from now on.
    ///
    /// Throws `.notFound` if the kiosk has no active key. Returns the revoked key's id.
    @discardableResult
    func revoke(kiosk: String, at date: Date) async throws -> String

    /// Every enrolled kiosk with its counts, sequence gaps and last reported buffer health, sorted by id.
    func kiosks() async throws -> [KioskRecord]

    /// The enrolled keys (active or revoked) among `kids`, by key id, each with its kiosk's site; unknown ids are absent.
    func keys(_ kids: Set<String>) async throws -> [String: EnrolledKey]

    /// The SHA-256 hex hash of `kiosk`'s upload token, or nil if the kiosk has none, is not enrolled or has no active
    /// key (revoked): then its uploads, health reports included, are refused.
    func tokenHash(for kiosk: String) async throws -> String?

    /// Stores the new responses among `items` in one transaction and returns one result per item.
    ///
    /// Per item: a new id is `stored`; an id already stored with the same content hash is `duplicate`;
    /// an id stored with other content, or a (kiosk, sequence) already used by another id, is `rejected`.
    /// Items are taken in order, so a repeat within the batch is classified like a resend. The same
    /// transaction records `health` and the last-seen time of `kiosk`. Returns only after the commit:
    /// `stored` means durable. On a database failure it throws and nothing of the batch is kept.
    func ingest(_ items: [VerifiedItem], health: BufferHealth, kiosk: String, at date: Date) async throws -> [ItemResult]

    /// Proves that the storage can be written now: one small write (the single row of `health_probe`) in a
    /// committed transaction. Throws `.unavailable` (a full disk, a read-only or missing database) or
    /// `.overloaded` when it cannot; `GET /healthz` answers 503 then.
    func checkWritable() async throws

    /// Recomputes every aggregate from the raw rows in one transaction: the repair for aggregates damaged
    /// behind the storage's back (ingest keeps them exact).
    func rebuildAggregates() async throws

    /// Releases the storage (connections, files); later calls fail.
    func close() async throws
}

extension CollectorStorage {
    /// Enrols a key now; see ``CollectorStorage/enroll(kiosk:site:jwk:tokenHash:at:)``.
    @discardableResult
    public func enroll(kiosk: String, site: String, jwk: PublicJWK, tokenHash: String? = nil) async throws -> String {
        try await enroll(kiosk: kiosk, site: site, jwk: jwk, tokenHash: tokenHash, at: Date())
    }

    /// Revokes a kiosk's key now; see ``CollectorStorage/revoke(kiosk:at:)``.
    @discardableResult
    public func revoke(kiosk: String) async throws -> String {
        try await revoke(kiosk: kiosk, at: Date())
    }

    /// The enrolled key with id `kid` (active or revoked), if any.
    public func key(kid: String) async throws -> EnrolledKey? {
        try await keys([kid])[kid]
    }

    /// The kiosk with id `id`, if enrolled.
    public func kiosk(_ id: String) async throws -> KioskRecord? {
        try await kiosks().first { $0.id == id }
    }
}

/// A kiosk's public key as enrolled at the collector.
public struct EnrolledKey: Sendable, Hashable {
    /// The key id (RFC 7638 thumbprint).
    public var kid: String
    /// The kiosk the key belongs to.
    public var kiosk: String
    /// The site the kiosk is enrolled for: its responses must name it.
    public var site: String
    /// The public key.
    public var jwk: PublicJWK
    /// When it was enrolled.
    public var enrolledAt: Date
    /// When it was revoked, if it was.
    public var revokedAt: Date?

    /// Creates a key record.
    public init(kid: String, kiosk: String, site: String, jwk: PublicJWK, enrolledAt: Date, revokedAt: Date? = nil) {
        self.kid = kid
        self.kiosk = kiosk
        self.site = site
        self.jwk = jwk
        self.enrolledAt = enrolledAt
        self.revokedAt = revokedAt
    }

    /// Whether responses signed with this key are still accepted.
    public var isActive: Bool { revokedAt == nil }
}

/// A response whose signature, key and answers were checked, ready to store.
public struct VerifiedItem: Sendable, Hashable {
    /// Its position in the batch.
    public var index: Int
    /// The decoded payload.
    public var response: SurveyResponse
    /// The signed original, as received.
    public var jws: FlattenedJWS
    /// The id of the key that signed it.
    public var kid: String
    /// Lowercase hex SHA-256 of the payload bytes: equal for a resend, different for other content.
    public var contentHash: String
    /// The scale (number of points) of each CES question of the response's survey, by question id.
    ///
    /// Reports count a CES answer as easy by its scale (5–7 of 7, 4–5 of 5); a question missing here is
    /// taken as a 1–7 scale.
    public var cesPoints: [String: Int]
    /// The follow-up case the response opens when it is stored (``CaseRules/opening(for:cesPoints:at:accountOwner:)``);
    /// nil: none.
    public var followUp: CaseOpening?

    /// Creates a verified item.
    public init(
        index: Int, response: SurveyResponse, jws: FlattenedJWS, kid: String, contentHash: String,
        cesPoints: [String: Int] = [:], followUp: CaseOpening? = nil
    ) {
        self.index = index
        self.response = response
        self.jws = jws
        self.kid = kid
        self.contentHash = contentHash
        self.cesPoints = cesPoints
        self.followUp = followUp
    }

    /// The CES scales of `survey`'s questions, as ``cesPoints`` holds them.
    public static func cesPoints(of survey: Survey) -> [String: Int] {
        var points: [String: Int] = [:]
        for question in survey.questions {
            if case .ces(let scale, _) = question.kind {
                points[question.id] = scale
            }
        }
        return points
    }
}

/// One enrolled kiosk as the fleet view shows it.
public struct KioskRecord: Sendable, Hashable, Codable {
    /// The kiosk id.
    public var id: String
    /// Its site.
    public var site: String
    /// The id of its current key (the active one, or the last revoked one).
    public var kid: String
    /// When the current key was enrolled.
    public var enrolledAt: Date
    /// When the current key was revoked, if it was (no responses are accepted until a new key is enrolled).
    public var revokedAt: Date?
    /// Whether an upload token is required.
    public var hasToken: Bool
    /// When the kiosk last uploaded a batch.
    public var lastSeenAt: Date?
    /// How many responses from it are stored.
    public var responseCount: Int
    /// The highest sequence number stored (0 before the first response).
    public var highestSequence: UInt64
    /// Sequence numbers between 1 and ``highestSequence`` that never arrived, as ranges.
    public var gaps: [ClosedRange<UInt64>]
    /// The buffer health it last reported.
    public var health: BufferHealth?
    /// When it reported ``health``.
    public var healthReportedAt: Date?
    /// The configuration it was last told to run (``FleetStorage/recordConfigServed(kiosk:touchpoint:version:at:)``).
    public var config: ServedConfig?

    /// Creates a record.
    public init(
        id: String, site: String, kid: String, enrolledAt: Date, revokedAt: Date? = nil, hasToken: Bool = false,
        lastSeenAt: Date? = nil, responseCount: Int = 0, highestSequence: UInt64 = 0,
        gaps: [ClosedRange<UInt64>] = [], health: BufferHealth? = nil, healthReportedAt: Date? = nil,
        config: ServedConfig? = nil
    ) {
        self.id = id
        self.site = site
        self.kid = kid
        self.enrolledAt = enrolledAt
        self.revokedAt = revokedAt
        self.hasToken = hasToken
        self.lastSeenAt = lastSeenAt
        self.responseCount = responseCount
        self.highestSequence = highestSequence
        self.gaps = gaps
        self.health = health
        self.healthReportedAt = healthReportedAt
        self.config = config
    }

    /// How many sequence numbers are missing in total.
    public var missingCount: UInt64 {
        gaps.reduce(0) { $0 + ($1.upperBound - $1.lowerBound + 1) }
    }
}

/// The configuration a collector last told a kiosk to run.
public struct ServedConfig: Sendable, Hashable, Codable {
    /// The document's version (``TouchpointProtocol/KioskConfigDocument/version``).
    public var version: String
    /// The touchpoint the kiosk said it is at, if any.
    public var touchpoint: String?
    /// When the kiosk last asked.
    public var fetchedAt: Date

    /// Creates a record.
    public init(version: String, touchpoint: String?, fetchedAt: Date) {
        self.version = version
        self.touchpoint = touchpoint
        self.fetchedAt = fetchedAt
    }
}

/// A kiosk's enrolment checked: kiosk and site ids that follow the id rule, and an Ed25519 JWK whose `kid`
/// is its RFC 7638 thumbprint.
///
/// Every storage enrols through this, so the rules live in one place.
public struct EnrolmentKey: Sendable {
    /// The key id (the thumbprint).
    public let kid: String
    /// The JWK as stored, with `kid` set to the thumbprint.
    public let jwk: PublicJWK

    /// Checks the ids, then `jwk`; throws `.invalidID` or `.invalidKey` saying what is wrong.
    public init(_ jwk: PublicJWK, kiosk: String, site: String) throws {
        try Self.checkIDs(kiosk: kiosk, site: site)
        do {
            _ = try jwk.verifyingKey()
        } catch {
            throw CollectorError(.invalidKey, "the JWK for kiosk \(kiosk) is not an Ed25519 public key", cause: error)
        }
        let kid = jwk.thumbprint()
        if let given = jwk.kid, given != kid {
            throw CollectorError(.invalidKey, "the JWK's kid \(given) is not its RFC 7638 thumbprint \(kid)")
        }
        self.kid = kid
        self.jwk = jwk.withThumbprintID()
    }

    /// Throws `.invalidID` unless `kiosk` and `site` follow the id rule (the one survey ids follow).
    public static func checkIDs(kiosk: String, site: String) throws {
        for (value, name) in [(kiosk, "kiosk id"), (site, "site id")] {
            if let problem = Identifier.problem(value, name: name) {
                throw CollectorError(.invalidID, problem + " (the rule for survey ids)")
            }
        }
    }
}

extension ItemResult {
    /// The result for an id already stored with the same content: a resend.
    public static func duplicate(index: Int, id: String) -> ItemResult {
        ItemResult(index: index, id: id, status: .duplicate)
    }

    /// The result for an id already stored with other content.
    public static func conflictingContent(index: Int, id: String) -> ItemResult {
        ItemResult(index: index, id: id, status: .rejected,
                   reason: "same id with different content: response \(id) is already stored with other content")
    }

    /// The result for a (kiosk, sequence) already used by another response.
    public static func sequenceTaken(index: Int, id: String, kiosk: String, sequence: UInt64, by other: String) -> ItemResult {
        ItemResult(index: index, id: id, status: .rejected,
                   reason: "sequence \(sequence) of kiosk \(kiosk) is already used by response \(other)")
    }

    /// The result for a newly stored response.
    public static func stored(index: Int, id: String) -> ItemResult {
        ItemResult(index: index, id: id, status: .stored)
    }
}

extension AnswerValue {
    /// How a storage keeps an answer: a number (yes/no as 1/0) or a text (free text, option id).
    public var storedColumns: (number: Int?, text: String?) {
        switch self {
        case .number(let number): (number, nil)
        case .bool(let flag): (flag ? 1 : 0, nil)
        case .text(let text), .option(let text): (nil, text)
        }
    }
}

extension FlattenedJWS {
    /// The JWS as compact JSON text, as a storage keeps it (the response file's bytes without the final
    /// newline).
    public func storedText() throws -> String {
        if let text = plainText() {
            return text
        }
        var data = try serialized()
        if data.last == UInt8(ascii: "\n") {
            data.removeLast()
        }
        return String(decoding: data, as: UTF8.self)
    }
}
