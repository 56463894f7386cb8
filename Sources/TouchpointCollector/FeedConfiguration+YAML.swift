import Foundation
import TouchpointCore
import Yams

extension FeedConfiguration {
    /// The keys a feed file may hold at its top.
    public static let topLevelKeys = ["webhooks", "alerts", "fleet"]

    /// The keys the `fleet:` mapping (fleet alert thresholds) may hold.
    public static let fleetKeys = ["notSeenAfter", "backlogOlderThan", "checkEvery"]

    /// The keys a webhook entry may hold.
    public static let webhookKeys = [
        "name", "url", "touchpoints", "sites", "stages", "surveys", "comments", "detractors", "minimumInterval", "personalData",
    ]

    /// Parses a feed configuration (`webhooks:` list, optional `alerts:` and `fleet:`) from YAML text, reporting
    /// every problem with file:line:column.
    ///
    /// `${NAME}` in a `url` is replaced by the variable `NAME` of `environment`, so secrets can stay out of
    /// the file. Pure: the caller reads the file and the environment. Messages never contain a URL.
    public static func parse(
        yaml: String, file: String, environment: [String: String] = [:]
    ) throws(YAMLFileError) -> FeedConfiguration {
        let reader = FeedReader(file: file, environment: environment)
        return try reader.finished(reader.configuration(yaml))
    }
}

/// Collects the problems of one feed file while reading it.
private final class FeedReader: YAMLReader {
    let environment: [String: String]
    /// The webhook `alerts:` names, if any.
    var alertWebhook: String?

    init(file: String, environment: [String: String]) {
        self.environment = environment
        super.init(file: file)
    }

    func configuration(_ yaml: String) -> FeedConfiguration? {
        guard let root = compose(yaml, ifEmpty: "a feed configuration is a mapping with a 'webhooks:' list") else {
            return nil
        }
        guard let map = root.mapping else {
            problem(root, "a feed configuration is a mapping with a 'webhooks:' list")
            return nil
        }
        for (key, _) in map where !FeedConfiguration.topLevelKeys.contains(key.string ?? "") {
            let expected = FeedConfiguration.topLevelKeys.joined(separator: ", ")
            problem(key, "unknown key '\(key.string ?? "?")' (expected one of: \(expected))")
        }
        // The alert webhook may take no comments and no scores: alerts are what it receives.
        alertWebhook = map["alerts"]?.scalar?.string
        guard let list = map["webhooks"] else {
            problem(map.first?.key ?? root, "the feed configuration is missing 'webhooks'")
            return nil
        }
        guard let items = list.sequence, !items.isEmpty else {
            problem(list, "webhooks must be a non-empty list of webhooks, each with a name and a url")
            return nil
        }
        var webhooks: [Webhook] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            guard let webhook = webhook(item, index: index) else { continue }
            if !seen.insert(webhook.name).inserted {
                problem(item.mapping?["name"], "webhook name '\(webhook.name)' is used twice")
                continue
            }
            webhooks.append(webhook)
        }
        return FeedConfiguration(webhooks: webhooks, alerts: alerts(map, webhooks: webhooks, listed: Array(items)))
    }

    /// The fleet alerts of `alerts:` and `fleet:`, checked against the webhooks read.
    func alerts(_ map: Node.Mapping, webhooks: [Webhook], listed: [Node]) -> FleetAlertConfiguration? {
        let fleet = map["fleet"]
        guard let node = map["alerts"] else {
            if let fleet {
                problem(fleet, "fleet thresholds need 'alerts: <webhook name>' naming the webhook alerts are posted to")
            }
            return nil
        }
        let names = listed.compactMap { $0.mapping?["name"]?.scalar?.string }
        guard let name = node.scalar?.string, !name.isEmpty else {
            problem(node, "alerts must name one of the webhooks (\(names.joined(separator: ", ")))")
            return nil
        }
        if !names.contains(name) {
            problem(node, "alerts names the webhook '\(name)', which is not among the webhooks (\(names.joined(separator: ", ")))")
            return nil
        }
        var configuration = FleetAlertConfiguration(webhook: name)
        if let fleet {
            guard let settings = fleet.mapping else {
                problem(fleet, "fleet must be a mapping such as { notSeenAfter: 2h, backlogOlderThan: 1h }")
                return nil
            }
            checkKeys(settings, allowed: FeedConfiguration.fleetKeys, context: "fleet")
            if let value = settings["notSeenAfter"], let duration = duration(value, key: "notSeenAfter") {
                configuration.thresholds.notSeenAfter = duration
            }
            if let value = settings["backlogOlderThan"], let duration = duration(value, key: "backlogOlderThan") {
                configuration.thresholds.backlogOlderThan = duration
            }
            if let value = settings["checkEvery"], let duration = duration(value, key: "checkEvery") {
                configuration.checkInterval = duration
            }
        }
        return webhooks.contains { $0.name == name } ? configuration : nil
    }

    func webhook(_ node: Node, index: Int) -> Webhook? {
        guard let map = node.mapping else {
            problem(node, "webhook \(index + 1) must be a mapping with name and url")
            return nil
        }
        for (key, _) in map where !FeedConfiguration.webhookKeys.contains(key.string ?? "") {
            problem(key, "unknown key '\(key.string ?? "?")' in webhook \(index + 1) "
                + "(expected one of: \(FeedConfiguration.webhookKeys.joined(separator: ", ")))")
        }
        var name: String?
        if let node = map["name"] {
            if let value = node.scalar?.string, Identifier.isValid(value) {
                name = value
            } else {
                problem(node, "name must be a non-empty name of \(Identifier.allowedCharacters)")
            }
        } else {
            problem(node, "webhook \(index + 1) is missing 'name'")
        }
        let context = name.map { "webhook '\($0)'" } ?? "webhook \(index + 1)"
        var url: URL?
        if let node = map["url"] {
            url = self.url(node, context: context)
        } else {
            problem(node, "\(context) is missing 'url'")
        }
        let touchpoints = list(map["touchpoints"], key: "touchpoints")
        let sites = list(map["sites"], key: "sites")
        let surveys = list(map["surveys"], key: "surveys")
        var stages: Set<JourneyStage> = []
        for value in list(map["stages"], key: "stages") {
            if let stage = JourneyStage(rawValue: value) {
                stages.insert(stage)
            } else {
                problem(map["stages"], "stages may hold 'shop' and 'own', not '\(value)'")
            }
        }
        let comments = bool(map["comments"], key: "comments") ?? true
        let detractors = bool(map["detractors"], key: "detractors") ?? false
        if !comments && !detractors && name != alertWebhook {
            problem(map["comments"], "\(context) would receive nothing: set comments or detractors to true")
        }
        var interval = Duration.seconds(1)
        if let node = map["minimumInterval"] {
            if let seconds = node.float, seconds >= 0, seconds <= 3600 {
                interval = .milliseconds(Int64((seconds * 1000).rounded()))
            } else {
                problem(node, "minimumInterval must be a number of seconds from 0 to 3600 (default 1)")
            }
        }
        var showsPersonalData = false
        if let node = map["personalData"] {
            switch node.scalar?.string {
            case "masked": break
            case "show": showsPersonalData = true
            default: problem(node, "personalData must be masked (the default) or show")
            }
        }
        guard let name, let url else { return nil }
        var webhook = Webhook(
            name: name, url: url,
            route: FeedRoute(touchpoints: touchpoints, sites: sites, stages: stages, surveys: surveys),
            comments: comments, detractors: detractors, minimumInterval: interval)
        webhook.showsPersonalData = showsPersonalData
        return webhook
    }

    /// The URL with `${NAME}` replaced from the environment; problems never show the URL itself.
    func url(_ node: Node, context: String) -> URL? {
        guard let raw = node.scalar?.string, !raw.isEmpty else {
            problem(node, "url must be an http:// or https:// URL, or ${VARIABLE} naming an environment variable")
            return nil
        }
        var text = ""
        var rest = Substring(raw)
        while let start = rest.range(of: "${") {
            text += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                problem(node, "url has '${' without a closing '}'")
                return nil
            }
            let variable = String(rest[start.upperBound..<end])
            guard let value = environment[variable], !value.isEmpty else {
                problem(node, "url uses the environment variable \(variable.isEmpty ? "(empty name)" : variable), which is not set")
                return nil
            }
            text += value
            rest = rest[rest.index(after: end)...]
        }
        text += rest
        guard let url = URL(string: text.trimmingCharacters(in: .whitespaces)),
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            problem(node, "url of \(context) is not an http:// or https:// URL with a host (value not shown)")
            return nil
        }
        return url
    }
}
