import TouchpointCore

/// Checks a response's answers against the survey it claims to answer.
///
/// Every answer must name a question of the survey, with its type and a value the question allows (a
/// number within the scale, a listed option, true/false, a string of at most
/// ``TouchpointCore/Question/maximumTextLength`` characters). Visibility is evaluated the way the
/// kiosk's session does: an answer to a question its `when:` hides is refused, and a `complete` response
/// must answer every visible question that is not optional. Answer values are never quoted in problems,
/// except option ids and scale numbers.
public enum ResponseValidator {
    /// The first problem found, e.g. `answers[1] (question "recommend"): 11 is outside 0–10`, or nil.
    public static func problem(in response: SurveyResponse, against survey: Survey) -> String? {
        if !survey.languages.contains(response.language) {
            return "field language: \(quoted(response.language)) is not a language of survey \(survey.id)"
        }
        if let account = response.account {
            if account.isEmpty || account.count > Question.maximumAccountLength {
                return "field account: must be 1 to \(Question.maximumAccountLength) characters"
            }
            if account.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                return "field account: must not contain control characters"
            }
        }
        var given: [String: AnswerValue] = [:]
        for (index, answer) in response.answers.enumerated() {
            let field = "answers[\(index)] (question \(quoted(answer.question)))"
            guard let question = survey.question(answer.question) else {
                return "\(field): survey \(survey.id) version \(survey.version) has no such question"
            }
            if question.asksForAccount {
                return "\(field): the answer to an account question belongs in field account, not among the answers"
            }
            if given[question.id] != nil {
                return "\(field): answered twice"
            }
            if answer.type != question.type {
                return "\(field): type \(answer.type.rawValue) does not match the question's type \(question.type.rawValue)"
            }
            if let problem = valueProblem(answer.value, for: question) {
                return "\(field): \(problem)"
            }
            given[question.id] = answer.value
        }
        for question in survey.questions {
            let visible = question.condition.map { $0.matches(given[$0.question]) } ?? true
            if !visible, given[question.id] != nil {
                let index = response.answers.firstIndex { $0.question == question.id } ?? 0
                return "answers[\(index)] (question \(quoted(question.id))): answered although its condition hides it"
            }
            if question.asksForAccount {
                if visible, response.status == .complete, !question.optional, response.account == nil {
                    return "field account: required account question \(quoted(question.id)) is not answered in a complete response"
                }
                continue
            }
            if visible, response.status == .complete, !question.optional, given[question.id] == nil {
                return "field answers: required question \(quoted(question.id)) is not answered in a complete response"
            }
        }
        return nil
    }

    /// Why `value` is not an answer `question` allows, or nil if it is.
    static func valueProblem(_ value: AnswerValue, for question: Question) -> String? {
        switch question.kind {
        case .nps, .ces, .csat:
            guard case .number(let number) = value else { return "expected a number" }
            guard let scale = question.kind.scale, scale.contains(number) else {
                let scale = question.kind.scale.map { "\($0.lowerBound)–\($0.upperBound)" } ?? "the scale"
                return "\(number) is outside \(scale)"
            }
            return nil
        case .text:
            guard case .text(let text) = value else { return "expected text" }
            // A text has no more characters than UTF-8 bytes: only a long one needs counting.
            guard text.utf8.count <= Question.maximumTextLength || text.count <= Question.maximumTextLength else {
                return "the text is \(text.count) characters; the limit is \(Question.maximumTextLength)"
            }
            return nil
        case .choice(let options):
            guard case .option(let id) = value else { return "expected an option id" }
            guard options.contains(where: { $0.id == id }) else {
                return "\(quoted(id)) is not one of the options \(options.map(\.id).joined(separator: ", "))"
            }
            return nil
        case .yesno:
            guard case .bool = value else { return "expected true or false" }
            return nil
        }
    }

    /// `"value"`, cut to 40 characters, for ids taken from a payload.
    static func quoted(_ value: String) -> String {
        let cut = value.count > 40 ? String(value.prefix(40)) + "…" : value
        return "\"\(cut)\""
    }
}
