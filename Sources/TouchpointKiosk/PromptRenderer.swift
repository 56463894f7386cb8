import TouchpointCore

/// Turns session prompts into the text a customer sees. Customer text is cleaned before it is echoed.
public enum PromptRenderer {
    /// How one question page is drawn.
    public struct PageOptions: Sendable, Hashable {
        /// Why the last answer was not taken, shown under the question.
        public var reprompt: RepromptReason?
        /// A privacy notice shown above the question, in the customer's language.
        public var notice: String?
        /// Whether a keypress answers (the hints say "press" instead of "answer with").
        public var singleKey: Bool
        /// An example account reference for the account question's hint.
        public var accountExample: String?

        /// Creates options.
        public init(reprompt: RepromptReason? = nil, notice: String? = nil, singleKey: Bool = false,
                    accountExample: String? = nil) {
            self.reprompt = reprompt
            self.notice = notice
            self.singleKey = singleKey
            self.accountExample = accountExample
        }
    }

    /// One whole screen for `prompt`: the survey's title, then the question (or language choice), wrapped
    /// at word boundaries to `width` columns.
    public static func page(_ prompt: SessionPrompt, survey: Survey, options: PageOptions = PageOptions(),
                            width: Int) -> String {
        let language: String
        let title: String
        switch prompt {
        case .language(let languages):
            // Before a language is chosen, the title in every one of them.
            language = languages.first ?? "en"
            title = Self.title(of: survey, in: languages)
        case .question(let question):
            language = question.language
            title = survey.title.text(in: language)
        }
        var text = title + "\n" + render(prompt, survey: survey, options: options)
        if let reason = options.reprompt {
            text += "→ " + Phrasebook(language).reprompt(reason) + "\n"
        }
        return TextWrapper.wrap(text, width: width)
    }

    /// The survey's title in each of `languages`, each distinct one once: "Ditt besök i butiken / Your showroom
    /// visit" (before a language is chosen).
    public static func title(of survey: Survey, in languages: [String]) -> String {
        var seen = Set<String>()
        return languages.map { survey.title.text(in: $0) }.filter { seen.insert($0).inserted }.joined(separator: " / ")
    }

    /// The text shown before the input line for `prompt`.
    public static func render(_ prompt: SessionPrompt, survey: Survey, options: PageOptions = PageOptions()) -> String {
        switch prompt {
        case .language(let languages):
            var lines = ["", Phrasebook.chooseLanguage(languages)]
            for (index, language) in languages.enumerated() {
                lines.append("  \(index + 1)) \(Phrasebook.name(of: language))")
            }
            return lines.joined(separator: "\n") + "\n"
        case .question(let question):
            return render(question, options: options)
        }
    }

    /// The text of one question: progress, the question, its scale or options, how to go back or skip.
    public static func render(_ prompt: QuestionPrompt, options: PageOptions = PageOptions()) -> String {
        let phrases = Phrasebook(prompt.language)
        let question = prompt.question
        var lines = ["", phrases.progress(prompt.number, of: prompt.total)]
        if let notice = options.notice {
            lines.append(notice)
            lines.append("")
        }
        lines.append(question.text.text(in: prompt.language))
        switch question.kind {
        case .nps, .ces, .csat:
            if let scale = question.kind.scale, let labels = question.kind.labels {
                lines.append(phrases.scaleHint(scale, low: labels.low.text(in: prompt.language),
                                               high: labels.high.text(in: prompt.language), singleKey: options.singleKey))
                lines.append("  " + scale.map(String.init).joined(separator: "  "))
            }
        case .choice(let choices):
            for (index, option) in choices.enumerated() {
                lines.append("  \(index + 1)) \(option.label.text(in: prompt.language))")
            }
            lines.append(phrases.choiceHint(singleKey: options.singleKey))
        case .yesno:
            lines.append(phrases.yesNoHint(singleKey: options.singleKey))
        case .text:
            lines.append(question.asksForAccount ? phrases.accountHint(example: options.accountExample) : phrases.textHint)
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
