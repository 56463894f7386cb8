import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointProtocol
import TouchpointJOSE
import TouchpointCollectorSQLite
import TouchpointCollectorServer

@Suite("GET /v1/comments and the feed status")
struct FeedCommentsTests {
    let key = KioskKey.generate()

    struct Page: Decodable {
        var comments: [Comment]
    }

    struct Comment: Decodable, Equatable {
        var responseID: String
        var completedAt: String
        var site: String
        var kiosk: String
        var touchpoint: String
        var stage: String
        var surveyID: String
        var questionID: String
        var language: String
        var text: String
        var npsScore: Int?
        var account: String?
    }

    /// Four responses through the real ingest path: three comments (one on service), one without.
    func seed(_ storage: any TestStorage) async throws -> [SurveyResponse] {
        try await FeedFixtures.enroll(storage, key: key)
        let responses = [
            FeedFixtures.response(sequence: 1, nps: 3, comment: "Too few cars to see"),
            FeedFixtures.response(service: true, sequence: 2, nps: 9, comment: "Car washed too", account: "ACME-42"),
            FeedFixtures.response(sequence: 3, nps: 8),
            FeedFixtures.response(sequence: 4, nps: 10, comment: "Lovely staff", site: "lund"),
        ]
        #expect(try await FeedFixtures.ingest(responses, into: storage, key: key) == Array(repeating: .stored, count: 4))
        return responses
    }

    func withClient(
        _ backend: StorageBackend, _ body: @escaping @Sendable (any TestClientProtocol, any TestStorage, [SurveyResponse]) async throws -> Void
    ) async throws {
        try await withStorage(backend) { storage, _ in
            let responses = try await seed(storage)
            let admin = try await TestAccess.token(in: storage)
            let app = buildApplication(
                configuration: CollectorConfiguration(), storage: storage, surveys: try Fixtures.catalog(), logger: quietLogger)
            try await app.test(.router) { client in
                try await body(SignedInClient(client, token: admin), storage, responses)
            }
        }
    }

    func page(_ client: any TestClientProtocol, _ query: String) async throws -> [Comment] {
        let response = try await client.execute(uri: "/v1/comments" + query, method: .get)
        #expect(response.status == .ok, "\(query): \(String(buffer: response.body))")
        return try JSONDecoder().decode(Page.self, from: Data(response.body.readableBytesView)).comments
    }

    @Test(arguments: StorageBackend.available) func commentsComeNewestFirstWithTheirContext(backend: StorageBackend) async throws {
        try await withClient(backend) { client, _, responses in
            let comments = try await page(client, "")
            #expect(comments.map(\.text) == ["Lovely staff", "Car washed too", "Too few cars to see"])
            let service = comments[1]
            #expect(service == Comment(
                responseID: responses[1].id, completedAt: Timestamp.string(responses[1].completedAt), site: "malmo",
                kiosk: "kiosk-1", touchpoint: "service", stage: "own", surveyID: "service-visit", questionID: "comment",
                language: "en", text: "Car washed too", npsScore: 9, account: "ACME-42"))
            #expect(comments[2].questionID == "improve" && comments[2].npsScore == 3 && comments[2].account == nil)
        }
    }

    @Test(arguments: StorageBackend.available) func filtersAndPages(backend: StorageBackend) async throws {
        try await withClient(backend) { client, storage, responses in
            #expect(try await page(client, "?touchpoint=service").map(\.text) == ["Car washed too"])
            #expect(try await page(client, "?stage=shop").map(\.text) == ["Lovely staff", "Too few cars to see"])
            #expect(try await page(client, "?site=lund").map(\.text) == ["Lovely staff"])
            #expect(try await page(client, "?survey=retail-visit&site=malmo").map(\.text) == ["Too few cars to see"])
            // Paging by response id, and by time.
            let first = try await page(client, "?limit=1")
            #expect(first.map(\.text) == ["Lovely staff"])
            let next = try await page(client, "?limit=1&before=\(first[0].responseID)")
            #expect(next.map(\.text) == ["Car washed too"])
            let before = Timestamp.string(responses[1].completedAt)
            #expect(try await page(client, "?before=\(before)").map(\.text) == ["Too few cars to see"])
            let since = Timestamp.string(responses[1].completedAt)
            #expect(try await page(client, "?since=\(since)").map(\.text) == ["Lovely staff", "Car washed too"])
            // The dashboard's call.
            #expect(try await storage.comments(CommentQuery(limit: 10)).map(\.text) == ["Lovely staff", "Car washed too", "Too few cars to see"])
        }
    }

    @Test(arguments: StorageBackend.available) func aResponsesCommentsStayOnOnePage(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await FeedFixtures.enroll(storage, key: key)
            // A retail response cannot have two comments, so store one with two text answers directly.
            var response = FeedFixtures.response(sequence: 1, nps: 4, comment: "First thought")
            response.answers.append(Answer(question: "loved", type: .text, value: .text("Second thought")))
            _ = try await storage.ingest(try Fixtures.verified([response], key: key), health: Fixtures.health, kiosk: "kiosk-1", at: Fixtures.start)
            let page = try await storage.comments(CommentQuery(limit: 1))
            #expect(page.map(\.text) == ["First thought", "Second thought"])
        }
    }

    @Test(arguments: StorageBackend.available) func searchFindsWordsInAnyCaseWithTheOtherFilters(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await FeedFixtures.enroll(storage, key: key)
            var swedish = FeedFixtures.response(sequence: 1, nps: 3, comment: "ÅTERKOM aldrig, ingen hälsade")
            swedish.language = "sv"
            var twice = FeedFixtures.response(sequence: 2, nps: 4, comment: "First: slow")
            twice.answers.append(Answer(question: "loved", type: .text, value: .text("Second: the coffee was SLOW too")))
            let other = FeedFixtures.response(service: true, sequence: 3, nps: 5, comment: "Slow service desk")
            _ = try await storage.ingest(
                try Fixtures.verified([swedish, twice, other], key: key), health: Fixtures.health, kiosk: "kiosk-1", at: Fixtures.start)
            #expect(try await storage.comments(CommentQuery(text: "återkom")).map(\.text) == ["ÅTERKOM aldrig, ingen hälsade"])
            #expect(try await storage.comments(CommentQuery(text: "HÄLSADE")).count == 1)
            #expect(try await storage.comments(CommentQuery(text: "slow")).map(\.text)
                == ["Slow service desk", "First: slow", "Second: the coffee was SLOW too"])
            #expect(try await storage.comments(CommentQuery(touchpoint: "retail", text: "slow")).count == 2)
            #expect(try await storage.comments(CommentQuery(language: "sv", text: "slow")).isEmpty)
            #expect(try await storage.comments(CommentQuery(language: "sv")).count == 1)
            // Only matching comments, also when a page ends inside a response.
            #expect(try await storage.comments(CommentQuery(limit: 2, text: "coffee")).map(\.text) == ["Second: the coffee was SLOW too"])
            #expect(try await storage.comments(CommentQuery(limit: 2, touchpoint: "retail", text: "slow")).map(\.text)
                == ["First: slow", "Second: the coffee was SLOW too"])
            // Not a pattern: % and _ are letters like any other.
            #expect(try await storage.comments(CommentQuery(text: "%")).isEmpty)
        }
    }

    @Test(arguments: StorageBackend.available) func badParametersAreNamed(backend: StorageBackend) async throws {
        try await withClient(backend) { client, _, _ in
            for (query, parameter) in [
                ("?limit=0", "limit"), ("?limit=501", "limit"), ("?limit=ten", "limit"), ("?before=yesterday", "before"),
                ("?since=2026-13-45", "since"), ("?stage=buy", "stage"), ("?touchpiont=service", "touchpiont"),
                ("?site=", "site"),
            ] {
                let response = try await client.execute(uri: "/v1/comments" + query, method: .get)
                #expect(response.status == .badRequest, "\(query)")
                let error = try JSONDecoder().decode(UploadError.self, from: Data(response.body.readableBytesView))
                #expect(error.error == "bad_parameter")
                #expect(error.message.hasPrefix("\(parameter): "), "\(query): \(error.message)")
            }
        }
    }

    @Test(arguments: StorageBackend.available) func theStatusCountsRowsPerWebhook(backend: StorageBackend) async throws {
        try await withClient(backend) { client, storage, _ in
            let url = try #require(URL(string: "http://127.0.0.1:9/services/x"))
            let webhooks = [Webhook(name: "all", url: url), Webhook(name: "lund", url: url, route: FeedRoute(sites: ["lund"]))]
            // Started after the seed: nothing queued; two new comments queue three rows.
            #expect(try await storage.fanOut(to: webhooks, at: Fixtures.start, limit: 10).started)
            try await FeedFixtures.ingest([
                FeedFixtures.response(sequence: 5, nps: 5, comment: "Slow", site: "lund"),
                FeedFixtures.response(sequence: 6, nps: 5, comment: "Loud"),
            ], into: storage, key: key)
            let result = try await storage.fanOut(to: webhooks, at: Fixtures.start, limit: 1)
            #expect(result.responses == 1 && result.queued == 2 && result.more)
            #expect(try await storage.fanOut(to: webhooks, at: Fixtures.start, limit: 1).queued == 1)
            let entry = try #require(try await storage.nextPending(webhook: "all"))
            try await storage.record(.failed(error: "HTTP 404: no_service"), for: entry.id, at: Fixtures.start)

            let response = try await client.execute(uri: "/v1/feed/status", method: .get)
            #expect(response.status == .ok)
            let status = try JSONDecoder().decode(StatusBody.self, from: Data(response.body.readableBytesView))
            #expect(status.started)
            #expect(status.webhooks.map(\.name) == ["all", "lund"])
            #expect(status.webhooks.map(\.pending) == [1, 1] && status.webhooks.map(\.failed) == [1, 0])
            #expect(status.webhooks[0].lastError == "HTTP 404: no_service")
        }
    }

    @Test func aFailingDatabaseAnswers503() async throws {
        let app = buildApplication(
            configuration: CollectorConfiguration(), storage: FailingStorage(code: .unavailable),
            surveys: try Fixtures.catalog(), logger: quietLogger)
        try await app.test(.router) { client in
            for uri in ["/v1/comments", "/v1/feed/status"] {
                // The credentials cannot be checked either: 503, not 401.
                let response = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer some-token"])
                #expect(response.status == .serviceUnavailable, "\(uri)")
                #expect(response.headers[.retryAfter] == "\(UploadController.retryAfterSeconds)")
            }
        }
    }

    struct StatusBody: Decodable {
        struct Hook: Decodable {
            var name: String
            var pending: Int
            var delivered: Int
            var failed: Int
            var lastError: String?
        }

        var started: Bool
        var webhooks: [Hook]
    }
}
