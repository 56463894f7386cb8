import Foundation
import TouchpointCore
import TouchpointJOSE
import TouchpointStore

/// A response store in memory, for tests of the modules that record responses.
public final class InMemoryResponseStore: ResponseStore {
    /// Everything recorded, in order.
    public private(set) var responses: [StoredResponse] = []
    /// The signing key.
    public let key: KioskKey

    private var counter: UInt64 = 0
    private let now: @Sendable () -> Date
    private var generator: any RandomNumberGenerator

    /// Creates an empty store signing with `key` (a fresh key by default).
    public init(
        key: KioskKey = .generate(), now: @escaping @Sendable () -> Date = Date.init,
        generator: any RandomNumberGenerator = SystemRandomNumberGenerator()
    ) {
        self.key = key
        self.now = now
        self.generator = generator
    }

    /// Numbers and signs the response and keeps it in ``responses``.
    public func record(_ draft: ResponseDraft) throws -> StoredResponse {
        counter += 1
        let id = UUIDv7.make(at: now(), using: &generator)
        let response = SurveyResponse(draft: draft, id: id, sequence: counter)
        let payload: Data
        do {
            payload = try response.canonicalJSON()
        } catch {
            throw StoreError(.malformed, "cannot encode response \(id): \(error)")
        }
        let stored = StoredResponse(
            response: response, file: nil, envelope: try FlattenedJWS.sign(payload: payload, key: key))
        responses.append(stored)
        return stored
    }

    /// Always empty: nothing is on disk.
    public func pendingFiles() throws -> [URL] { [] }

    /// Every recorded response counts as pending.
    public func counts() throws -> BufferCounts {
        BufferCounts(pending: responses.count)
    }
}
