import AsyncHTTPClient
import Foundation
import Logging
import NIOSSL
import TouchpointProtocol

/// ``UploadTransport`` over HTTP with AsyncHTTPClient: `POST <collector>/v1/responses`, `GET <collector>/healthz`,
/// `GET <collector>/v1/kiosk/config`.
///
/// The body of every answer is read whole before anything is decided: an answer cut off on the way is
/// ``UploadOutcome/retry(reason:after:)``, never a partial result.
///
/// Over `https://` it verifies the collector's certificate and host name against the system's CAs, or only
/// against ``Configuration/collectorCA`` when one is given; a certificate that does not verify is
/// ``UploadOutcome/untrusted(_:)``, never accepted.
public struct HTTPUploadTransport: UploadTransport {
    /// Where the collector is and how long to wait for it.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The collector's base URL, e.g. `http://127.0.0.1:8080` (a path prefix is kept).
        public var collectorURL: URL
        /// The bearer token for the upload endpoint, if the collector wants one. Never logged.
        public var token: String?
        /// How long to wait for a connection.
        public var connectTimeout: Duration
        /// How long to wait for the next bytes of an answer.
        public var readTimeout: Duration
        /// How long one whole upload (send and answer) may take.
        public var requestTimeout: Duration
        /// How long the health probe may take.
        public var probeTimeout: Duration
        /// The largest answer body read; a longer one counts as invalid.
        public var maxAnswerBytes: Int
        /// The private CA the collector's certificate must chain to (only `https://`); nil trusts the system's CAs.
        public var collectorCA: CollectorCA?

        /// Creates a configuration: connect 5 s, read 60 s, whole upload 180 s, probe 5 s, answers up to 16 MiB,
        /// the system's CAs unless `collectorCA` is given.
        public init(
            collectorURL: URL, token: String? = nil, connectTimeout: Duration = .seconds(5),
            readTimeout: Duration = .seconds(60), requestTimeout: Duration = .seconds(180),
            probeTimeout: Duration = .seconds(5), maxAnswerBytes: Int = 16 * 1024 * 1024,
            collectorCA: CollectorCA? = nil
        ) {
            self.collectorURL = collectorURL
            self.collectorCA = collectorCA
            self.token = token
            self.connectTimeout = connectTimeout
            self.readTimeout = readTimeout
            self.requestTimeout = requestTimeout
            self.probeTimeout = probeTimeout
            self.maxAnswerBytes = maxAnswerBytes
        }

        /// The collector URL, whether a token is set (never the token itself) and the CA trusted.
        public var description: String {
            "HTTPUploadTransport.Configuration(collectorURL: \(collectorURL.absoluteString), "
                + "token: \(token == nil ? "none" : "set"), collectorCA: \(collectorCA?.file ?? "system CAs"))"
        }
    }

    /// The configuration in use.
    public let configuration: Configuration
    private let client: HTTPClient
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let uploadURL: String
    private let healthURL: String
    private let configURL: String
    /// The collector's base URL as written in messages.
    private let baseURL: String

    /// Creates a transport over `client` (owned by the caller, who shuts it down; build it with
    /// ``clientConfiguration(for:)`` or use ``withTransport(configuration:logger:isolation:_:)``).
    ///
    /// Throws ``SyncError/Code/invalidConfiguration`` unless the collector URL is http(s) with a host, and
    /// `https://` when a ``Configuration/collectorCA`` is given.
    public init(
        configuration: Configuration, client: HTTPClient, logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) throws {
        let url = configuration.collectorURL
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw SyncError(
                .invalidConfiguration,
                "the collector URL must be http:// or https:// with a host, got \(url.absoluteString.debugDescription)")
        }
        if let ca = configuration.collectorCA, scheme != "https" {
            throw SyncError(
                .invalidConfiguration,
                "collectorCA (\(ca.file)) is set but the collector URL \(url.absoluteString) is not https://; "
                    + "use https:// to reach a collector that serves TLS")
        }
        var base = url.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.now = now
        uploadURL = base + UploadProtocol.path
        healthURL = base + UploadProtocol.healthPath
        configURL = base + KioskConfigDocument.path
    }

    /// The `HTTPClient` configuration for `configuration`: its timeouts, connection failures reported
    /// at once (the sync's ``Backoff`` does the retrying), and full certificate verification against the
    /// system's CAs or only the ``Configuration/collectorCA``.
    public static func clientConfiguration(for configuration: Configuration) -> HTTPClient.Configuration {
        var client = HTTPClient.Configuration()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        if let ca = configuration.collectorCA {
            tls.trustRoots = .certificates(ca.certificates)
        }
        client.tlsConfiguration = tls
        client.timeout = HTTPClient.Configuration.Timeout(
            connect: .nanoseconds(configuration.connectTimeout.nanoseconds),
            read: .nanoseconds(configuration.readTimeout.nanoseconds))
        client.connectionPool.retryConnectionEstablishment = false
        client.redirectConfiguration = .disallow
        return client
    }

    /// Runs `body` with a transport over a new `HTTPClient`, shut down when `body` returns or throws.
    public static func withTransport<Value>(
        configuration: Configuration, logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ body: (HTTPUploadTransport) async throws -> Value
    ) async throws -> Value {
        try await HTTPClient.withHTTPClient(configuration: clientConfiguration(for: configuration)) { client in
            try await body(HTTPUploadTransport(configuration: configuration, client: client, logger: logger))
        }
    }

    /// Sends `batch` once; see ``UploadOutcome`` for how answers are classified.
    public func upload(_ batch: UploadBatch) async throws -> UploadOutcome {
        let body: Data
        do {
            body = try batch.body()
        } catch {
            return .refused(status: 0, message: "cannot encode the batch: \(error)")
        }
        var request = HTTPClientRequest(url: uploadURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: UploadProtocol.versionHeader, value: UploadProtocol.version)
        if let token = configuration.token {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        request.body = .bytes(body)

        let status: Int
        let retryAfter: String?
        let answer: Data
        do {
            let response = try await client.execute(
                request, timeout: .nanoseconds(configuration.requestTimeout.nanoseconds), logger: logger)
            status = Int(response.status.code)
            retryAfter = response.headers.first(name: "Retry-After")
            guard let whole = try await Self.readWhole(response.body, limit: configuration.maxAnswerBytes) else {
                return .retry(reason: "the collector's answer is over \(configuration.maxAnswerBytes) bytes", after: nil)
            }
            answer = whole
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if let problem = certificateProblem(error) {
                return .untrusted(problem)
            }
            return .retry(reason: "cannot reach \(uploadURL) or read its answer: \(error)", after: nil)
        }
        return Self.classify(
            status: status, body: answer, retryAfter: retryAfter.flatMap { Backoff.retryAfter($0, now: now()) },
            batch: batch)
    }

    /// Whether `GET /healthz` answers 2xx within the probe timeout.
    public func probe() async -> Bool {
        let request = HTTPClientRequest(url: healthURL)
        do {
            let response = try await client.execute(
                request, timeout: .nanoseconds(configuration.probeTimeout.nanoseconds), logger: logger)
            _ = try await Self.readWhole(response.body, limit: 64 * 1024)
            return (200..<300).contains(Int(response.status.code))
        } catch {
            if let problem = certificateProblem(error) {
                logger.error("\(problem)")
            } else {
                logger.debug("collector probe failed", metadata: ["sync.reason": "\(error)"])
            }
            return false
        }
    }

    /// `GET /v1/kiosk/config?kiosk=…[&touchpoint=…]` with the upload token and `If-None-Match`, within the probe
    /// timeout for the headers and the request timeout for the whole answer (at most ``Configuration/maxAnswerBytes``).
    public func fetchConfig(kiosk: String, touchpoint: String?, ifNoneMatch: String?) async throws -> ConfigFetch {
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "kiosk", value: kiosk)]
            + (touchpoint.map { [URLQueryItem(name: "touchpoint", value: $0)] } ?? [])
        var request = HTTPClientRequest(url: configURL + (components.percentEncodedQuery.map { "?" + $0 } ?? ""))
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: UploadProtocol.versionHeader, value: UploadProtocol.version)
        if let token = configuration.token {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        if let ifNoneMatch {
            request.headers.add(name: "If-None-Match", value: ifNoneMatch)
        }
        let status: Int
        let body: Data
        do {
            let response = try await client.execute(
                request, timeout: .nanoseconds(configuration.requestTimeout.nanoseconds), logger: logger)
            status = Int(response.status.code)
            guard let whole = try await Self.readWhole(response.body, limit: configuration.maxAnswerBytes) else {
                return .unavailable("the configuration is over \(configuration.maxAnswerBytes) bytes")
            }
            body = whole
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return .unavailable(certificateProblem(error) ?? "cannot reach \(configURL) or read its answer: \(error)")
        }
        switch status {
        case 200: return .document(body)
        case 304: return .unchanged
        case 404: return .unavailable("the collector at \(baseURL) serves no configurations (an older version)")
        case 400, 401, 403: return .refused(Self.message(status: status, body: body))
        default: return .unavailable(Self.message(status: status, body: body))
        }
    }

    /// A message naming the collector and why its certificate does not verify, when `error` says it does not;
    /// nil for every other failure.
    func certificateProblem(_ error: any Error) -> String? {
        let trusted = configuration.collectorCA.map { "the collectorCA \($0.file)" } ?? "the system's CAs"
        let reason: String
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            let host = configuration.collectorURL.host ?? "?"
            reason = "it is not issued for \(host) (\(extra)); use the host name or address the certificate names"
        } else if case NIOSSLError.handshakeFailed(let failure) = error, "\(failure)".contains("CERTIFICATE_VERIFY_FAILED") {
            reason = "it is not signed by a CA this kiosk trusts (\(trusted)), or it is expired or not yet valid"
                + (configuration.collectorCA == nil ? "; set collectorCA to the collector's private CA" : "")
        } else {
            return nil
        }
        return "the collector at \(baseURL) presented a TLS certificate that does not verify: \(reason). "
            + "Nothing was sent; the responses stay pending"
    }

    /// Turns a fully read answer into an outcome.
    static func classify(status: Int, body: Data, retryAfter: Duration?, batch: UploadBatch) -> UploadOutcome {
        switch status {
        case 200:
            guard let result = try? JSONDecoder().decode(UploadResult.self, from: body) else {
                return .retry(reason: "the collector's answer was cut off or is not an upload result", after: retryAfter)
            }
            guard result.answers(batch) else {
                return .retry(
                    reason: "the collector's answer has \(result.results.count) result(s) for "
                        + "\(batch.responses.count) item(s)", after: retryAfter)
            }
            return .answered(result)
        case 401, 403:
            return .unauthorized(message(status: status, body: body))
        case 413:
            return .tooLarge
        case 408, 425, 429, 500...599:
            return .retry(reason: message(status: status, body: body), after: retryAfter)
        default:
            return .refused(status: status, message: message(status: status, body: body))
        }
    }

    /// `HTTP <status>: <message>` from an ``UploadError`` body, or the start of the body as text.
    static func message(status: Int, body: Data) -> String {
        if let error = try? JSONDecoder().decode(UploadError.self, from: body) {
            return "HTTP \(status) \(error.error): \(error.message)"
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(text)"
    }

    /// Reads every byte of `body`, or returns nil once it passes `limit`; throws if the answer is cut off.
    private static func readWhole(_ body: HTTPClientResponse.Body, limit: Int) async throws -> Data? {
        var data = Data()
        for try await chunk in body {
            guard data.count + chunk.readableBytes <= limit else { return nil }
            data.append(contentsOf: chunk.readableBytesView)
        }
        return data
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let parts = components
        let (whole, overflow) = parts.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return parts.seconds < 0 ? .min : .max }
        return whole.addingReportingOverflow(parts.attoseconds / 1_000_000_000).partialValue
    }
}
