import Foundation
import Yams

/// Reads one YAML file and collects every problem as `file:line:column: message`.
///
/// The one way Touchpoint reads its YAML files: surveys (``SurveyParser``), the collector's feed routes and
/// its health model each subclass it with their own readers and report through ``problem(_:_:)``, so that a
/// syntax error, an unknown key or a missing key reads the same in every file.
open class YAMLReader {
    /// The file, as named in problems.
    public let file: String
    /// The problems found so far, in the order found.
    public private(set) var problems: [SurveyProblem] = []

    /// Creates a reader of `file`.
    public init(file: String) {
        self.file = file
    }

    /// The problems found, in file order.
    public var sortedProblems: [SurveyProblem] {
        problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    /// The text of the file at `path`; a missing or unreadable file throws the problem
    /// `file:1:1: cannot read the <what>: …`, so it reads like any other problem of it.
    public static func text(of path: String, what: String) throws(YAMLFileError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw YAMLFileError(problems: [
                SurveyProblem(file: path, line: 1, column: 1, message: "cannot read the \(what): \(error.localizedDescription)"),
            ])
        }
    }

    /// What this reader read, once it has read it: `value`, or every problem it recorded (in file order).
    public func finished<Value>(_ value: Value?) throws(YAMLFileError) -> Value {
        guard let value, problems.isEmpty else { throw YAMLFileError(problems: sortedProblems) }
        return value
    }

    /// Records `message` at `node` (line 1, column 1 without a node).
    public func problem(_ node: Node?, _ message: String) {
        let mark = node?.mark
        problems.append(SurveyProblem(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    /// The document's root node, or nil after recording why there is none: `emptyMessage` for an empty
    /// document, the syntax error (with its line and column) for text that is not YAML.
    public func compose(_ yaml: String, ifEmpty emptyMessage: String) -> Node? {
        do {
            if let root = try Yams.compose(yaml: yaml) { return root }
            problem(nil, emptyMessage)
        } catch let error as YamlError {
            switch error {
            case .scanner(let context, let message, let mark, _), .parser(let context, let message, let mark, _),
                 .composer(let context, let message, let mark, _):
                let detail = context.map { "\($0.text) at \($0.mark.line):\($0.mark.column): " } ?? ""
                problems.append(SurveyProblem(file: file, line: mark.line, column: mark.column,
                                              message: "YAML syntax: \(detail)\(message)"))
            case .duplicatedKeysInMapping(let duplicates, let context):
                problems.append(SurveyProblem(file: file, line: context.mark.line, column: context.mark.column,
                                              message: "duplicate key(s) \(duplicates.joined(separator: ", "))"))
            default:
                problems.append(SurveyProblem(file: file, line: 1, column: 1, message: "YAML: \(error)"))
            }
        } catch {
            problems.append(SurveyProblem(file: file, line: 1, column: 1, message: "cannot read YAML: \(error)"))
        }
        return nil
    }

    /// Records each key of `map` that is not in `allowed`, naming `context` and the keys it may hold.
    public func checkKeys(_ map: Node.Mapping, allowed: [String], context: String) {
        for (key, _) in map where !allowed.contains(key.string ?? "") {
            problem(key, "unknown key '\(key.string ?? "?")' in \(context) (expected one of: \(allowed.joined(separator: ", ")))")
        }
    }

    /// The value of `key` in `map`, or nil after recording that `context` is missing it (at `owner` if given).
    public func required(_ map: Node.Mapping, _ key: String, context: String, at owner: Node? = nil) -> Node? {
        if let node = map[key] { return node }
        problem(owner ?? map.first?.key, "\(context) is missing '\(key)'")
        return nil
    }

    /// A duration: a number of seconds, or a number with a unit: `90s`, `15m`, `2h`, `1d` (0.1 s to 30 days).
    public func duration(_ node: Node, key: String) -> Duration? {
        if let text = node.scalar?.string {
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
            var number = Substring(text.trimmingCharacters(in: .whitespaces))
            var scale = 1.0
            if let last = number.last, let unit = units[last] {
                scale = unit
                number = number.dropLast()
            }
            if let value = Double(number), value.isFinite, value * scale >= 0.1, value * scale <= 30 * 86_400 {
                return .milliseconds(Int64((value * scale * 1000).rounded()))
            }
        }
        problem(node, "\(key) must be a duration such as 90s, 15m, 2h or 1d (or a number of seconds), from 0.1 s to 30 days")
        return nil
    }

    /// A list of non-empty names (`[a, b]`); empty when `node` is nil, after recording a problem when it is not one.
    public func list(_ node: Node?, key: String) -> Set<String> {
        guard let node else { return [] }
        if let single = node.scalar?.string, !single.isEmpty, node.sequence == nil {
            problem(node, "\(key) must be a list such as [\(single)]")
            return []
        }
        guard let items = node.sequence else {
            problem(node, "\(key) must be a list of names, e.g. [a, b]; leave it out for all")
            return []
        }
        var result: Set<String> = []
        for item in items {
            guard let value = item.scalar?.string, !value.isEmpty else {
                problem(item, "\(key) must hold non-empty names")
                continue
            }
            result.insert(value)
        }
        return result
    }

    /// A boolean, or nil (after recording a problem unless `node` is nil).
    public func bool(_ node: Node?, key: String) -> Bool? {
        guard let node else { return nil }
        guard let value = node.bool else {
            problem(node, "\(key) must be true or false")
            return nil
        }
        return value
    }
}
