import Foundation
import Testing
import TouchpointCollector
import TouchpointCore

@Suite("Feed configuration (feed.yaml)")
struct FeedConfigurationTests {
    static let example = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/feed.yaml")

    static let environment = [
        "TOUCHPOINT_SERVICE_WEBHOOK": "https://hooks.slack.com/services/T1/B1/service-secret",
        "TOUCHPOINT_SHOP_WEBHOOK": "https://hooks.slack.com/services/T1/B2/shop-secret",
        "TOUCHPOINT_ALERT_WEBHOOK": "https://hooks.slack.com/services/T1/B3/alert-secret",
        "TOUCHPOINT_FLEET_WEBHOOK": "https://hooks.slack.com/services/T1/B4/fleet-secret",
    ]

    /// The problems of `yaml`, as `line:column: message` (the file name left out).
    func problems(_ yaml: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try FeedConfiguration.parse(yaml: yaml, file: "feed.yaml", environment: environment)
            return []
        } catch {
            return error.problems.map { "\($0.line):\($0.column): \($0.message)" }
        }
    }

    @Test func theShippedExampleParses() throws {
        let text = try String(contentsOf: Self.example, encoding: .utf8)
        let configuration = try FeedConfiguration.parse(yaml: text, file: "examples/feed.yaml", environment: Self.environment)
        #expect(configuration.webhooks.map(\.name) == ["service-comments", "shop-comments", "detractor-alerts", "fleet-ops"])
        #expect(configuration.alerts == FleetAlertConfiguration(webhook: "fleet-ops"))
        #expect(!configuration.webhooks[3].comments && !configuration.webhooks[3].detractors)
        let service = configuration.webhooks[0]
        #expect(service.url.absoluteString == "https://hooks.slack.com/services/T1/B1/service-secret")
        #expect(service.route == FeedRoute(touchpoints: ["service"], stages: [.own]))
        #expect(service.comments && !service.detractors && service.minimumInterval == .seconds(1))
        #expect(configuration.webhooks[1].route == FeedRoute(stages: [.shop]))
        let alerts = configuration.webhooks[2]
        #expect(!alerts.comments && alerts.detractors && alerts.route == FeedRoute())
        // Routing as the example's comments say.
        #expect(service.route.matches(site: "malmo", touchpoint: "service", stage: .own, survey: "service-visit"))
        #expect(!service.route.matches(site: "malmo", touchpoint: "retail", stage: .shop, survey: "retail-visit"))
    }

    @Test func environmentVariablesFillTheURL() throws {
        let yaml = """
            webhooks:
              - name: a
                url: http://127.0.0.1:${PORT}/services/${TOKEN}
                minimumInterval: 0.25
                sites: [malmo, lund]
                surveys: [retail-visit]
            """
        let configuration = try FeedConfiguration.parse(
            yaml: yaml, file: "feed.yaml", environment: ["PORT": "9000", "TOKEN": "abc"])
        let hook = try #require(configuration.webhooks.first)
        #expect(hook.url.absoluteString == "http://127.0.0.1:9000/services/abc")
        #expect(hook.minimumInterval == .milliseconds(250))
        #expect(hook.route == FeedRoute(sites: ["malmo", "lund"], surveys: ["retail-visit"]))
    }

    @Test func aMissingVariableIsNamedWithItsPlace() {
        let yaml = """
            webhooks:
              - name: a
                url: ${NOT_SET}
            """
        #expect(problems(yaml) == ["3:10: url uses the environment variable NOT_SET, which is not set"])
    }

    @Test func aBadURLIsReportedWithoutShowingIt() {
        let yaml = """
            webhooks:
              - name: a
                url: ftp://example.com/secret-path
            """
        let found = problems(yaml)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("3:10: url of webhook 'a' is not an http:// or https:// URL") == true)
        #expect(found.allSatisfy { !$0.contains("secret-path") })
    }

    @Test func everyProblemHasItsLineAndColumn() {
        let yaml = """
            webhooks:
              - name: Service Team
                url: https://hooks.example.com/x
                stages: [buy]
                detractors: maybe
                colour: red
              - name: b
                url: https://hooks.example.com/y
                touchpoints: service
                minimumInterval: -1
              - name: b
                url: https://hooks.example.com/z
                comments: false
            """
        #expect(problems(yaml) == [
            "2:11: name must be a non-empty name of lowercase letters, digits, '-', '_' and '.'",
            "4:13: stages may hold 'shop' and 'own', not 'buy'",
            "5:17: detractors must be true or false",
            "6:5: unknown key 'colour' in webhook 1 (expected one of: "
                + FeedConfiguration.webhookKeys.joined(separator: ", ") + ")",
            "9:18: touchpoints must be a list such as [service]",
            "10:22: minimumInterval must be a number of seconds from 0 to 3600 (default 1)",
            "11:11: webhook name 'b' is used twice",
            "13:15: webhook 'b' would receive nothing: set comments or detractors to true",
        ])
    }

    @Test func yamlSyntaxAndShapeErrorsArePlaced() {
        #expect(problems("webhooks: [a, b").first?.contains("YAML syntax") == true)
        #expect(Set(problems("hooks: []")) == [
            "1:1: unknown key 'hooks' (expected one of: webhooks, alerts, fleet)", "1:1: the feed configuration is missing 'webhooks'",
        ])
        #expect(problems("webhooks: []") == ["1:11: webhooks must be a non-empty list of webhooks, each with a name and a url"])
        #expect(problems("webhooks:\n  - url: https://x.example/y\n") == ["2:5: webhook 1 is missing 'name'"])
    }

    @Test func aWebhookDescribesItselfWithoutItsSecret() throws {
        let hook = Webhook(name: "shop", url: try #require(URL(string: "https://hooks.slack.com/services/T1/B1/s3cr3t")))
        #expect("\(hook)" == "shop (hooks.slack.com)")
        #expect(!String(reflecting: hook).contains("s3cr3t"))
    }
}
