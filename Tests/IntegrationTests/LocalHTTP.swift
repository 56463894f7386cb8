import AsyncHTTPClient
import Foundation
import NIOCore

/// Plain HTTP requests to the processes a test started on 127.0.0.1 (collectors, the webhook receiver).
enum LocalHTTP {
    /// What a server answered: the status code and the body as text.
    struct Answer: CustomStringConvertible {
        var status: Int
        var body: String

        var description: String { "HTTP \(status): \(body)" }
    }

    /// `GET url`; throws when the server cannot be reached or does not answer within `timeout` seconds.
    static func get(_ url: String, token: String? = nil, timeout: Int64 = 30) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        if let token {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        return try await send(request, timeout: timeout)
    }

    /// `POST url` with `body` as text; throws like ``get(_:timeout:)``.
    static func post(_ url: String, body: String = "", contentType: String? = nil, timeout: Int64 = 30) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        if let contentType {
            request.headers.add(name: "Content-Type", value: contentType)
        }
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request, timeout: timeout)
    }

    private static func send(_ request: HTTPClientRequest, timeout: Int64) async throws -> Answer {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout))
        let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Answer(status: Int(response.status.code), body: String(buffer: body))
    }
}

/// A collector's `GET /v1/feed/status` (decoded here, not with the product's type).
struct FeedStatus: Decodable, CustomStringConvertible {
    /// One webhook's outbox counts.
    struct Webhook: Decodable {
        var name: String
        var pending: Int
        var delivered: Int
        var failed: Int
        var lastError: String?
    }

    /// Whether the feed's cursor exists: responses stored from then on are posted.
    var started: Bool
    var webhooks: [Webhook]

    /// The counts of webhook `name`; all zero when it has no rows yet.
    func webhook(_ name: String) -> Webhook {
        webhooks.first { $0.name == name } ?? Webhook(name: name, pending: 0, delivered: 0, failed: 0)
    }

    var description: String {
        "started: \(started); " + webhooks.map {
            "\($0.name): \($0.pending) pending, \($0.delivered) delivered, \($0.failed) failed"
                + ($0.lastError.map { " (last error \($0))" } ?? "")
        }.joined(separator: "; ")
    }
}

extension CollectorProcess {
    /// The collector's comment feed outbox (`GET /v1/feed/status`, an admin's API token).
    func feedStatus(token: String) async throws -> FeedStatus {
        let answer = try await LocalHTTP.get(url + "/v1/feed/status", token: token)
        guard answer.status == 200 else {
            throw FeedStatusError(answer: answer)
        }
        return try JSONDecoder().decode(FeedStatus.self, from: Data(answer.body.utf8))
    }
}

/// `GET /v1/feed/status` answered something other than 200.
struct FeedStatusError: Error, CustomStringConvertible {
    var answer: LocalHTTP.Answer

    var description: String { "GET /v1/feed/status answered \(answer)" }
}
