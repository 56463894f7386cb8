/// The kiosk's own texts for customers (prompts, hints, re-prompts, thanks) in each supported language.
public struct Phrasebook: Sendable {
    /// The language code.
    public let language: String

    /// The languages the kiosk has texts for.
    public static let languages = ["sv", "en"]

    /// The phrasebook for `language` (English if the kiosk has no texts in it).
    public init(_ language: String) {
        self.language = Phrasebook.languages.contains(language) ? language : "en"
    }

    private var sv: Bool { language == "sv" }

    /// The language's own name ("Svenska", "English").
    public static func name(of language: String) -> String {
        switch language {
        case "sv": "Svenska"
        case "en": "English"
        default: language
        }
    }

    /// Asks the customer to pick a language (shown in every offered language at once).
    public static func chooseLanguage(_ languages: [String]) -> String {
        let asks = languages.map { Phrasebook($0).sv ? "Välj språk" : "Choose language" }
        return uniqued(asks).joined(separator: " / ")
    }

    /// "Question 2 of 5".
    public func progress(_ index: Int, of total: Int) -> String {
        sv ? "Fråga \(index) av \(total)" : "Question \(index) of \(total)"
    }

    /// How to answer a scale question by typing a number and pressing Enter.
    public func scaleHint(_ range: ClosedRange<Int>, low: String, high: String) -> String {
        scaleHint(range, low: low, high: high, singleKey: false)
    }

    /// How to answer a scale question; `singleKey` when one key press answers (no Enter).
    public func scaleHint(_ range: ClosedRange<Int>, low: String, high: String, singleKey: Bool) -> String {
        let (from, to) = (range.lowerBound, range.upperBound)
        if singleKey {
            return sv ? "Tryck på en siffra från \(from) (\(low)) till \(to) (\(high))."
                      : "Press a number from \(from) (\(low)) to \(to) (\(high))."
        }
        return sv ? "Svara med en siffra från \(from) (\(low)) till \(to) (\(high))."
                  : "Answer with a number from \(from) (\(low)) to \(to) (\(high))."
    }

    /// How to answer a choice question by typing a number and pressing Enter.
    public var choiceHint: String { choiceHint(singleKey: false) }

    /// How to answer a choice question; `singleKey` when one key press answers (no Enter).
    public func choiceHint(singleKey: Bool) -> String {
        if singleKey { return sv ? "Tryck på numret för ditt val." : "Press the number of your choice." }
        return sv ? "Svara med numret för ditt val." : "Answer with the number of your choice."
    }

    /// How to answer a yes/no question by typing and pressing Enter.
    public var yesNoHint: String { yesNoHint(singleKey: false) }

    /// How to answer a yes/no question; `singleKey` when one key press answers (no Enter).
    public func yesNoHint(singleKey: Bool) -> String {
        if singleKey { return sv ? "Tryck på j (ja) eller n (nej)." : "Press y (yes) or n (no)." }
        return sv ? "Svara j (ja) eller n (nej)." : "Answer y (yes) or n (no)."
    }

    /// How to answer the account question: type the customer number (like `example`, when given), then Enter.
    public func accountHint(example: String?) -> String {
        switch (sv, example) {
        case (true, let example?): "Skriv ditt kundnummer (till exempel \(example)) och tryck Enter."
        case (true, nil): "Skriv ditt kundnummer och tryck Enter."
        case (false, let example?): "Type your customer number (for example \(example)) and press Enter."
        case (false, nil): "Type your customer number and press Enter."
        }
    }

    /// How to answer a comment question.
    public var textHint: String { sv ? "Skriv din kommentar och tryck Enter." : "Type your comment and press Enter." }

    /// How to go back and skip.
    public func navigationHint(canGoBack: Bool, canSkip: Bool) -> String? {
        var parts: [String] = []
        if canGoBack { parts.append(sv ? "<  = föregående fråga" : "<  = previous question") }
        if canSkip { parts.append(sv ? "Enter utan svar = hoppa över" : "Enter with no answer = skip") }
        return parts.isEmpty ? nil : "(" + parts.joined(separator: " · ") + ")"
    }

    /// The answer that was given before, shown when the customer comes back to a question (Enter keeps it).
    public func previousAnswer(_ text: String) -> String {
        sv ? "Ditt tidigare svar: \(text) – tryck Enter för att behålla det eller skriv ett nytt."
           : "Your earlier answer: \(text) – press Enter to keep it, or change it."
    }

    /// "yes" / "no" in this language.
    public func yesNo(_ value: Bool) -> String {
        sv ? (value ? "ja" : "nej") : (value ? "yes" : "no")
    }

    /// The friendly re-prompt for an answer that could not be taken.
    public func reprompt(_ reason: RepromptReason) -> String {
        switch reason {
        case .notANumber(let range):
            return sv ? "Skriv en siffra från \(range.lowerBound) till \(range.upperBound), tack."
                      : "Please type a number from \(range.lowerBound) to \(range.upperBound)."
        case .outOfRange(let range):
            return sv ? "Den siffran finns inte på skalan – välj en från \(range.lowerBound) till \(range.upperBound)."
                      : "That number is not on the scale – pick one from \(range.lowerBound) to \(range.upperBound)."
        case .unknownOption(let count):
            return sv ? "Skriv numret på ett av alternativen (1–\(count)), tack."
                      : "Please type the number of one of the options (1–\(count))."
        case .notYesNo:
            return sv ? "Svara j för ja eller n för nej, tack." : "Please answer y for yes or n for no."
        case .required:
            return sv ? "Du behöver svara på den här frågan." : "This question needs an answer."
        case .tooLong(let limit):
            return sv ? "Svaret är för långt – högst \(limit) tecken, tack."
                      : "That answer is too long – at most \(limit) characters, please."
        case .atFirstQuestion:
            return sv ? "Det här är första frågan." : "This is the first question."
        case .unknownLanguage:
            return sv ? "Skriv numret för det språk du vill använda." : "Pick one of the languages by its number."
        case .accountFormat(let example?):
            return sv ? "Det ser inte ut som ett kundnummer – skriv det på formen \(example), tack."
                      : "That does not look like a customer number – type it like \(example), please."
        case .accountFormat(nil):
            return sv ? "Det ser inte ut som ett kundnummer – kontrollera det och skriv det igen, tack."
                      : "That does not look like a customer number – please check it and type it again."
        }
    }

    /// The thank-you at the end.
    public var thankYou: String { sv ? "Tack för dina svar!" : "Thank you for your answers!" }

    /// Said with the privacy notice when the kiosk masks personal data (`maskPersonalData: true`).
    public var personalDataMasked: String {
        sv ? "Telefonnummer, e-postadresser, personnummer och kortnummer i dina svar döljs innan svaren sparas."
           : "Phone numbers, e-mail addresses, personal identity numbers and card numbers in your answers are masked before they are saved."
    }

    /// Invitation on the unattended start screen.
    public var pressEnterToStart: String { sv ? "Tryck Enter för att börja." : "Press Enter to start." }

    /// Said when the idle timeout closed the survey.
    public var sessionTimedOut: String {
        sv ? "Enkäten stängdes eftersom inget skrevs på en stund."
           : "This survey was closed because nothing was typed for a while."
    }

    /// Said when the response could not be stored: an apology and where to get help.
    public var notSaved: String {
        sv ? "Tyvärr kunde dina svar inte sparas. Be personalen om hjälp."
           : "Sorry – your answers could not be saved. Please ask the staff for help."
    }
}

/// Why an answer was not taken; the customer is asked again.
public enum RepromptReason: Sendable, Hashable {
    /// Not a number where one was expected.
    case notANumber(ClosedRange<Int>)
    /// A number off the scale.
    case outOfRange(ClosedRange<Int>)
    /// Not one of the options (there are `count`).
    case unknownOption(count: Int)
    /// Not yes or no.
    case notYesNo
    /// An empty answer to a question that may not be skipped.
    case required
    /// Longer than the kiosk allows.
    case tooLong(limit: Int)
    /// "Back" at the first question.
    case atFirstQuestion
    /// The language picked is not offered.
    case unknownLanguage
    /// Not an account reference of the kiosk's form; `example` shows one (``AccountRule/example``).
    case accountFormat(example: String?)
}

/// Unique elements in first-seen order.
private func uniqued(_ items: [String]) -> [String] {
    var seen = Set<String>()
    return items.filter { seen.insert($0).inserted }
}
