import Yams

/// Reads survey definitions from YAML and checks every rule, reporting each problem with file:line:column.
///
/// Pure: it takes the file's text, never the file.
public enum SurveyParser {
    /// The languages the kiosk can show surveys in (it has its own texts in these).
    public static var supportedLanguages: [String] { Phrasebook.languages }

    /// Parses and validates one survey definition.
    public static func parse(yaml: String, file: String) -> Result<Survey, YAMLFileError> {
        let reader = Reader(file: file)
        return Result { () throws(YAMLFileError) in try reader.finished(reader.survey(yaml)) }
    }

    /// Where the `id:` value of a survey file is, for cross-file checks (duplicate ids).
    static func idLocation(yaml: String) -> (line: Int, column: Int) {
        guard let root = try? Yams.compose(yaml: yaml), let id = root.mapping?["id"], let mark = id.mark else {
            return (1, 1)
        }
        return (mark.line, mark.column)
    }
}

private final class Reader: YAMLReader {
    var languages: [String] = []

    func survey(_ yaml: String) -> Survey? {
        guard let root = compose(
            yaml, ifEmpty: "the file is empty; a survey needs id, version, title, touchpoint, stage, languages and questions")
        else { return nil }
        guard let map = root.mapping else {
            problem(root, "a survey must be a mapping of keys (id, version, title, …)")
            return nil
        }
        checkKeys(map, allowed: ["id", "version", "title", "touchpoint", "stage", "languages", "abandoned",
                                 "minimumSeconds", "questions", "privacyNotice", "singleKey"], context: "survey")

        languages = readLanguages(map)
        let id = identifier(map, "id", context: "survey")
        let version = positiveInt(map, "version", context: "survey")
        let title = text(map, "title", context: "survey title")
        let touchpoint = identifier(map, "touchpoint", context: "survey")
        var stage: JourneyStage?
        if let node = required(map, "stage", context: "survey") {
            stage = JourneyStage(rawValue: node.string ?? "")
            if stage == nil { problem(node, "stage must be 'shop' or 'own', not '\(node.string ?? "")'") }
        }
        var abandoned = AbandonPolicy.drop
        if let node = map["abandoned"] {
            if let policy = AbandonPolicy(rawValue: node.string ?? "") {
                abandoned = policy
            } else {
                problem(node, "abandoned must be 'drop' or 'partial', not '\(node.string ?? "")'")
            }
        }
        var minimumSeconds: Double?
        if let node = map["minimumSeconds"] {
            if let value = node.float, value >= 0 {
                minimumSeconds = value
            } else {
                problem(node, "minimumSeconds must be a number of seconds, 0 or more")
            }
        }
        var privacyNotice: LocalizedText?
        var privacyNoticeFailed = false
        if let node = map["privacyNotice"] {
            privacyNotice = localized(node, context: "survey privacyNotice")
            privacyNoticeFailed = privacyNotice == nil
        }
        var singleKey: Bool?
        if let node = map["singleKey"] {
            if let value = node.bool {
                singleKey = value
            } else {
                problem(node, "singleKey must be true or false, not '\(node.scalar?.string ?? "…")'")
            }
        }
        let questions = readQuestions(map)
        guard let id, let version, let title, let touchpoint, let stage, let questions, !privacyNoticeFailed else {
            return nil
        }
        return Survey(id: id, version: version, title: title, touchpoint: touchpoint, stage: stage,
                      languages: languages, abandoned: abandoned, minimumSeconds: minimumSeconds, questions: questions,
                      privacyNotice: privacyNotice, singleKey: singleKey)
    }

    // MARK: Values

    func identifier(_ map: Node.Mapping, _ key: String, context: String, at owner: Node? = nil) -> String? {
        guard let node = required(map, key, context: context, at: owner) else { return nil }
        let value = node.scalar?.string ?? ""
        if let message = Identifier.problem(value, name: key) {
            problem(node, message)
            return nil
        }
        return value
    }

    func positiveInt(_ map: Node.Mapping, _ key: String, context: String) -> Int? {
        guard let node = required(map, key, context: context) else { return nil }
        guard let value = node.int, value > 0 else {
            problem(node, "\(key) must be a whole number above 0, not '\(node.scalar?.string ?? "…")'")
            return nil
        }
        return value
    }

    func readLanguages(_ map: Node.Mapping) -> [String] {
        guard let node = required(map, "languages", context: "survey") else { return [] }
        guard let list = node.sequence, !list.isEmpty else {
            problem(node, "languages must be a list such as [sv, en]")
            return []
        }
        var result: [String] = []
        for item in list {
            guard let code = item.string, !code.isEmpty else {
                problem(item, "a language must be a code such as 'sv' or 'en'")
                continue
            }
            if !SurveyParser.supportedLanguages.contains(code) {
                problem(item, "language '\(code)' is not supported by the kiosk (supported: \(SurveyParser.supportedLanguages.joined(separator: ", ")))")
            } else if result.contains(code) {
                problem(item, "language '\(code)' is listed twice")
            } else {
                result.append(code)
            }
        }
        return result
    }

    /// A visible string: a mapping from language to text, complete for the survey's languages.
    func text(_ map: Node.Mapping, _ key: String, context: String, at owner: Node? = nil) -> LocalizedText? {
        guard let node = required(map, key, context: context, at: owner) else { return nil }
        return localized(node, context: context)
    }

    func localized(_ node: Node, context: String) -> LocalizedText? {
        guard let map = node.mapping else {
            problem(node, "\(context) must give a text per language, e.g. `en: …` and `sv: …`")
            return nil
        }
        var translations: [String: String] = [:]
        for (key, value) in map {
            guard let language = key.string else { continue }
            guard languages.contains(language) || languages.isEmpty else {
                problem(key, "\(context) has a translation '\(language)', which is not one of the survey's languages (\(languages.joined(separator: ", ")))")
                continue
            }
            guard let string = value.scalar?.string, !string.trimmingWhitespace().isEmpty else {
                problem(value, "\(context) in '\(language)' is empty")
                continue
            }
            translations[language] = string.trimmingWhitespace()
        }
        let result = LocalizedText(translations)
        let missing = result.missing(from: languages).filter { lang in map[lang] == nil }
        if !missing.isEmpty {
            problem(node, "\(context) has no translation for \(missing.map { "'\($0)'" }.joined(separator: ", "))")
            return nil
        }
        return result.translations.count == languages.count ? result : nil
    }

    // MARK: Questions

    func readQuestions(_ map: Node.Mapping) -> [Question]? {
        guard let node = required(map, "questions", context: "survey") else { return nil }
        guard let list = node.sequence, !list.isEmpty else {
            problem(node, "questions must be a non-empty list")
            return nil
        }
        var questions: [Question] = []
        var seen: [String: Int] = [:]  // id → index
        var failed = false
        for (index, item) in list.enumerated() {
            guard let question = readQuestion(item, index: index, earlier: questions, seen: seen) else {
                failed = true
                if let id = item.mapping?["id"]?.string, seen[id] == nil { seen[id] = index }
                continue
            }
            if seen[question.id] != nil {
                problem(item.mapping?["id"], "question id '\(question.id)' is used twice")
                failed = true
            }
            seen[question.id] = index
            questions.append(question)
        }
        return failed ? nil : questions
    }

    func readQuestion(_ node: Node, index: Int, earlier: [Question], seen: [String: Int]) -> Question? {
        guard let map = node.mapping else {
            problem(node, "question \(index + 1) must be a mapping with id, type and text")
            return nil
        }
        checkKeys(map, allowed: ["id", "type", "text", "optional", "when", "scale", "labels", "options", "account"],
                  context: "question \(index + 1)")
        let id = identifier(map, "id", context: "question \(index + 1)", at: node)
        let name = id.map { "question '\($0)'" } ?? "question \(index + 1)"
        let text = text(map, "text", context: "\(name) text", at: node)
        var optional = false
        if let value = map["optional"] {
            if let bool = value.bool { optional = bool } else { problem(value, "optional must be true or false") }
        }
        guard let typeNode = required(map, "type", context: name, at: node) else { return nil }
        guard let type = QuestionType(rawValue: typeNode.string ?? "") else {
            problem(typeNode, "unknown question type '\(typeNode.string ?? "")' (known: \(QuestionType.allCases.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        let kind = readKind(map, type: type, name: name)
        var asksForAccount = false
        if let value = map["account"] {
            if let bool = value.bool {
                asksForAccount = bool
                if bool, type != .text {
                    problem(value, "\(name): only a text question can ask for the account reference")
                    return nil
                }
                if bool, let other = earlier.first(where: \.asksForAccount) {
                    problem(value, "\(name): question '\(other.id)' already asks for the account reference")
                    return nil
                }
            } else {
                problem(value, "account must be true or false")
            }
        }
        var condition: Condition?
        var conditionFailed = false
        if let whenNode = map["when"] {
            condition = readCondition(whenNode, name: name, earlier: earlier, seen: seen, index: index)
            conditionFailed = condition == nil
        }
        guard let id, let text, let kind, !conditionFailed else { return nil }
        return Question(
            id: id, kind: kind, text: text, optional: optional, condition: condition, asksForAccount: asksForAccount)
    }

    func readKind(_ map: Node.Mapping, type: QuestionType, name: String) -> QuestionKind? {
        func refuse(_ key: String, _ why: String) {
            if let node = map[key] { problem(node, "\(name): \(why)") }
        }
        var labels = ScaleLabels.standard(for: type)
        if let node = map["labels"] {
            if type.isScale, let labelMap = node.mapping {
                checkKeys(labelMap, allowed: ["low", "high"], context: "\(name) labels")
                if let low = labelMap["low"] { labels.low = localized(low, context: "\(name) low label") ?? labels.low }
                if let high = labelMap["high"] { labels.high = localized(high, context: "\(name) high label") ?? labels.high }
            } else if type.isScale {
                problem(node, "\(name): labels must be a mapping with 'low' and/or 'high'")
            } else {
                problem(node, "\(name): only nps, ces and csat questions have scale labels")
            }
        }
        if type != .choice { refuse("options", "only choice questions have options") }
        switch type {
        case .nps:
            refuse("scale", "an nps question is always 0–10; remove 'scale'")
            return .nps(labels: labels)
        case .ces:
            var points = 7
            if let node = map["scale"] {
                if let value = node.int, value == 5 || value == 7 {
                    points = value
                } else {
                    problem(node, "\(name): a ces scale is 7 (default) or 5, not '\(node.scalar?.string ?? "…")'")
                    return nil
                }
            }
            return .ces(points: points, labels: labels)
        case .csat:
            if let node = map["scale"], node.int != 5 {
                problem(node, "\(name): a csat scale is always 1–5")
                return nil
            }
            return .csat(labels: labels)
        case .text:
            refuse("scale", "a text question has no scale")
            return .text
        case .yesno:
            refuse("scale", "a yesno question has no scale")
            return .yesno
        case .choice:
            refuse("scale", "a choice question has no scale")
            guard let node = map["options"] else {
                problem(map.first?.key, "\(name): a choice question needs 'options'")
                return nil
            }
            guard let list = node.sequence, list.count >= 2 else {
                problem(node, "\(name): options must be a list of at least two options, each with id and label")
                return nil
            }
            var options: [ChoiceOption] = []
            var failed = false
            for item in list {
                guard let optionMap = item.mapping else {
                    problem(item, "\(name): an option needs id and label")
                    failed = true
                    continue
                }
                checkKeys(optionMap, allowed: ["id", "label"], context: "\(name) option")
                let id = identifier(optionMap, "id", context: "\(name) option", at: item)
                let label = text(optionMap, "label", context: "\(name) option '\(id ?? "?")' label", at: item)
                guard let id, let label else { failed = true; continue }
                if options.contains(where: { $0.id == id }) {
                    problem(optionMap["id"], "\(name): option id '\(id)' is used twice")
                    failed = true
                }
                options.append(ChoiceOption(id: id, label: label))
            }
            return failed ? nil : .choice(options: options)
        }
    }

    func readCondition(_ node: Node, name: String, earlier: [Question], seen: [String: Int], index: Int) -> Condition? {
        guard let map = node.mapping else {
            problem(node, "\(name): when must be a mapping such as {question: recommend, max: 6}")
            return nil
        }
        checkKeys(map, allowed: ["question", "min", "max", "equals", "in"], context: "\(name) when")
        guard let target = identifier(map, "question", context: "\(name) when", at: node) else { return nil }
        guard let source = earlier.first(where: { $0.id == target }) else {
            if let position = seen[target], position < index {
                return nil  // the earlier question is itself invalid and already reported
            }
            problem(map["question"], "\(name): when refers to '\(target)', which is not an earlier question of this survey")
            return nil
        }
        let bounds = (map["min"], map["max"])
        let equals = map["equals"].map { [$0] } ?? map["in"]?.sequence.map { Array($0) }
        if map["in"] != nil, map["in"]?.sequence == nil {
            problem(map["in"], "\(name): 'in' must be a list of values")
            return nil
        }
        let ways = [bounds.0 != nil || bounds.1 != nil, map["equals"] != nil, map["in"] != nil].filter { $0 }.count
        guard ways == 1 else {
            problem(node, "\(name): when needs exactly one test: min and/or max, equals, or in")
            return nil
        }
        switch source.kind {
        case .text:
            problem(map["question"], "\(name): cannot branch on '\(target)', a free-text answer")
            return nil
        case .nps, .ces, .csat:
            guard let scale = source.kind.scale else { return nil }
            func number(_ node: Node) -> Int? {
                guard let value = node.int, scale.contains(value) else {
                    problem(node, "\(name): '\(node.scalar?.string ?? "…")' is not on the \(scale.lowerBound)–\(scale.upperBound) scale of '\(target)'")
                    return nil
                }
                return value
            }
            if let equals {
                let values = equals.map(number)
                guard values.allSatisfy({ $0 != nil }) else { return nil }
                return Condition(question: target, test: .oneOf(values.compactMap { $0.map(AnswerValue.number) }))
            }
            let min = bounds.0.map(number)
            let max = bounds.1.map(number)
            if min == .some(nil) || max == .some(nil) { return nil }
            return Condition(question: target, test: .range(min: min ?? nil, max: max ?? nil))
        case .choice(let options):
            guard let equals else {
                problem(node, "\(name): branch on the choice '\(target)' with equals or in, not min/max")
                return nil
            }
            var values: [AnswerValue] = []
            for item in equals {
                guard let id = item.string, options.contains(where: { $0.id == id }) else {
                    problem(item, "\(name): '\(item.string ?? "…")' is not an option of '\(target)' (options: \(options.map(\.id).joined(separator: ", ")))")
                    return nil
                }
                values.append(.option(id))
            }
            return Condition(question: target, test: .oneOf(values))
        case .yesno:
            guard let equals else {
                problem(node, "\(name): branch on the yes/no '\(target)' with equals: true or false")
                return nil
            }
            var values: [AnswerValue] = []
            for item in equals {
                guard let bool = item.bool else {
                    problem(item, "\(name): '\(target)' is yes/no: compare with true or false")
                    return nil
                }
                values.append(.bool(bool))
            }
            return Condition(question: target, test: .oneOf(values))
        }
    }
}

extension QuestionType {
    /// Whether answers are numbers on a scale (nps, ces, csat).
    public var isScale: Bool { self == .nps || self == .ces || self == .csat }
}
