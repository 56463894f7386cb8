import Foundation
import Hummingbird
import Logging
import TouchpointCore
import TouchpointProtocol
import TouchpointCollector

/// The collector's HTTP routes: health probe, batch upload and fleet view.
///
/// Only this type knows about HTTP: it turns bodies into ``UploadBatch`` values and errors into status
/// codes, and leaves verification and storage to ``ResponseIngestor``.
public struct UploadController: Sendable {
    /// Seconds a kiosk is told to wait (`Retry-After`) when the database cannot take a batch.
    public static let retryAfterSeconds = 5

    let ingestor: ResponseIngestor
    let storage: any CollectorStorage
    let configuration: CollectorConfiguration
    let logger: Logger
    let now: @Sendable () -> Date
    /// The uploads being handled now, at most `configuration.maxConcurrentUploads`.
    let slots: UploadSlots
    let authentication: KioskAuthentication

    /// Creates the controller; `now` is the clock used for received and last-seen times.
    public init(
        storage: any CollectorStorage, surveys: CollectorSurveys, configuration: CollectorConfiguration,
        logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.ingestor = ResponseIngestor(
            storage: storage, surveys: surveys, caseRules: configuration.caseRules, logger: logger)
        self.storage = storage
        self.configuration = configuration
        self.logger = logger
        self.now = now
        self.slots = UploadSlots(capacity: configuration.maxConcurrentUploads)
        self.authentication = KioskAuthentication(storage: storage, logger: logger)
    }

    /// Adds `GET /healthz`, `POST /v1/responses` and `GET /v1/kiosks` to `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        // Readiness: the storage takes a small write now (a full disk or a read-only database is 503, as an
        // upload would be); `/livez` below is the cheap check that the process answers.
        router.get(RouterPath(UploadProtocol.healthPath)) { _, _ in
            do {
                try await storage.checkWritable()
                return Self.json(.ok, HealthStatus(status: "ok"))
            } catch {
                return unavailable(error, kiosk: nil)
            }
        }
        // Liveness: the process answers; nothing else is checked, so it stays cheap.
        router.get("/livez") { _, _ in
            Self.json(.ok, HealthStatus(status: "ok"))
        }
        router.post(RouterPath(UploadProtocol.path)) { request, _ in
            await upload(request)
        }
        router.get("/v1/kiosks") { _, _ in
            await kiosks()
        }
    }

    /// Handles one upload: a free slot, size limit and read deadline, strict decoding, token, then
    /// verification and storage.
    func upload(_ request: Request) async -> Response {
        guard await slots.acquire() else {
            logger.warning("upload refused: \(slots.capacity) uploads are being handled already")
            var headers = HTTPFields()
            headers[.retryAfter] = String(Self.retryAfterSeconds)
            headers[.connection] = "close"
            return Self.error(
                .serviceUnavailable, "overloaded",
                "the collector is handling \(slots.capacity) uploads already; retry later", headers: headers)
        }
        let response = await upload(holdingSlot: request)
        await slots.release()
        return response
    }

    /// The upload once it holds a slot.
    private func upload(holdingSlot request: Request) async -> Response {
        let body: Data
        switch await Self.readBody(request, limit: configuration.maxBodyBytes, deadline: configuration.readDeadline) {
        case .body(let data):
            body = data
        case .tooLarge(let message):
            return Self.error(.contentTooLarge, "too_large", message)
        case .unreadable:
            return Self.error(.badRequest, "malformed", "the body could not be read")
        case .timedOut:
            logger.warning("upload cut off: the body did not arrive within the read deadline")
            var headers = HTTPFields()
            headers[.connection] = "close"
            return Self.error(
                .requestTimeout, "timeout",
                "the body did not arrive within \(configuration.readDeadline.components.seconds) s", headers: headers)
        }
        let batch: UploadBatch
        if let plain = PlainBatch.batch(body) {
            batch = plain
        } else {
            // Not in the form kiosks send: the general reading decides, and says why it refuses.
            do throws(StrictJSON.Problem) {
                try StrictJSON.check(body)
            } catch {
                return Self.error(.badRequest, "malformed", "not an upload batch: \(error)")
            }
            do {
                batch = try JSONDecoder().decode(UploadBatch.self, from: body)
            } catch {
                return Self.error(.badRequest, "malformed", "not an upload batch: \(DecodingProblem.describe(error))")
            }
        }
        guard batch.responses.count <= configuration.maxBatchItems else {
            return Self.error(
                .contentTooLarge, "too_large",
                "the batch has \(batch.responses.count) responses; the limit is \(configuration.maxBatchItems)")
        }
        do {
            // Every upload is authenticated: the kiosk's own token, issued at enrolment. Without it nothing of the
            // batch is looked at, its health report included.
            if let refusal = try await authentication.refusal(kiosk: batch.kiosk, request: request, what: "upload") {
                return refusal
            }
            let result = try await ingestor.ingest(batch, at: now())
            return Self.json(.ok, result)
        } catch {
            return unavailable(error, kiosk: batch.kiosk)
        }
    }

    /// What reading a request body gave.
    enum BodyRead: Sendable {
        /// The whole body.
        case body(Data)
        /// Over the size limit; the message says by how much.
        case tooLarge(String)
        /// The connection failed while the body was read.
        case unreadable
        /// The body did not arrive whole within the read deadline.
        case timedOut
    }

    /// Reads `request`'s body, at most `limit` bytes, racing `deadline`: a body still arriving then is cut off.
    static func readBody(_ request: Request, limit: Int, deadline: Duration) async -> BodyRead {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            return .tooLarge("the body is \(declared) bytes; the limit is \(limit)")
        }
        let stream = request.body
        return await withTaskGroup(of: BodyRead?.self) { group in
            group.addTask {
                var body = Data()
                do {
                    for try await chunk in stream {
                        guard body.count + chunk.readableBytes <= limit else {
                            return .tooLarge("the body is over the limit of \(limit) bytes")
                        }
                        body.append(contentsOf: chunk.readableBytesView)
                    }
                } catch {
                    return Task.isCancelled ? nil : .unreadable
                }
                return Task.isCancelled ? nil : .body(body)
            }
            group.addTask {
                // Cancelled (nil) when the body came first.
                do {
                    try await Task.sleep(for: deadline)
                    return .timedOut
                } catch {
                    return nil
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .timedOut
        }
    }

    /// The fleet view: every enrolled kiosk as JSON.
    func kiosks() async -> Response {
        do {
            return Self.json(.ok, try await storage.kiosks())
        } catch {
            return unavailable(error, kiosk: nil)
        }
    }

    /// 503 with `Retry-After`: `overloaded` when the database is busy, `unavailable` otherwise.
    private func unavailable(_ error: any Error, kiosk: String?) -> Response {
        var metadata: Logger.Metadata = ["error": "\(error)"]
        if let kiosk {
            metadata["kiosk.id"] = "\(kiosk)"
        }
        logger.error("storage failed; asking the client to retry", metadata: metadata)
        var headers = HTTPFields()
        headers[.retryAfter] = String(Self.retryAfterSeconds)
        let busy = (error as? CollectorError)?.code == .overloaded
        return Self.error(
            .serviceUnavailable, busy ? "overloaded" : "unavailable",
            busy ? "the collector is busy; retry later" : "the collector cannot store responses now; retry later",
            headers: headers)
    }

    private struct HealthStatus: Codable {
        var status: String
    }

    /// A JSON response (sorted keys, timestamps as ISO 8601 with milliseconds).
    static func json(_ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.string(date))
        }
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        do {
            let data = try encoder.encode(value)
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            return Response(status: .internalServerError)
        }
    }

    /// An ``UploadError`` body with `status`.
    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) -> Response {
        json(status, UploadError(error: code, message: message), headers: headers)
    }

    /// 503 `comments_encrypted` for an error saying comments are sealed at rest and this collector cannot open them
    /// (no or another `--comment-key`); nil for any other error.
    static func sealedComments(_ error: any Error) -> Response? {
        guard let error = error as? CollectorError, error.code == .encrypted else { return nil }
        return self.error(.serviceUnavailable, "comments_encrypted", error.message)
    }
}
