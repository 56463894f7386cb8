import Foundation
import TouchpointCore
import TouchpointJOSE
import TouchpointProtocol
import TouchpointStore
import TouchpointSync

/// An ``UploadTransport`` that stands in for a collector in memory, for tests.
///
/// By default it behaves like a collector that accepts everything: the first time it sees a response id
/// it answers `stored`, afterwards `duplicate`, and an item whose payload is not a response is `rejected`.
/// A `script` can answer instead (return nil to fall back to the default), which is how tests simulate
/// outages, cut-off answers, 401s and per-item verdicts. Every batch received is recorded.
public final class InMemoryUploadTransport: UploadTransport, @unchecked Sendable {
    /// Decides the answer to the `call`-th upload (1-based); nil means "answer as the default collector".
    public typealias Script = @Sendable (_ batch: UploadBatch, _ call: Int) async throws -> UploadOutcome?

    private let lock = NSLock()
    private var batches: [UploadBatch] = []
    private var storedResponses: [String: FlattenedJWS] = [:]
    private var isReachable: Bool
    private var probes = 0
    private var served: (body: Data, entityTag: String)?
    private var configFetches: [String?] = []
    private let script: Script
    private let maxBodyBytes: Int?

    /// Creates the fake; `maxBodyBytes` answers `.tooLarge` to a batch whose JSON is longer.
    public init(reachable: Bool = true, maxBodyBytes: Int? = nil, script: @escaping Script = { _, _ in nil }) {
        isReachable = reachable
        self.maxBodyBytes = maxBodyBytes
        self.script = script
    }

    /// Every batch received, in order (including ones answered with an error).
    public var receivedBatches: [UploadBatch] {
        lock.withLock { batches }
    }

    /// The ids of the responses stored so far.
    public var storedIDs: Set<String> {
        lock.withLock { Set(storedResponses.keys) }
    }

    /// How many times ``probe()`` was called.
    public var probeCount: Int {
        lock.withLock { probes }
    }

    /// What ``probe()`` answers.
    public var reachable: Bool {
        get { lock.withLock { isReachable } }
        set { lock.withLock { isReachable = newValue } }
    }

    /// What ``fetchConfig(kiosk:touchpoint:ifNoneMatch:)`` answers: a document's bytes and its entity tag (a 304
    /// when the request names that tag), or nil for a collector that serves no configuration.
    public var configuration: (body: Data, entityTag: String)? {
        get { lock.withLock { served } }
        set { lock.withLock { served = newValue } }
    }

    /// Every configuration request's `If-None-Match`, in order (nil for none).
    public var configRequests: [String?] {
        lock.withLock { configFetches }
    }

    public func fetchConfig(kiosk: String, touchpoint: String?, ifNoneMatch: String?) async throws -> ConfigFetch {
        lock.withLock {
            configFetches.append(ifNoneMatch)
            guard isReachable else { return .unavailable("not reachable") }
            guard let served else { return .unavailable("HTTP 404") }
            return ifNoneMatch == served.entityTag ? .unchanged : .document(served.body)
        }
    }

    /// Records `batch`, then answers with the script or, failing that, as an accept-all collector.
    public func upload(_ batch: UploadBatch) async throws -> UploadOutcome {
        let call = lock.withLock {
            batches.append(batch)
            return batches.count
        }
        if let scripted = try await script(batch, call) {
            return scripted
        }
        if let maxBodyBytes, let body = try? UploadProtocol.encode(batch), body.count > maxBodyBytes {
            return .tooLarge
        }
        return .answered(store(batch))
    }

    /// Answers `batch` as an accept-all collector would and remembers what it stored.
    public func store(_ batch: UploadBatch) -> UploadResult {
        lock.withLock {
            UploadResult(results: batch.responses.enumerated().map { index, envelope in
                guard let payload = try? envelope.unverifiedPayload(),
                    let response = try? SurveyResponse.decode(payload)
                else {
                    return ItemResult(index: index, id: nil, status: .rejected, reason: "payload is not a survey response")
                }
                if storedResponses[response.id] != nil {
                    return ItemResult(index: index, id: response.id, status: .duplicate)
                }
                storedResponses[response.id] = envelope
                return ItemResult(index: index, id: response.id, status: .stored)
            })
        }
    }

    /// Whether the fake is reachable.
    public func probe() async -> Bool {
        lock.withLock {
            probes += 1
            return isReachable
        }
    }
}
