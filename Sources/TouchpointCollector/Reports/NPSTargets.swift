import Foundation
import TouchpointCore
import Yams

/// NPS targets per site and per touchpoint, drawn on the dashboard's bars (`--targets targets.yaml`).
///
/// ```yaml
/// nps:
///   sites: { malmo-showroom: 60, uppsala-bolanderna: 25 }
///   touchpoints: { service: 30, retail: 55 }
/// ```
public struct NPSTargets: Sendable, Hashable {
    /// Targets by site id.
    public var sites: [String: Double]
    /// Targets by touchpoint (both stages of a touchpoint share it).
    public var touchpoints: [String: Double]

    /// Creates targets.
    public init(sites: [String: Double] = [:], touchpoints: [String: Double] = [:]) {
        self.sites = sites
        self.touchpoints = touchpoints
    }

    /// Parses a targets file, reporting every problem as file:line:column.
    public static func parse(yaml: String, file: String) throws(YAMLFileError) -> NPSTargets {
        let reader = NPSTargetsReader(file: file)
        return try reader.finished(reader.targets(yaml))
    }

    /// Reads and parses the targets file at `path`; no targets when `path` is nil.
    public static func load(path: String?) throws(YAMLFileError) -> NPSTargets {
        guard let path else { return NPSTargets() }
        return try parse(yaml: YAMLReader.text(of: path, what: "targets file"), file: path)
    }
}

private final class NPSTargetsReader: YAMLReader {
    func targets(_ yaml: String) -> NPSTargets? {
        let shape = "a targets file is a mapping 'nps:' with 'sites:' and/or 'touchpoints:', each a mapping of name to an NPS target"
        guard let root = compose(yaml, ifEmpty: shape) else { return nil }
        guard let map = root.mapping else {
            problem(root, shape)
            return nil
        }
        checkKeys(map, allowed: ["nps"], context: "the targets file")
        guard let nps = required(map, "nps", context: "the targets file") else { return nil }
        guard let groups = nps.mapping else {
            problem(nps, shape)
            return nil
        }
        checkKeys(groups, allowed: ["sites", "touchpoints"], context: "nps")
        var targets = NPSTargets()
        targets.sites = values(groups["sites"], key: "sites")
        targets.touchpoints = values(groups["touchpoints"], key: "touchpoints")
        return targets
    }

    func values(_ node: Node?, key: String) -> [String: Double] {
        guard let node else { return [:] }
        guard let pairs = node.mapping else {
            problem(node, "nps.\(key) must be a mapping of name to target, e.g. { malmo-showroom: 60 }")
            return [:]
        }
        var values: [String: Double] = [:]
        for (name, value) in pairs {
            guard let label = name.string, !label.isEmpty else {
                problem(name, "nps.\(key) needs names")
                continue
            }
            guard let number = value.float, number.isFinite, (-100...100).contains(number) else {
                problem(value, "the target of \(label) must be an NPS from -100 to 100")
                continue
            }
            values[label] = number
        }
        return values
    }
}
