import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A Slack-like incoming-webhook receiver on 127.0.0.1: a real Hummingbird server that records every POST
/// (path, `text`, arrival time) and answers per a script.
///
/// A slow webhook is simulated without a clock: a ``Reply/held`` reply is not sent until the test calls
/// ``release()``, and the request is in ``requests`` from the moment it arrives, so the test knows the post is
/// in flight (``waitForRequests(_:)``) and decides when it ends.
final class WebhookReceiver: @unchecked Sendable {
    /// One request as it arrived.
    struct Received: Sendable {
        /// The request path (it holds the webhook's secret).
        var path: String
        /// The `text` field of the JSON body.
        var text: String
        /// When it arrived (monotonic).
        var arrivedAt: ContinuousClock.Instant
        /// The status it was answered with.
        var status: Int
    }

    /// An answer.
    struct Reply: Sendable {
        var status: Int
        var headers: [String: String] = [:]
        var body: String = "ok"
        /// Whether to hold the answer back until ``WebhookReceiver/release()`` (the request is recorded at once).
        var held = false
    }

    private let lock = NSLock()
    private var script: [Reply]
    private var fallback: Reply
    private var received: [Received] = []
    private var released = false
    private var heldReplies: [CheckedContinuation<Void, Never>] = []

    /// Answers the first requests with `script` in order, then every later one with `then`.
    init(script: [Reply] = [], then fallback: Reply = Reply(status: 200)) {
        self.script = script
        self.fallback = fallback
    }

    /// Every request so far.
    var requests: [Received] {
        lock.withLock { received }
    }

    /// The requests answered 2xx.
    var delivered: [Received] {
        requests.filter { (200..<300).contains($0.status) }
    }

    /// Waits (polling, see ``FeedFixtures/eventually(timeout:_:)``) until at least `count` requests have arrived;
    /// returns whether they did.
    func waitForRequests(_ count: Int) async throws -> Bool {
        try await FeedFixtures.eventually { requests.count >= count }
    }

    /// Sends every held answer, and from now on answers held replies at once.
    func release() {
        let waiting: [CheckedContinuation<Void, Never>] = lock.withLock {
            released = true
            defer { heldReplies.removeAll() }
            return heldReplies
        }
        for continuation in waiting {
            continuation.resume()
        }
    }

    /// Returns once ``release()`` has been called.
    private func waitForRelease() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now: Bool = lock.withLock {
                if released { return true }
                heldReplies.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Changes the answer to requests after the script.
    func answer(_ reply: Reply) {
        lock.withLock { fallback = reply }
    }

    private func reply(to path: String, text: String) -> Reply {
        lock.withLock {
            let reply = script.isEmpty ? fallback : script.removeFirst()
            received.append(Received(path: path, text: text, arrivedAt: .now, status: reply.status))
            return reply
        }
    }

    private struct Body: Decodable {
        var text: String
    }

    /// Serves on 127.0.0.1:`port` (0: a free one) while `body` runs with the bound port, then releases any
    /// held answer and stops.
    func serve<T>(port: Int = 0, _ body: (Int) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/services/**") { request, _ -> Response in
            let data = try await request.body.collect(upTo: 1 << 20)
            let text = (try? JSONDecoder().decode(Body.self, from: Data(data.readableBytesView)).text) ?? "<not a Slack body>"
            let reply = self.reply(to: request.uri.path, text: text)
            if reply.held {
                await self.waitForRelease()
            }
            var headers = HTTPFields()
            for (name, value) in reply.headers {
                if let field = HTTPField.Name(name) { headers[field] = value }
            }
            return Response(
                status: HTTPResponse.Status(code: reply.status), headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "webhook-receiver") { _ in SwiftLogNoOpLogHandler() })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let bound = await iterator.next(), bound > 0 else {
                group.cancelAll()
                throw POSIXError(.EADDRNOTAVAIL)
            }
            let result: T
            do {
                result = try await body(bound)
            } catch {
                release()
                group.cancelAll()
                try? await group.waitForAll()
                throw error
            }
            release()
            group.cancelAll()
            try? await group.waitForAll()
            return result
        }
    }

    /// A port that was free a moment ago and has nothing listening on it now (connections are refused).
}
