import Foundation
import TouchpointCore
import Yams

extension HealthModel {
    /// Parses a health model from YAML text, reporting every problem with file:line:column.
    ///
    /// Pure: the caller reads the file. The format is documented in `examples/health.yaml`.
    public static func parse(yaml: String, file: String) throws(YAMLFileError) -> HealthModel {
        let reader = HealthModelReader(file: file)
        return try reader.finished(reader.model(yaml))
    }

    /// The model in `path`, or the built-in one when `path` is nil.
    public static func load(path: String?) throws(YAMLFileError) -> HealthModel {
        guard let path else { return builtIn }
        return try parse(yaml: YAMLReader.text(of: path, what: "health model"), file: path)
    }
}

/// Collects the problems of one health model file while reading it.
private final class HealthModelReader: YAMLReader {
    func model(_ yaml: String) -> HealthModel? {
        let expected = "a health model is a mapping with components, zones and playbook"
        guard let root = compose(yaml, ifEmpty: expected) else { return nil }
        guard let map = root.mapping else {
            problem(root, expected)
            return nil
        }
        checkKeys(map, allowed: ["components", "answers", "missing", "zones", "playbook"], context: "the health model")

        var nps: HealthModel.RangeComponent?
        var ces: HealthModel.CESComponent?
        var csat: HealthModel.RangeComponent?
        var engagement: HealthModel.EngagementComponent?
        if let node = required(map, "components", context: "the health model", at: root) {
            if let components = node.mapping {
                checkKeys(components, allowed: ["nps", "ces", "csat", "engagement"], context: "components")
                nps = rangeComponent(components["nps"], name: "nps", defaultRange: (-100, 100), limits: -100...100, owner: node)
                csat = rangeComponent(components["csat"], name: "csat", defaultRange: (0, 100), limits: 0...100, owner: node)
                ces = cesComponent(components["ces"], owner: node)
                engagement = engagementComponent(components["engagement"], owner: node)
                if let nps, let ces, let csat, let engagement,
                    nps.weight + ces.weight + csat.weight + engagement.weight <= 0 {
                    problem(node, "at least one component needs a weight above 0")
                }
            } else {
                problem(node, "components must be a mapping with nps, ces, csat and engagement")
            }
        }

        var answerWindow: Int?
        var minimumAnswers = 1
        if let node = map["answers"] {
            if let answers = node.mapping {
                checkKeys(answers, allowed: ["windowDays", "minimum"], context: "answers")
                if let window = answers["windowDays"] {
                    answerWindow = integer(window, "windowDays", range: 1...36_500)
                }
                if let minimum = answers["minimum"] {
                    minimumAnswers = integer(minimum, "minimum", range: 1...1_000_000) ?? 1
                }
            } else {
                problem(node, "answers must be a mapping with windowDays and/or minimum")
            }
        }

        var missing = HealthModel.MissingPolicy.renormalise
        if let node = map["missing"] {
            if node.string == "renormalise" || node.string == "renormalize" {
                missing = .renormalise
            } else if let value = node.float, (0...100).contains(value) {
                missing = .value(value)
            } else {
                problem(node, "missing must be 'renormalise' (spread the weight over the components present) or a value from 0 to 100")
            }
        }

        var zones: HealthModel.ZoneThresholds?
        if let node = required(map, "zones", context: "the health model", at: root) {
            zones = thresholds(node)
        }

        var playbook = Playbook()
        if let node = map["playbook"] {
            playbook = self.playbook(node)
        }

        guard let nps, let ces, let csat, let engagement, let zones else { return nil }
        return HealthModel(
            nps: nps, ces: ces, csat: csat, engagement: engagement, answerWindowDays: answerWindow,
            minimumAnswers: minimumAnswers, missing: missing, zones: zones, playbook: playbook)
    }

    // MARK: Components

    func rangeComponent(
        _ node: Node?, name: String, defaultRange: (Double, Double), limits: ClosedRange<Double>, owner: Node
    ) -> HealthModel.RangeComponent? {
        guard let node else {
            problem(owner, "components is missing '\(name)' (give it weight: 0 to leave it out)")
            return nil
        }
        guard let map = node.mapping else {
            problem(node, "\(name) must be a mapping with weight and optionally range")
            return nil
        }
        checkKeys(map, allowed: ["weight", "range"], context: name)
        let weight = self.weight(map, name: name, owner: node)
        var range = defaultRange
        if let rangeNode = map["range"] {
            let bounds = rangeNode.sequence.map { $0.map(\.float) } ?? []
            if bounds.count == 2, let low = bounds[0], let high = bounds[1], limits.contains(low), limits.contains(high), low < high {
                range = (low, high)
            } else {
                problem(rangeNode, "\(name) range must be [low, high] with low < high, both from "
                    + "\(HealthModel.format(limits.lowerBound)) to \(HealthModel.format(limits.upperBound))")
            }
        }
        guard let weight else { return nil }
        return HealthModel.RangeComponent(weight: weight, low: range.0, high: range.1)
    }

    func cesComponent(_ node: Node?, owner: Node) -> HealthModel.CESComponent? {
        guard let node else {
            problem(owner, "components is missing 'ces' (give it weight: 0 to leave it out)")
            return nil
        }
        guard let map = node.mapping else {
            problem(node, "ces must be a mapping with weight and optionally scale")
            return nil
        }
        checkKeys(map, allowed: ["weight", "scale"], context: "ces")
        let weight = self.weight(map, name: "ces", owner: node)
        var scale = 7
        if let scaleNode = map["scale"] {
            if let value = scaleNode.int, value == 5 || value == 7 {
                scale = value
            } else {
                problem(scaleNode, "ces scale must be 7 or 5, like the survey question's scale")
            }
        }
        guard let weight else { return nil }
        return HealthModel.CESComponent(weight: weight, scale: scale)
    }

    func engagementComponent(_ node: Node?, owner: Node) -> HealthModel.EngagementComponent? {
        guard let node else {
            problem(owner, "components is missing 'engagement' (give it weight: 0 to leave it out)")
            return nil
        }
        guard let map = node.mapping else {
            problem(node, "engagement must be a mapping with weight, recency and frequency")
            return nil
        }
        checkKeys(map, allowed: ["weight", "recency", "frequency"], context: "engagement")
        let weight = self.weight(map, name: "engagement", owner: node)
        var recencyWeight: Double?
        var halfLife: Double?
        if let recency = required(map, "recency", context: "engagement", at: node) {
            if let sub = recency.mapping {
                checkKeys(sub, allowed: ["weight", "halfLifeDays"], context: "engagement recency")
                recencyWeight = self.weight(sub, name: "recency", owner: recency)
                if let days = required(sub, "halfLifeDays", context: "engagement recency", at: recency) {
                    if let value = days.float, value > 0, value <= 3650 {
                        halfLife = value
                    } else {
                        problem(days, "halfLifeDays must be a number of days above 0 (e.g. 30)")
                    }
                }
            } else {
                problem(recency, "recency must be a mapping with weight and halfLifeDays")
            }
        }
        var frequencyWeight: Double?
        var window: Int?
        var target: Int?
        if let frequency = required(map, "frequency", context: "engagement", at: node) {
            if let sub = frequency.mapping {
                checkKeys(sub, allowed: ["weight", "windowDays", "target"], context: "engagement frequency")
                frequencyWeight = self.weight(sub, name: "frequency", owner: frequency)
                if let days = required(sub, "windowDays", context: "engagement frequency", at: frequency) {
                    window = integer(days, "windowDays", range: 1...36_500)
                }
                if let goal = required(sub, "target", context: "engagement frequency", at: frequency) {
                    target = integer(goal, "target", range: 1...1_000_000)
                }
            } else {
                problem(frequency, "frequency must be a mapping with weight, windowDays and target")
            }
        }
        if let recencyWeight, let frequencyWeight, recencyWeight + frequencyWeight <= 0 {
            problem(node, "engagement needs recency or frequency with a weight above 0")
            return nil
        }
        guard let weight, let recencyWeight, let halfLife, let frequencyWeight, let window, let target else { return nil }
        return HealthModel.EngagementComponent(
            weight: weight, recencyWeight: recencyWeight, halfLifeDays: halfLife, frequencyWeight: frequencyWeight,
            windowDays: window, target: target)
    }

    func weight(_ map: Node.Mapping, name: String, owner: Node) -> Double? {
        guard let node = required(map, "weight", context: name, at: owner) else { return nil }
        guard let value = node.float, value >= 0, value.isFinite else {
            problem(node, "\(name) weight must be a number, 0 or more (e.g. 0.3), not '\(node.scalar?.string ?? "…")'")
            return nil
        }
        return value
    }

    // MARK: Zones and playbook

    func thresholds(_ node: Node) -> HealthModel.ZoneThresholds? {
        guard let map = node.mapping else {
            problem(node, "zones must be a mapping such as {green: 70, yellow: 40}")
            return nil
        }
        checkKeys(map, allowed: ["green", "yellow"], context: "zones")
        func bound(_ key: String) -> Double? {
            guard let value = required(map, key, context: "zones", at: node) else { return nil }
            guard let number = value.float, (0...100).contains(number) else {
                problem(value, "zones \(key) must be a score from 0 to 100, not '\(value.scalar?.string ?? "…")'")
                return nil
            }
            return number
        }
        guard let green = bound("green"), let yellow = bound("yellow") else { return nil }
        guard green > yellow else {
            problem(map["green"], "zones green (\(HealthModel.format(green))) must be above yellow (\(HealthModel.format(yellow)))")
            return nil
        }
        return HealthModel.ZoneThresholds(green: green, yellow: yellow)
    }

    func playbook(_ node: Node) -> Playbook {
        var playbook = Playbook()
        guard let map = node.mapping else {
            problem(node, "playbook must be a mapping with zones and/or moves")
            return playbook
        }
        checkKeys(map, allowed: ["zones", "moves"], context: "playbook")
        if let zonesNode = map["zones"] {
            if let zones = zonesNode.mapping {
                for (key, value) in zones {
                    guard let zone = HealthZone(rawValue: key.string ?? "") else {
                        problem(key, "unknown zone '\(key.string ?? "?")' (zones: red, yellow, green)")
                        continue
                    }
                    playbook.zones[zone] = actions(value, context: "zone \(zone)")
                }
            } else {
                problem(zonesNode, "playbook zones must map red, yellow and green to lists of actions")
            }
        }
        if let movesNode = map["moves"] {
            if let moves = movesNode.mapping {
                for (key, value) in moves {
                    guard let move = move(key) else { continue }
                    if playbook.moves[move] != nil {
                        problem(key, "the move \(move) is listed twice")
                    }
                    playbook.moves[move] = actions(value, context: "move \(move)")
                }
            } else {
                problem(movesNode, "playbook moves must map moves such as 'green -> yellow' to lists of actions")
            }
        }
        return playbook
    }

    /// `green -> yellow` (spaces optional; `→` also accepted).
    func move(_ key: Node) -> ZoneMove? {
        let text = (key.string ?? "").replacingOccurrences(of: "→", with: "->")
        let parts = text.components(separatedBy: "->").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let from = HealthZone(rawValue: parts[0]), let to = HealthZone(rawValue: parts[1]) else {
            problem(key, "a move is written 'FROM -> TO' with zones red, yellow, green, e.g. 'green -> yellow'; not '\(key.string ?? "?")'")
            return nil
        }
        guard from != to else {
            problem(key, "'\(key.string ?? "")' is not a move: the zones are the same")
            return nil
        }
        return ZoneMove(from: from, to: to)
    }

    func actions(_ node: Node, context: String) -> [PlaybookAction] {
        guard let list = node.sequence else {
            problem(node, "\(context) must be a list of actions, each with action and owner")
            return []
        }
        var result: [PlaybookAction] = []
        for item in list {
            guard let map = item.mapping else {
                problem(item, "an action of \(context) must be a mapping with action and owner")
                continue
            }
            checkKeys(map, allowed: ["action", "owner"], context: "an action of \(context)")
            let text = required(map, "action", context: "an action of \(context)", at: item).flatMap { node -> String? in
                guard let value = node.scalar?.string.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                    problem(node, "action must be a non-empty text")
                    return nil
                }
                return value
            }
            let owner = required(map, "owner", context: "an action of \(context)", at: item).flatMap { node -> PlaybookAction.Owner? in
                guard let value = node.scalar?.string.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                    problem(node, "owner must be 'account' (the account's owner) or a role such as 'CX lead'")
                    return nil
                }
                return value == "account" ? .account : .role(value)
            }
            if let text, let owner {
                result.append(PlaybookAction(action: text, owner: owner))
            }
        }
        return result
    }

    // MARK: Values

    func integer(_ node: Node, _ key: String, range: ClosedRange<Int>) -> Int? {
        guard let value = node.int, range.contains(value) else {
            problem(node, "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(node.scalar?.string ?? "…")'")
            return nil
        }
        return value
    }
}
