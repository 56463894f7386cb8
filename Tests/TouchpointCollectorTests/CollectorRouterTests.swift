import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointProtocol
import TouchpointJOSE
import TouchpointCollectorServer

@Suite("The collector's HTTP routes")
struct CollectorRouterTests {
    let key = KioskKey.generate()

    /// Runs `body` against a router-level test client over a fresh database with kiosk-1 enrolled.
    func withApp(
        configuration: CollectorConfiguration = CollectorConfiguration(), token: String = TestKiosk.uploadToken,
        storage custom: (any CollectorStorage)? = nil,
        _ body: @escaping @Sendable (any TestClientProtocol, any CollectorStorage) async throws -> Void
    ) async throws {
        try await withStorage { sqlite, _ in
            try await sqlite.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, tokenHash: CollectorToken.hash(token))
            let storage: any CollectorStorage = custom ?? sqlite
            let admin = try await TestAccess.token(in: sqlite)
            let app = buildApplication(configuration: configuration, storage: storage, surveys: try Fixtures.catalog(), logger: quietLogger)
            try await app.test(.router) { client in
                try await body(SignedInClient(client, token: admin, uploadToken: token), storage)
            }
        }
    }

    func body(_ batch: UploadBatch) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONEncoder().encode(batch))
    }

    func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
    }

    @Test func healthz() async throws {
        try await withApp { client, _ in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(String(decoding: response.body.readableBytesView, as: UTF8.self) == #"{"status":"ok"}"#)
        }
    }

    @Test("healthz is 503 with the reason when storage cannot be written; livez stays 200 without touching storage")
    func healthzReportsUnwritableStorage() async throws {
        for code in [CollectorError.Code.unavailable, .overloaded] {
            // Probes come without credentials: both routes are open.
            let app = buildApplication(
                configuration: CollectorConfiguration(), storage: FailingStorage(code: code), surveys: try Fixtures.catalog(),
                logger: quietLogger)
            try await app.test(.router) { client in
                let health = try await client.execute(uri: "/healthz", method: .get)
                #expect(health.status == .serviceUnavailable)
                #expect(health.headers[.retryAfter] == "5")
                let error = try decode(UploadError.self, health.body)
                #expect(error.error == (code == .overloaded ? "overloaded" : "unavailable"))
                #expect(!error.message.isEmpty)
                let live = try await client.execute(uri: "/livez", method: .get)
                #expect(live.status == .ok)
                #expect(String(decoding: live.body.readableBytesView, as: UTF8.self) == #"{"status":"ok"}"#)
            }
        }
    }

    @Test func malformedBodyIs400WithThePath() async throws {
        try await withApp { client, _ in
            let notJSON = try await client.execute(uri: "/v1/responses", method: .post, body: ByteBuffer(string: "hello"))
            #expect(notJSON.status == .badRequest)
            #expect(try decode(UploadError.self, notJSON.body).error == "malformed")

            let wrongShape = #"{"kiosk":"kiosk-1","health":{"pending":1,"rejected":0},"responses":[{"payload":"a","protected":"b"}]}"#
            let response = try await client.execute(uri: "/v1/responses", method: .post, body: ByteBuffer(string: wrongShape))
            #expect(response.status == .badRequest)
            let error = try decode(UploadError.self, response.body)
            #expect(error.error == "malformed")
            #expect(error.message.contains("responses[0].signature"), "\(error.message)")
        }
    }

    @Test func aKioskSpeakingAnotherProtocolIsRefusedBeforeAnythingIsReadAndEveryAnswerNamesOurs() async throws {
        let batch = UploadBatch(kiosk: "kiosk-1", health: Fixtures.health, responses: try Fixtures.batch(key: key, sequences: 1...2))
        let buffer = try body(batch)
        let header = try #require(HTTPField.Name("X-Touchpoint-Protocol"))
        try await withApp { client, storage in
            for (declared, says) in [("2", "upgrade the collector"), ("0", "upgrade the kiosk"), ("v1", "upgrade the kiosk")] {
                let response = try await client.execute(
                    uri: "/v1/responses", method: .post, headers: [header: declared], body: buffer)
                #expect(response.status == .badRequest)
                let error = try decode(UploadError.self, response.body)
                #expect(error.error == "unsupported_protocol" && error.message.contains(says) && error.message.contains("pending"), "\(error.message)")
                #expect(response.headers[header] == "1")
            }
            #expect(try await storage.kiosk("kiosk-1")?.responseCount == 0)
            // Our own version, and none at all (kiosks from before the check), are served.
            for headers in [[header: "1"], [:]] as [HTTPFields] {
                let health = try await client.execute(uri: "/healthz", method: .get, headers: headers)
                #expect(health.status == .ok && health.headers[header] == "1")
            }
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        var configuration = CollectorConfiguration()
        configuration.maxBodyBytes = 2048
        let batch = UploadBatch(kiosk: "kiosk-1", health: Fixtures.health, responses: try Fixtures.batch(key: key, sequences: 1...4))
        let buffer = try body(batch)
        #expect(buffer.readableBytes > 2048)
        try await withApp(configuration: configuration) { client, storage in
            let response = try await client.execute(uri: "/v1/responses", method: .post, body: buffer)
            #expect(response.status == .contentTooLarge)
            #expect(try decode(UploadError.self, response.body).error == "too_large")
            #expect(try await storage.kiosk("kiosk-1")?.responseCount == 0)
        }
    }

    @Test func tooManyItemsIs413() async throws {
        var configuration = CollectorConfiguration()
        configuration.maxBatchItems = 2
        let batch = UploadBatch(kiosk: "kiosk-1", health: Fixtures.health, responses: try Fixtures.batch(key: key, sequences: 1...3))
        let buffer = try body(batch)
        try await withApp(configuration: configuration) { client, _ in
            let response = try await client.execute(uri: "/v1/responses", method: .post, body: buffer)
            #expect(response.status == .contentTooLarge)
            #expect(try decode(UploadError.self, response.body).error == "too_large")
        }
    }

    @Test func tokenedKioskNeedsTheRightBearerToken() async throws {
        let token = CollectorToken.generate()
        let batch = UploadBatch(kiosk: "kiosk-1", health: Fixtures.health, responses: try Fixtures.batch(key: key, sequences: 1...2))
        let buffer = try body(batch)
        try await withApp(token: token) { client, storage in
            // A kiosk's upload is authenticated by its own token only: no bearer token at all …
            let missing = try await client.execute(uri: "/v1/responses", method: .post, headers: [.authorization: "Basic eDp5"], body: buffer)
            #expect(missing.status == .unauthorized)
            #expect(try decode(UploadError.self, missing.body).error == "unauthorized")

            let wrong = try await client.execute(
                uri: "/v1/responses", method: .post, headers: [.authorization: "Bearer \(CollectorToken.generate())"], body: buffer)
            #expect(wrong.status == .unauthorized)
            #expect(try await storage.kiosk("kiosk-1")?.responseCount == 0)

            let right = try await client.execute(
                uri: "/v1/responses", method: .post, headers: [.authorization: "Bearer \(token)"], body: buffer)
            #expect(right.status == .ok)
            #expect(try decode(UploadResult.self, right.body).results.map(\.status) == [.stored, .stored])
        }
    }

    @Test func revokedOrUnknownKiosksAreRefusedAndTheirHealthIgnored() async throws {
        try await withApp { client, storage in
            // A forged health report for a kiosk that is not enrolled: 401, nothing recorded.
            let forged = UploadBatch(kiosk: "kiosk-x", health: BufferHealth(pending: 999_999, rejected: 0), responses: [])
            let unknown = try await client.execute(uri: "/v1/responses", method: .post, body: try body(forged))
            #expect(unknown.status == .unauthorized)
            #expect(try await storage.kiosk("kiosk-x") == nil)

            // A revoked kiosk with its (once valid) token: 401, its health report ignored.
            try await storage.revoke(kiosk: "kiosk-1")
            let report = UploadBatch(kiosk: "kiosk-1", health: BufferHealth(pending: 999_999, rejected: 0), responses: [])
            let revoked = try await client.execute(uri: "/v1/responses", method: .post, body: try body(report))
            #expect(revoked.status == .unauthorized)
            #expect(try await storage.kiosk("kiosk-1")?.health == nil)
        }
    }

    @Test func happyBatchThenTheSameBatchAgain() async throws {
        let responses = try Fixtures.batch(key: key, sequences: 1...5)
        let batch = UploadBatch(kiosk: "kiosk-1", health: Fixtures.health, responses: responses)
        let buffer = try body(batch)
        try await withApp { client, storage in
            let first = try await client.execute(uri: "/v1/responses", method: .post, body: buffer)
            #expect(first.status == .ok)
            let result = try decode(UploadResult.self, first.body)
            #expect(result.answers(batch))
            #expect(result.results.map(\.status) == Array(repeating: .stored, count: 5))

            let second = try await client.execute(uri: "/v1/responses", method: .post, body: buffer)
            #expect(second.status == .ok)
            #expect(try decode(UploadResult.self, second.body).results.map(\.status) == Array(repeating: .duplicate, count: 5))

            let kiosks = try await client.execute(uri: "/v1/kiosks", method: .get)
            #expect(kiosks.status == .ok)
            let text = String(decoding: kiosks.body.readableBytesView, as: UTF8.self)
            #expect(text.contains(#""responseCount":5"#), "\(text)")
            #expect(text.contains(#""highestSequence":5"#))
            #expect(!text.contains("token_hash") && !text.contains("tokenHash"))
            #expect(text.contains(#""lastSeenAt":"20"#), "timestamps are ISO 8601: \(text)")
            let records = try decode([[String: JSONValue]].self, kiosks.body)
            #expect(records.first?["gaps"] == .array([]))
            #expect(try await storage.kiosk("kiosk-1")?.health == Fixtures.health)
        }
    }

    @Test func anUnenrolledKioskGets401AndNothingIsStored() async throws {
        let stranger = KioskKey.generate()
        let batch = UploadBatch(kiosk: "kiosk-7", health: Fixtures.health, responses: try Fixtures.batch(kiosk: "kiosk-7", key: stranger, sequences: 1...2))
        let buffer = try body(batch)
        try await withApp { client, storage in
            // Not enrolled here: no upload token can be right, so the batch is refused whole (the kiosk keeps it pending).
            let response = try await client.execute(uri: "/v1/responses", method: .post, body: buffer)
            #expect(response.status == .unauthorized)
            #expect(try decode(UploadError.self, response.body).message.contains("kiosk kiosk-7 has no upload token here"))
            #expect(try await storage.kiosk("kiosk-7") == nil)
        }
    }

    @Test func storageFailureIs503WithRetryAfter() async throws {
        let batch = UploadBatch(kiosk: "kiosk-1", health: Fixtures.health, responses: try Fixtures.batch(key: key, sequences: 1...2))
        let buffer = try body(batch)
        try await withApp(storage: FailingStorage(code: .overloaded)) { client, _ in
            let response = try await client.execute(uri: "/v1/responses", method: .post, body: buffer)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "5")
            #expect(try decode(UploadError.self, response.body).error == "overloaded")
        }
        try await withApp(storage: FailingStorage(code: .unavailable)) { client, _ in
            let response = try await client.execute(uri: "/v1/responses", method: .post, body: buffer)
            #expect(response.status == .serviceUnavailable)
            #expect(try decode(UploadError.self, response.body).error == "unavailable")
            let kiosks = try await client.execute(uri: "/v1/kiosks", method: .get)
            #expect(kiosks.status == .serviceUnavailable)
        }
    }
}

/// Storage whose every call fails, as a full disk or a locked database would.
struct FailingStorage: CollectorStorage {
    var code: CollectorError.Code

    func fail() -> CollectorError { CollectorError(code, "the database is not there") }
    func enroll(kiosk: String, site: String, jwk: PublicJWK, tokenHash: String?, at date: Date) async throws -> String { throw fail() }
    func revoke(kiosk: String, at date: Date) async throws -> String { throw fail() }
    func kiosks() async throws -> [KioskRecord] { throw fail() }
    func keys(_ kids: Set<String>) async throws -> [String: EnrolledKey] { throw fail() }
    func tokenHash(for kiosk: String) async throws -> String? { throw fail() }
    func ingest(_ items: [VerifiedItem], health: BufferHealth, kiosk: String, at date: Date) async throws -> [ItemResult] { throw fail() }
    func rebuildAggregates() async throws { throw fail() }
    func checkWritable() async throws { throw fail() }
    func close() async throws {}
    func addUser(_ user: UserRecord) async throws { throw fail() }
    func user(named name: String) async throws -> UserRecord? { throw fail() }
    func users() async throws -> [UserRecord] { throw fail() }
    func removeUser(named name: String) async throws -> Bool { throw fail() }
    func recordLogin(user name: String, at date: Date) async throws { throw fail() }
    func addAPIToken(_ token: APITokenRecord) async throws { throw fail() }
    func apiToken(hash tokenHash: String) async throws -> APITokenRecord? { throw fail() }
    func apiTokens() async throws -> [APITokenRecord] { throw fail() }
    func revokeAPIToken(named name: String, at date: Date) async throws -> Bool { throw fail() }
    func recordAPITokenUse(named name: String, at date: Date) async throws { throw fail() }
    func putSession(idHash: String, user: String, value: String, expiresAt: Date) async throws { throw fail() }
    func session(idHash: String, now: Date) async throws -> (value: String, expiresAt: Date)? { throw fail() }
    func removeSession(idHash: String) async throws { throw fail() }
    func removeExpiredSessions(now: Date) async throws -> Int { throw fail() }
    func recordAudit(_ event: AuditEvent) async throws { throw fail() }
    func auditLog(since: Date?, limit: Int) async throws -> [AuditEvent] { throw fail() }
    func publish(_ surveys: [PublishedSurvey]) async throws -> [PublishOutcome] { throw fail() }
    func publishedSurveys() async throws -> [PublishedSurvey] { throw fail() }
    func assign(_ assignment: SurveyAssignment, at date: Date, by actor: String) async throws -> Bool { throw fail() }
    func unassign(_ assignment: SurveyAssignment) async throws -> Bool { throw fail() }
    func setSiteSettings(_ settings: KioskSettings?, site: String, at date: Date, by actor: String) async throws -> Bool { throw fail() }
    func fleetPlan() async throws -> FleetPlan { throw fail() }
    func configTarget(kiosk: String) async throws -> (site: String, served: ServedConfig?)? { throw fail() }
    func recordConfigServed(kiosk: String, touchpoint: String?, version: String, at date: Date) async throws { throw fail() }
}

/// Enough of JSON to compare a decoded member.
enum JSONValue: Decodable, Equatable {
    case string(String), number(Double), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}
