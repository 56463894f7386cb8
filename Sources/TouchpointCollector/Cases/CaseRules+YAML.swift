import Foundation
import TouchpointCore
import Yams

extension CaseRules {
    /// The keys a cases file may hold at its top.
    public static let topLevelKeys = ["open", "sla", "rules", "channels", "checkEvery"]
    /// The keys of `open:`.
    public static let openKeys = ["csat", "ces"]
    /// The keys of a rule.
    public static let ruleKeys = ["sites", "touchpoints", "stages", "surveys", "owner", "sla"]

    /// Parses a cases file, reporting every problem as file:line:column.
    public static func parse(yaml: String, file: String) throws(YAMLFileError) -> CaseRules {
        let reader = CaseRulesReader(file: file)
        return try reader.finished(reader.rules(yaml))
    }

    /// Reads and parses the cases file at `path`; ``standard`` when `path` is nil.
    public static func load(path: String?) throws(YAMLFileError) -> CaseRules {
        guard let path else { return .standard }
        return try parse(yaml: YAMLReader.text(of: path, what: "cases file"), file: path)
    }
}

/// Collects the problems of one cases file while reading it.
private final class CaseRulesReader: YAMLReader {
    func rules(_ yaml: String) -> CaseRules? {
        let shape = "a cases file is a mapping with open:, sla:, rules: and channels: (each optional)"
        guard let root = compose(yaml, ifEmpty: shape) else { return nil }
        guard let map = root.mapping else {
            problem(root, shape)
            return nil
        }
        checkKeys(map, allowed: CaseRules.topLevelKeys, context: "the cases file")
        var rules = CaseRules()
        if let open = map["open"] {
            if let settings = open.mapping {
                checkKeys(settings, allowed: CaseRules.openKeys, context: "open")
                if let csat = settings["csat"] {
                    if let value = csat.int, (1...4).contains(value) {
                        rules.csatAtMost = value
                    } else {
                        problem(csat, "open.csat must be a whole number from 1 to 4: a CSAT answer at or below it opens a case")
                    }
                }
                if let ces = settings["ces"] {
                    if ces.scalar?.string == "hard" {
                        rules.hardCES = true
                    } else {
                        problem(ces, "open.ces must be 'hard' (1–3 of 7, 1–2 of 5 opens a case); leave it out for none")
                    }
                }
            } else {
                problem(open, "open must be a mapping such as { csat: 2, ces: hard }")
            }
        }
        if let sla = map["sla"], let duration = duration(sla, key: "sla") {
            rules.sla = duration
        }
        if let every = map["checkEvery"], let duration = duration(every, key: "checkEvery") {
            rules.checkInterval = duration
        }
        if let list = map["rules"] {
            if let items = list.sequence {
                rules.rules = items.enumerated().compactMap { rule($1, index: $0) }
            } else {
                problem(list, "rules must be a list of rules, each with an owner")
            }
        }
        if let channels = map["channels"] {
            if let pairs = channels.mapping {
                for (key, value) in pairs {
                    guard let owner = key.string, !owner.isEmpty, let webhook = value.scalar?.string, !webhook.isEmpty else {
                        problem(value, "channels maps an owner to a webhook name of feed.yaml, e.g. anna: cx-malmo")
                        continue
                    }
                    rules.channels[owner] = webhook
                }
            } else {
                problem(channels, "channels must be a mapping of owner to webhook name, e.g. { anna: cx-malmo, \"*\": cx-team }")
            }
        }
        return rules
    }

    func rule(_ node: Node, index: Int) -> CaseRule? {
        guard let map = node.mapping else {
            problem(node, "rule \(index + 1) must be a mapping with an owner, e.g. { sites: [malmo-showroom], owner: anna }")
            return nil
        }
        checkKeys(map, allowed: CaseRules.ruleKeys, context: "rule \(index + 1)")
        var stages: Set<JourneyStage> = []
        if let node = map["stages"] {
            for name in list(node, key: "stages") {
                if let stage = JourneyStage(rawValue: name) {
                    stages.insert(stage)
                } else {
                    problem(node, "stages must hold shop or own, not '\(name)'")
                }
            }
        }
        let route = FeedRoute(
            touchpoints: list(map["touchpoints"], key: "touchpoints"), sites: list(map["sites"], key: "sites"),
            stages: stages, surveys: list(map["surveys"], key: "surveys"))
        var sla: Duration?
        if let node = map["sla"] {
            sla = duration(node, key: "sla")
        }
        guard let ownerNode = required(map, "owner", context: "rule \(index + 1)", at: node) else { return nil }
        guard let owner = ownerNode.scalar?.string, !owner.isEmpty else {
            problem(ownerNode, "owner must be a name, or 'account' for the account's owner from the accounts CSV")
            return nil
        }
        return CaseRule(route: route, owner: owner == "account" ? .accountOwner : .named(owner), sla: sla)
    }
}
