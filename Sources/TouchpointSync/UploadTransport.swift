import Foundation
import TouchpointProtocol

/// What became of one upload attempt, as far as the sync needs to know.
public enum UploadOutcome: Sendable, Hashable {
    /// A 200 whose body was read whole, decoded, and answers every item of the batch.
    case answered(UploadResult)
    /// Try the same batch again later: connection refused, timeout, 5xx, 429, a cut-off or invalid answer.
    /// `after` is the server's `Retry-After`, if it sent one.
    case retry(reason: String, after: Duration?)
    /// 401/403: the collector refused our token. Stop; retrying would only hammer it.
    case unauthorized(String)
    /// 413: the batch is over the collector's limit; send it in halves.
    case tooLarge
    /// Any other 4xx (e.g. 400 malformed): the collector will never take this batch as sent.
    case refused(status: Int, message: String)
    /// The collector's TLS certificate does not verify (the message names the collector and why). Stop; nothing
    /// moves, and retrying will not help until the certificate or the kiosk's `collectorCA` changes.
    case untrusted(String)
}

/// The kiosk's side of `POST /v1/responses`: sends one batch, says what happened.
///
/// ``HTTPUploadTransport`` talks to a real collector; ``InMemoryUploadTransport`` stands in for one in tests.
public protocol UploadTransport: Sendable {
    /// Sends `batch` once and classifies the result; throws only `CancellationError` (everything else is
    /// an ``UploadOutcome``).
    func upload(_ batch: UploadBatch) async throws -> UploadOutcome
    /// Whether the collector answers its health probe (`GET /healthz`) now.
    func probe() async -> Bool
    /// Asks once for the kiosk's configuration (`GET /v1/kiosk/config`), sending `ifNoneMatch` (the entity tag of
    /// the document installed) so an unchanged one is a 304; throws only `CancellationError`.
    func fetchConfig(kiosk: String, touchpoint: String?, ifNoneMatch: String?) async throws -> ConfigFetch
}

/// What asking the collector for the kiosk's configuration gave (issue 13).
public enum ConfigFetch: Sendable, Hashable {
    /// 200: the document's bytes, to be checked before anything is installed.
    case document(Data)
    /// 304: the installed document is current.
    case unchanged
    /// Not now: the collector is unreachable or failing, or too old to serve configurations (404). Nothing changes.
    case unavailable(String)
    /// 400/401/403: the collector refuses this kiosk's request (the message says why). Nothing changes.
    case refused(String)
}
