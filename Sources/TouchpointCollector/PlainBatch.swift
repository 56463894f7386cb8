import Foundation
import TouchpointCore
import TouchpointJOSE
import TouchpointProtocol

/// An upload body in the plain form kiosks send, read in one pass straight into an ``TouchpointProtocol/UploadBatch``.
///
/// The general path is ``StrictJSON/check(_:fields:)`` over the whole body, then `JSONDecoder`. This reader
/// accepts a subset of what that path accepts (see ``PlainJSONReader``): an object with `kiosk`, `health` and
/// `responses` once each; `health` with `pending` and `rejected`, and optionally `oldestPendingAt` (a timestamp),
/// `lastSequence`, `configVersion`, `configProblem` and `defaults` (strings); each response an object of exactly `payload`, `protected` and `signature` strings. For it,
/// it builds the same batch; for anything else it returns nil, and the general path decides and explains.
public enum PlainBatch {
    /// The batch `body` holds, or nil if it is not in the plain form.
    public static func batch(_ body: Data) -> UploadBatch? {
        PlainJSONReader.read(body) { reader throws(PlainJSONReader.NotPlain) in try reader.batch() }
    }
}

private typealias NotPlain = PlainJSONReader.NotPlain

extension PlainJSONReader {
    mutating func batch() throws(NotPlain) -> UploadBatch {
        var kiosk: String?, health: BufferHealth?, responses: [FlattenedJWS]?
        try object { reader, key throws(NotPlain) in
            if Self.equal(key, "kiosk"), kiosk == nil {
                kiosk = try reader.string()
            } else if Self.equal(key, "health"), health == nil {
                health = try reader.health()
            } else if Self.equal(key, "responses"), responses == nil {
                var items: [FlattenedJWS] = []
                try reader.array { reader throws(NotPlain) in items.append(try reader.jws()) }
                responses = items
            } else {
                throw NotPlain()
            }
        }
        guard let kiosk, let health, let responses else { throw NotPlain() }
        return UploadBatch(kiosk: kiosk, health: health, responses: responses)
    }

    mutating func health() throws(NotPlain) -> BufferHealth {
        var pending: Int?, rejected: Int?, oldestPendingAt: String?, lastSequence: UInt64?
        var configVersion: String?, configProblem: String?, defaults: [String]?
        try object { reader, key throws(NotPlain) in
            if Self.equal(key, "pending"), pending == nil {
                pending = try reader.integer()
            } else if Self.equal(key, "rejected"), rejected == nil {
                rejected = try reader.integer()
            } else if Self.equal(key, "oldestPendingAt"), oldestPendingAt == nil {
                let text = try reader.string()
                guard Timestamp.date(text) != nil else { throw NotPlain() }
                oldestPendingAt = text
            } else if Self.equal(key, "lastSequence"), lastSequence == nil {
                lastSequence = try reader.unsigned()
            } else if Self.equal(key, "configVersion"), configVersion == nil {
                configVersion = try reader.string()
            } else if Self.equal(key, "configProblem"), configProblem == nil {
                configProblem = try reader.string()
            } else if Self.equal(key, "defaults"), defaults == nil {
                var names: [String] = []
                try reader.array { reader throws(NotPlain) in names.append(try reader.string()) }
                defaults = names
            } else {
                throw NotPlain()
            }
        }
        guard let pending, let rejected else { throw NotPlain() }
        var health = BufferHealth(
            pending: pending, rejected: rejected, lastSequence: lastSequence, configVersion: configVersion,
            configProblem: configProblem, defaults: defaults)
        health.oldestPendingAt = oldestPendingAt
        return health
    }

    mutating func jws() throws(NotPlain) -> FlattenedJWS {
        var payload: String?, protected: String?, signature: String?
        try object { reader, key throws(NotPlain) in
            if Self.equal(key, "payload"), payload == nil {
                payload = try reader.string()
            } else if Self.equal(key, "protected"), protected == nil {
                protected = try reader.string()
            } else if Self.equal(key, "signature"), signature == nil {
                signature = try reader.string()
            } else {
                throw NotPlain()
            }
        }
        guard let payload, let protected, let signature else { throw NotPlain() }
        return FlattenedJWS(payload: payload, protected: protected, signature: signature)
    }
}
