import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOCore
import Testing
import TouchpointCollector
import TouchpointCollectorServer
import TouchpointCore
import TouchpointJOSE

/// Personal data in comments is masked in every outlet unless an admin (or a webhook configured so) asks for it
/// (issue 15).
@Suite("Personal data masked in every outlet")
struct PersonalDataOutletTests {
    static let comment = "Ring 070-123 45 67 eller mejla anna@example.se"
    static let masked = "Ring [phone] eller mejla [email]"

    func text(_ response: TestResponse) -> String {
        String(decoding: response.body.readableBytesView, as: UTF8.self)
    }

    @Test func feedPostsMaskUnlessTheWebhookShowsPersonalData() throws {
        let response = FeedEvent(
            kind: .comment, responseID: "019a0000-0000-7000-8000-000000000001", completedAt: Fixtures.start, site: "malmo",
            kiosk: "kiosk-1", touchpoint: "retail", stage: .shop, surveyID: "retail-visit", language: "sv",
            scores: [FeedEvent.Score(type: .nps, value: 3)], comments: [FeedEvent.Comment(question: "improve", text: Self.comment)])
        let url = try #require(URL(string: "https://hooks.example.com/x"))
        let masked = try #require(FeedEvent.events(for: response, webhook: Webhook(name: "cx", url: url)).first)
        #expect(masked.message.contains("> " + Self.masked) && !masked.message.contains("anna@example.se"))
        var open = Webhook(name: "dpo", url: url)
        open.showsPersonalData = true
        #expect(try #require(FeedEvent.events(for: response, webhook: open).first).message.contains("> " + Self.comment))
        let yaml = "webhooks:\n  - name: dpo\n    url: https://hooks.example.com/x\n    personalData: show\n  - name: cx\n    url: https://hooks.example.com/y\n"
        let configuration = try FeedConfiguration.parse(yaml: yaml, file: "feed.yaml")
        #expect(configuration.webhooks.map(\.showsPersonalData) == [true, false])
        #expect(throws: YAMLFileError.self) {
            try FeedConfiguration.parse(yaml: "webhooks:\n  - name: x\n    url: https://h.example.com/x\n    personalData: yes\n", file: "feed.yaml")
        }
    }

    @Test func theExportMasksCommentsAndCountsThem() {
        let answer = ExportedAnswer(
            responseID: "019a0000-0000-7000-8000-000000000001", completedAt: Fixtures.start, site: "malmo", kiosk: "kiosk-1",
            touchpoint: "retail", stage: "shop", survey: "retail-visit", surveyVersion: 1, language: "sv", account: nil,
            status: "complete", suspect: false, position: 1, question: "improve", type: "text", value: Self.comment)
        var writer = AnswerCSVWriter()
        #expect(writer.records([answer]).contains(Self.masked))
        #expect(writer.masked == [.phone: 1, .email: 1])
        var raw = AnswerCSVWriter(maskingPersonalData: false)
        #expect(raw.records([answer]).contains(Self.comment) && raw.masked.isEmpty)
    }

    @Test(arguments: StorageBackend.available) func routesMaskForAnalystsAndShowAdminsOnRequest(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let key = KioskKey.generate()
            try await FeedFixtures.enroll(storage, key: key)
            let responses = [FeedFixtures.response(sequence: 1, nps: 3, comment: Self.comment)]
            try await FeedFixtures.ingest(responses, into: storage, key: key)
            let analyst = try await TestAccess.token(in: storage, role: .analyst)
            let admin = try await TestAccess.token(in: storage, role: .admin)
            let app = buildApplication(
                configuration: CollectorConfiguration(minimumGroupSize: 1), storage: storage, surveys: try Fixtures.catalog(),
                logger: quietLogger)
            try await app.test(.router) { client in
                func get(_ uri: String, _ token: String) async throws -> TestResponse {
                    try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"])
                }
                // Reports count the personal data in the comments they cover, by kind, without showing it.
                let report = text(try await get("/v1/reports/nps", analyst))
                #expect(report.contains(#""personalData""#) && report.contains(#""email":1"#) && report.contains(#""phone":1"#), "\(report)")
                #expect(!report.contains("anna@example.se"))
                let elsewhere = text(try await get("/v1/reports/nps?site=lund", analyst))
                #expect(!elsewhere.contains(#""email""#), "\(elsewhere)")
                let comments = text(try await get("/v1/comments", analyst))
                #expect(comments.contains(Self.masked) && !comments.contains("anna@example.se"), "\(comments)")
                #expect(comments.contains(#""masked":{"#) && comments.contains(#""email":1"#) && comments.contains(#""phone":1"#))
                #expect(try await get("/v1/comments?personalData=show", analyst).status == .forbidden)
                #expect(try await get("/v1/comments?personalData=all", admin).status == .badRequest)
                #expect(text(try await get("/v1/comments?personalData=show", admin)).contains(Self.comment))
                let export = text(try await get("/v1/export.csv", analyst))
                #expect(export.contains(Self.masked) && !export.contains("070-123"))
                #expect(try await get("/v1/export.csv?personalData=show", analyst).status == .forbidden)
                #expect(text(try await get("/v1/export.csv?personalData=show", admin)).contains(Self.comment))
                // Pages: analysts see them masked, with a note saying so; admins see what was written.
                let page = text(try await get("/?range=all", analyst))
                #expect(page.contains(Self.masked) && page.contains("Masked here: 1 e-mail address, 1 phone number"), "\(page.suffix(2000))")
                #expect(text(try await get("/?range=all", admin)).contains(Self.comment))
                let casePage = text(try await get("/cases/\(responses[0].id)", analyst))
                #expect(casePage.contains(Self.masked) && !casePage.contains("anna@example.se"))
                #expect(text(try await get("/cases/\(responses[0].id)", admin)).contains(Self.comment))
            }
        }
    }
}
