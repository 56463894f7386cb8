import AsyncHTTPClient
import Foundation
import NIOCore
import TouchpointProtocol
import TouchpointCollector

/// Posts one outbox body to one webhook with AsyncHTTPClient and says what the answer means.
///
/// Errors it reports never contain the webhook's URL (only its host may appear).
struct WebhookPoster: Sendable {
    /// What the webhook's answer means for the row.
    enum Answer: Sendable, Hashable {
        /// 2xx.
        case delivered
        /// Connection error, timeout, 408, 425, 429 or 5xx: try again (after `after`, if the webhook said).
        case retry(reason: String, after: Duration?)
        /// Any other answer: do not try again.
        case refused(reason: String)
    }

    let client: HTTPClient
    /// How long one post (connect, send and answer) may take.
    let timeout: Duration
    let now: @Sendable () -> Date

    /// The client settings the feed uses: connect timeout, no connection retries (the outbox retries), no redirects.
    static func clientConfiguration(connectTimeout: Duration) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: TimeAmount(connectTimeout))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        return configuration
    }

    /// POSTs `body` (JSON) to `webhook`; throws only `CancellationError` when the task is cancelled.
    func post(_ body: String, to webhook: Webhook) async throws -> Answer {
        var request = HTTPClientRequest(url: webhook.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "User-Agent", value: "touchpoint-collector")
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            let status = Int(response.status.code)
            let retryAfter = response.headers.first(name: "Retry-After").flatMap { Backoff.retryAfter($0, now: now()) }
            // The status decides: a 2xx whose body is long or cut off is still delivered.
            let text = await Self.firstLine(of: response.body)
            return Self.classify(status: status, body: text, retryAfter: retryAfter)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return .retry(reason: redacted("cannot post to \(webhook.host): \(error)", webhook), after: nil)
        }
    }

    /// The first line of an answer, at most 120 characters (Slack's answers are codes such as `no_service`);
    /// the rest is read and dropped, and a body cut off gives what arrived.
    static func firstLine(of body: HTTPClientResponse.Body) async -> String {
        var bytes: [UInt8] = []
        do {
            for try await chunk in body where bytes.count < 512 {
                bytes += chunk.readableBytesView.prefix(512 - bytes.count)
            }
        } catch {
            // Keep what arrived.
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let line = text.split(separator: "\n", maxSplits: 1).first ?? ""
        return String(line.prefix(120)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// 2xx delivered; 408, 425, 429 and 5xx retried (with `retryAfter` if sent); everything else refused.
    static func classify(status: Int, body: String, retryAfter: Duration?) -> Answer {
        let reason = body.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(body)"
        switch status {
        case 200..<300: return .delivered
        case 408, 425, 429, 500...599: return .retry(reason: reason, after: retryAfter)
        default: return .refused(reason: reason)
        }
    }

    /// `text` with the webhook's URL and path cut out, in case an error description quoted them.
    func redacted(_ text: String, _ webhook: Webhook) -> String {
        var result = text.replacingOccurrences(of: webhook.url.absoluteString, with: "<\(webhook.name) url>")
        let path = webhook.url.path
        if path.count > 1 {
            result = result.replacingOccurrences(of: path, with: "/…")
        }
        if let query = webhook.url.query, !query.isEmpty {
            result = result.replacingOccurrences(of: query, with: "…")
        }
        return result
    }
}
