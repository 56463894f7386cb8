extension AnswerReader {
    /// What the customer would type to give `value` to `question`: the inverse of ``read(_:for:language:)``.
    ///
    /// A number as digits, an option as its 1-based number, yes/no as `j`/`n` in Swedish and `y`/`n`
    /// otherwise, a comment as itself. A value of the wrong kind for the question is given as it reads.
    public static func typed(_ value: AnswerValue, for question: Question, language: String) -> String {
        switch value {
        case .number(let number):
            return String(number)
        case .text(let text):
            return text
        case .option(let id):
            if case .choice(let options) = question.kind, let index = options.firstIndex(where: { $0.id == id }) {
                return String(index + 1)
            }
            return id
        case .bool(let bool):
            return bool ? yesNoKeys(language)[0] : yesNoKeys(language)[1]
        }
    }

    /// The keys that answer `question` with one key press each, or nil when some answer takes more.
    ///
    /// csat `1`…`5`, ces `1`…its points, yes/no `j`/`n` in Swedish and `y`/`n` otherwise, a choice of up
    /// to nine options `1`…its count; nps (0–10 takes two keys for 10) and text: nil. Each key, passed to
    /// ``read(_:for:language:)``, gives an answer.
    public static func singleKeys(for question: Question, language: String) -> [String]? {
        switch question.kind {
        case .csat, .ces:
            guard let scale = question.kind.scale, scale.upperBound <= 9 else { return nil }
            return scale.map(String.init)
        case .yesno:
            return yesNoKeys(language)
        case .choice(let options):
            guard options.count <= 9 else { return nil }
            return (1...options.count).map(String.init)
        case .nps, .text:
            return nil
        }
    }

    /// The keys for yes and no in `language`.
    private static func yesNoKeys(_ language: String) -> [String] {
        language.lowercased() == "sv" ? ["j", "n"] : ["y", "n"]
    }
}
