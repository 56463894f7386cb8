import Foundation
import TouchpointCore
import TouchpointJOSE

/// The upload protocol between kiosk and collector: `POST /v1/responses`. One definition, used by both ends.
///
/// See the README's "Upload protocol" for the wire format, status codes and retry rules.
public enum UploadProtocol {
    /// The upload path.
    public static let path = "/v1/responses"
    /// The health probe path.
    public static let healthPath = "/healthz"
    /// The protocol version sent in `X-Touchpoint-Protocol` (by kiosks with every request, by collectors with every
    /// answer).
    public static let version = "1"
    /// The header both ends announce their protocol version in.
    public static let versionHeader = "X-Touchpoint-Protocol"
    /// The kiosk protocol versions a collector of this release serves (a request without the header is version 1, what
    /// kiosks sent before versions were checked).
    public static let supportedVersions: ClosedRange<Int> = 1...1

    /// Why a collector of this release cannot serve a kiosk that declares `declared`, or nil when it can.
    public static func incompatibility(declared: String?) -> String? {
        guard let declared else { return nil }
        if let number = Int(declared.trimmingCharacters(in: .whitespaces)), supportedVersions.contains(number) { return nil }
        let served = supportedVersions.count == 1
            ? "\(supportedVersions.lowerBound)" : "\(supportedVersions.lowerBound) to \(supportedVersions.upperBound)"
        let newer = Int(declared).map { $0 > supportedVersions.upperBound } ?? false
        return "this collector serves kiosk protocol \(served); the kiosk speaks \(declared): "
            + (newer ? "upgrade the collector" : "upgrade the kiosk")
            + " (the kiosk keeps its responses pending until then)"
    }

    /// The JSON coding of the protocol's bodies: compact, sorted keys, unescaped slashes.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

/// The buffer health a kiosk reports with every upload, so head office sees a site that has been offline.
public struct BufferHealth: Sendable, Hashable, Codable {
    /// Responses waiting to be sent (including those in this batch).
    public var pending: Int
    /// Responses the collector rejected, kept in `rejected/`.
    public var rejected: Int
    /// When the oldest unsent response was completed, if any is pending.
    public var oldestPendingAt: String?
    /// The kiosk's last sequence number.
    public var lastSequence: UInt64?
    /// The version of the collector's configuration (``KioskConfigDocument/version``) whose surveys the kiosk
    /// runs; nil when it runs only its local `surveys/`.
    public var configVersion: String?
    /// Why the last configuration the kiosk fetched could not be used (it keeps the last good one); nil if none.
    public var configProblem: String?
    /// The identity settings still at their built-in defaults (`site`, `kiosk`); nil or empty when none is.
    public var defaults: [String]?

    /// Creates a report.
    public init(
        pending: Int, rejected: Int, oldestPendingAt: Date? = nil, lastSequence: UInt64? = nil, configVersion: String? = nil,
        configProblem: String? = nil, defaults: [String]? = nil
    ) {
        self.pending = pending
        self.rejected = rejected
        self.oldestPendingAt = oldestPendingAt.map(Timestamp.string)
        self.lastSequence = lastSequence
        self.configVersion = configVersion
        self.configProblem = configProblem
        self.defaults = defaults
    }
}

extension BufferHealth {
    /// Decodes a report, naming the field and the value when a count is negative or a timestamp is not one
    /// (`health.lastSequence: -1 is negative`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        pending = try Self.count(Int.self, container, .pending)
        rejected = try Self.count(Int.self, container, .rejected)
        lastSequence = try container.contains(.lastSequence) && !container.decodeNil(forKey: .lastSequence)
            ? Self.count(UInt64.self, container, .lastSequence) : nil
        oldestPendingAt = try container.decodeIfPresent(String.self, forKey: .oldestPendingAt)
        if let oldestPendingAt, Timestamp.date(oldestPendingAt) == nil {
            throw DecodingError.dataCorruptedError(
                forKey: .oldestPendingAt, in: container, debugDescription: "not an ISO 8601 timestamp")
        }
        configVersion = try container.decodeIfPresent(String.self, forKey: .configVersion)
        configProblem = try container.decodeIfPresent(String.self, forKey: .configProblem)
        defaults = try container.decodeIfPresent([String].self, forKey: .defaults)
    }

    /// The whole number at `key`; a negative one is an error that says so.
    private static func count<T: FixedWidthInteger & Decodable>(
        _ type: T.Type, _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
    ) throws -> T {
        if let negative = try? container.decode(Int64.self, forKey: key), negative < 0 {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\(negative) is negative")
        }
        return try container.decode(T.self, forKey: key)
    }
}

/// The body of `POST /v1/responses`: the kiosk, its buffer health, and response files as stored on disk.
public struct UploadBatch: Sendable, Hashable, Codable {
    /// The uploading kiosk's id (as enrolled).
    public var kiosk: String
    /// The kiosk's buffer health.
    public var health: BufferHealth
    /// Flattened JWS objects, exactly as in the response files.
    public var responses: [FlattenedJWS]

    /// Creates a batch.
    public init(kiosk: String, health: BufferHealth, responses: [FlattenedJWS]) {
        self.kiosk = kiosk
        self.health = health
        self.responses = responses
    }
}

extension UploadBatch {
    /// Decodes a batch; an item that is not an object is reported as not a JWS object, at its index.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kiosk = try container.decode(String.self, forKey: .kiosk)
        health = try container.decode(BufferHealth.self, forKey: .health)
        var items = try container.nestedUnkeyedContainer(forKey: .responses)
        var responses: [FlattenedJWS] = []
        responses.reserveCapacity(items.count ?? 0)
        while !items.isAtEnd {
            do {
                responses.append(try items.decode(FlattenedJWS.self))
            } catch DecodingError.typeMismatch(_, let context) where context.codingPath.count == items.codingPath.count + 1 {
                throw DecodingError.typeMismatch(FlattenedJWS.self, context)
            }
        }
        self.responses = responses
    }
}

/// What the collector did with one item of a batch.
public enum ItemStatus: String, Sendable, Hashable, Codable {
    /// Stored durably now.
    case stored
    /// The same id with the same content was already stored: a harmless retry.
    case duplicate
    /// Never acceptable (bad signature, unknown or revoked key, invalid payload, same id with other
    /// content): move the file to `rejected/`, do not send it again.
    case rejected
    /// Not now (e.g. an unknown survey version): keep it pending and send it again later.
    case deferred

    /// Whether the kiosk may treat the response as delivered (move it to `sent/`).
    public var isDelivered: Bool { self == .stored || self == .duplicate }
}

/// The collector's answer for one item, in the same order as the batch.
public struct ItemResult: Sendable, Hashable, Codable {
    /// The item's position in the batch (0-based).
    public var index: Int
    /// The response id, when the payload could be read.
    public var id: String?
    /// What happened.
    public var status: ItemStatus
    /// Why, for `rejected` and `deferred`.
    public var reason: String?

    /// Creates a result.
    public init(index: Int, id: String?, status: ItemStatus, reason: String? = nil) {
        self.index = index
        self.id = id
        self.status = status
        self.reason = reason
    }
}

/// The body of a 200 answer to `POST /v1/responses`.
public struct UploadResult: Sendable, Hashable, Codable {
    /// One result per item, in batch order.
    public var results: [ItemResult]

    /// Creates the answer.
    public init(results: [ItemResult]) {
        self.results = results
    }

    /// Whether this answers `batch` whole: one result per item, indices 0..<n in order.
    public func answers(_ batch: UploadBatch) -> Bool {
        results.count == batch.responses.count && results.enumerated().allSatisfy { $0.offset == $0.element.index }
    }
}

/// The body of every non-200 answer: a machine-readable code and a message for people.
public struct UploadError: Sendable, Hashable, Codable {
    /// `malformed`, `too_large`, `unauthorized`, `overloaded`, …
    public var error: String
    /// What is wrong.
    public var message: String

    /// Creates an error body.
    public init(error: String, message: String) {
        self.error = error
        self.message = message
    }
}
