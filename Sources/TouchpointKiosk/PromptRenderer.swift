import TouchpointCore

/// Turns session prompts into the text a customer sees. Customer text is cleaned before it is echoed.
public enum PromptRenderer {
    /// The text shown before the input line for `prompt`.
    public static func render(_ prompt: SessionPrompt, survey: Survey) -> String {
        switch prompt {
        case .language(let languages):
            var lines = ["", Phrasebook.chooseLanguage(languages)]
            for (index, language) in languages.enumerated() {
                lines.append("  \(index + 1)) \(Phrasebook.name(of: language))")
            }
            return lines.joined(separator: "\n") + "\n"
        case .question(let question):
            return render(question)
        }
    }

    /// The text of one question: progress, the question, its scale or options, how to go back or skip.
    public static func render(_ prompt: QuestionPrompt) -> String {
        let phrases = Phrasebook(prompt.language)
        let question = prompt.question
        var lines = ["", phrases.progress(prompt.number, of: prompt.total), question.text.text(in: prompt.language)]
        switch question.kind {
        case .nps, .ces, .csat:
            if let scale = question.kind.scale, let labels = question.kind.labels {
                lines.append(phrases.scaleHint(scale, low: labels.low.text(in: prompt.language),
                                               high: labels.high.text(in: prompt.language)))
                lines.append("  " + scale.map(String.init).joined(separator: "  "))
            }
        case .choice(let options):
            for (index, option) in options.enumerated() {
                lines.append("  \(index + 1)) \(option.label.text(in: prompt.language))")
            }
            lines.append(phrases.choiceHint)
        case .yesno:
            lines.append(phrases.yesNoHint)
        case .text:
            lines.append(phrases.textHint)
        }
        if let previous = prompt.previous {
            lines.append(phrases.previousAnswer(display(previous, for: question, language: prompt.language)))
        }
        if let hint = phrases.navigationHint(canGoBack: prompt.canGoBack, canSkip: prompt.canSkip) {
            lines.append(hint)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An answer as the customer would recognise it.
    public static func display(_ value: AnswerValue, for question: Question, language: String) -> String {
        switch (value, question.kind) {
        case (.option(let id), .choice(let options)):
            return options.first { $0.id == id }?.label.text(in: language) ?? id
        case (.bool(let flag), _):
            return Phrasebook(language).yesNo(flag)
        case (.text(let text), _):
            return TextSanitizer.clean(text)
        default:
            return value.description
        }
    }
}
