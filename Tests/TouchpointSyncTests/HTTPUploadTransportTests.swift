import AsyncHTTPClient
import Foundation
import Testing
import TouchpointStore
@testable import TouchpointSync
import TouchpointProtocol
import TouchpointTesting

@Suite("HTTP upload transport")
struct HTTPUploadTransportTests {
    static func configuration(port: Int, token: String? = nil) throws -> HTTPUploadTransport.Configuration {
        HTTPUploadTransport.Configuration(
            collectorURL: try #require(URL(string: "http://127.0.0.1:\(port)/")), token: token,
            // Generous: no test here waits for a timeout, and a busy machine must not turn an answer into one.
            requestTimeout: .seconds(60), probeTimeout: .seconds(60))
    }

    static func answer(_ status: String, _ body: String, headers: [String] = [], length: Int? = nil) -> String {
        let head = ["HTTP/1.1 \(status)", "Content-Type: application/json", "Content-Length: \(length ?? body.utf8.count)",
                    "Connection: close"] + headers
        return head.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    @Test("only http(s) URLs with a host are accepted")
    func validatesURL() throws {
        for bad in ["ftp://example.com", "file:///tmp/x", "http://"] {
            let url = try #require(URL(string: bad))
            #expect(throws: SyncError.self) {
                _ = try HTTPUploadTransport(
                    configuration: .init(collectorURL: url), client: .shared, logger: testLogger())
            }
        }
        let good = try #require(URL(string: "https://collector.example/touchpoint/"))
        _ = try HTTPUploadTransport(configuration: .init(collectorURL: good), client: .shared, logger: testLogger())
        #expect(!"\(HTTPUploadTransport.Configuration(collectorURL: good, token: "s3cret"))".contains("s3cret"))
    }

    @Test("nothing listening: the probe says no and an upload is retryable")
    func connectionRefused() async throws {
        // Not a stopped server's port: another test's server could be given it meanwhile and answer.
        let refusing = try RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        try await HTTPUploadTransport.withTransport(configuration: Self.configuration(port: refusing.port), logger: testLogger()) {
            transport async throws in
            #expect(await transport.probe() == false)
            guard case .retry = try await transport.upload(UploadProtocolTests.batch(1)) else {
                Issue.record("connection refused must be retryable")
                return
            }
        }
    }

    @Test("a whole 200 is answered; the request carries the token, protocol version and the batch")
    func answered() async throws {
        let batch = try UploadProtocolTests.batch(2)
        let result = UploadResult(results: [
            ItemResult(index: 0, id: nil, status: .stored), ItemResult(index: 1, id: nil, status: .duplicate),
        ])
        let body = String(decoding: try UploadProtocol.encode(result), as: UTF8.self)
        let server = try CannedHTTPServer(answers: [Self.answer("200 OK", "ok"), Self.answer("200 OK", body)])
        defer { server.stop() }
        try await HTTPUploadTransport.withTransport(
            configuration: Self.configuration(port: server.port, token: "t0ken"), logger: testLogger()
        ) { transport async throws in
            #expect(await transport.probe())
            #expect(try await transport.upload(batch) == .answered(result))
        }
        let requests = server.receivedRequests
        #expect(requests.count == 2)
        #expect(requests.first?.hasPrefix("GET /healthz HTTP/1.1") == true)
        let post = try #require(requests.last)
        #expect(post.hasPrefix("POST /v1/responses HTTP/1.1"))
        #expect(post.lowercased().contains("authorization: bearer t0ken"))
        #expect(post.lowercased().contains("x-touchpoint-protocol: 1"))
        let sentBody = try #require(post.range(of: "\r\n\r\n")).upperBound
        #expect(try JSONDecoder().decode(UploadBatch.self, from: Data(post[sentBody...].utf8)) == batch)
    }

    @Test("the configuration request: kiosk, touchpoint, token and If-None-Match sent; 200, 304, 404, 401 and 503 told apart")
    func configurationFetch() async throws {
        let server = try CannedHTTPServer(answers: [
            Self.answer("200 OK", #"{"format":1}"#), Self.answer("304 Not Modified", ""), Self.answer("404 Not Found", "no route"),
            Self.answer("401 Unauthorized", #"{"error":"unauthorized","message":"wrong upload token for kiosk k-7"}"#),
            Self.answer("503 Service Unavailable", #"{"error":"unavailable","message":"retry later"}"#),
        ])
        defer { server.stop() }
        try await HTTPUploadTransport.withTransport(
            configuration: Self.configuration(port: server.port, token: "t0ken"), logger: testLogger()
        ) { transport async throws in
            #expect(try await transport.fetchConfig(kiosk: "k-7", touchpoint: "service", ifNoneMatch: nil)
                == .document(Data(#"{"format":1}"#.utf8)))
            #expect(try await transport.fetchConfig(kiosk: "k-7", touchpoint: nil, ifNoneMatch: "\"sha256:ab\"") == .unchanged)
            guard case .unavailable(let old) = try await transport.fetchConfig(kiosk: "k-7", touchpoint: nil, ifNoneMatch: nil) else {
                Issue.record("a 404 (an older collector) changes nothing")
                return
            }
            #expect(old.contains("serves no configurations"))
            #expect(try await transport.fetchConfig(kiosk: "k-7", touchpoint: nil, ifNoneMatch: nil)
                == .refused("HTTP 401 unauthorized: wrong upload token for kiosk k-7"))
            #expect(try await transport.fetchConfig(kiosk: "k-7", touchpoint: nil, ifNoneMatch: nil)
                == .unavailable("HTTP 503 unavailable: retry later"))
        }
        let requests = server.receivedRequests
        #expect(requests.first?.hasPrefix("GET /v1/kiosk/config?kiosk=k-7&touchpoint=service HTTP/1.1") == true, "\(requests)")
        #expect(requests.first?.lowercased().contains("authorization: bearer t0ken") == true)
        #expect(requests.dropFirst().first?.lowercased().contains("if-none-match: \"sha256:ab\"") == true, "\(requests)")
    }

    @Test("a 200 whose body is cut off mid-way is retried, not half-read")
    func cutOffBody() async throws {
        let batch = try UploadProtocolTests.batch(2)
        let partial = #"{"results":[{"index":0,"id":null,"status":"stored"}"#
        let server = try CannedHTTPServer(answers: [Self.answer("200 OK", partial, length: 400)])
        defer { server.stop() }
        try await HTTPUploadTransport.withTransport(configuration: Self.configuration(port: server.port), logger: testLogger()) {
            transport async throws in
            guard case .retry = try await transport.upload(batch) else {
                Issue.record("a cut-off answer must be retried")
                return
            }
        }
    }

    @Test("401 stops, 503 with Retry-After retries after it, 413 is too large, 400 is refused")
    func statuses() async throws {
        let batch = try UploadProtocolTests.batch(1)
        let server = try CannedHTTPServer(answers: [
            Self.answer("401 Unauthorized", #"{"error":"unauthorized","message":"unknown token"}"#),
            Self.answer("503 Service Unavailable", "", headers: ["Retry-After: 17"]),
            Self.answer("413 Content Too Large", ""),
            Self.answer("400 Bad Request", #"{"error":"malformed","message":"no kiosk"}"#),
        ])
        defer { server.stop() }
        try await HTTPUploadTransport.withTransport(configuration: Self.configuration(port: server.port), logger: testLogger()) {
            transport async throws in
            #expect(try await transport.upload(batch) == .unauthorized("HTTP 401 unauthorized: unknown token"))
            #expect(try await transport.upload(batch) == .retry(reason: "HTTP 503", after: .seconds(17)))
            #expect(try await transport.upload(batch) == .tooLarge)
            #expect(try await transport.upload(batch) == .refused(status: 400, message: "HTTP 400 malformed: no kiosk"))
        }
    }
}
