import Foundation
import Testing
import TouchpointCollector
import TouchpointCore

@Suite("Feed messages and routing")
struct FeedEventTests {
    static let url = URL(string: "https://hooks.example.com/services/x")!

    /// A retail response with NPS `nps` and `comments`.
    func response(nps: Int?, comments: [FeedEvent.Comment] = [], touchpoint: String = "retail") -> FeedEvent {
        var scores: [FeedEvent.Score] = []
        if let nps { scores.append(FeedEvent.Score(type: .nps, value: nps)) }
        scores.append(FeedEvent.Score(type: .csat, value: 2))
        return FeedEvent(
            kind: .comment, responseID: "0190f0c8-0000-7000-8000-000000000001",
            completedAt: Date(timeIntervalSince1970: 1_795_000_000), site: "malmo", kiosk: "kiosk-1",
            touchpoint: touchpoint, stage: .shop, surveyID: "retail-visit", language: "sv", account: "ACME-42",
            scores: scores, comments: comments)
    }

    @Test func aCommentMessageCarriesScoreSurveySiteAndTime() throws {
        let comment = FeedEvent.Comment(question: "improve", text: "Prices <b>&</b> queues\nand > waits")
        let events = FeedEvent.events(for: response(nps: 3, comments: [comment]), webhook: Webhook(name: "a", url: Self.url))
        let event = try #require(events.first)
        #expect(events.count == 1 && event.key == "comment:improve")
        #expect(event.message == """
            *NPS 3 (detractor) · CSAT 2* · retail-visit/improve · malmo · retail (shop) · sv · 2026-11-18 11:06 UTC · account ACME-42
            > Prices &lt;b&gt;&amp;&lt;/b&gt; queues
            > and &gt; waits
            """)
        // The body is Slack's incoming-webhook JSON.
        let decoded = try JSONDecoder().decode([String: String].self, from: Data(event.body.utf8))
        #expect(decoded == ["text": event.message])
    }

    @Test func escapingCoversExactlyAmpersandAndAngleBrackets() {
        #expect(FeedEvent.escaped("a & b <@U123> *ok* å") == "a &amp; b &lt;@U123&gt; *ok* å")
    }

    @Test func whatEachWebhookGets() {
        let two = response(nps: 2, comments: [
            FeedEvent.Comment(question: "improve", text: "one"), FeedEvent.Comment(question: "other", text: "two"),
        ])
        let comments = Webhook(name: "c", url: Self.url)
        let alerts = Webhook(name: "d", url: Self.url, comments: false, detractors: true)
        let both = Webhook(name: "b", url: Self.url, detractors: true)
        let service = Webhook(name: "s", url: Self.url, route: FeedRoute(touchpoints: ["service"]), detractors: true)

        #expect(FeedEvent.events(for: two, webhook: comments).map(\.key) == ["comment:improve", "comment:other"])
        // A detractor alert shows every comment of the response.
        let alert = FeedEvent.events(for: two, webhook: alerts)
        #expect(alert.map(\.key) == ["detractor"])
        #expect(alert.first?.message.hasPrefix("Detractor: *NPS 2 (detractor)") == true)
        #expect(alert.first?.message.hasSuffix("> one\n> two") == true)
        // With comments on, the comments already carry the score: no separate alert.
        #expect(FeedEvent.events(for: two, webhook: both).map(\.key) == ["comment:improve", "comment:other"])
        #expect(FeedEvent.events(for: response(nps: 6), webhook: both).map(\.key) == ["detractor"])
        // Passives, promoters and responses without NPS raise no alert; a comment-free response posts nothing.
        #expect(FeedEvent.events(for: response(nps: 7), webhook: alerts).isEmpty)
        #expect(FeedEvent.events(for: response(nps: nil), webhook: alerts).isEmpty)
        #expect(FeedEvent.events(for: response(nps: 10), webhook: comments).isEmpty)
        // The route applies before anything else.
        #expect(FeedEvent.events(for: two, webhook: service).isEmpty)
        #expect(FeedEvent.events(for: response(nps: 0, touchpoint: "service"), webhook: service).map(\.key) == ["detractor"])
    }
}
