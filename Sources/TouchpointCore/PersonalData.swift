/// Personal data customers type into comment boxes: e-mail addresses, phone numbers (Swedish and international),
/// Swedish personal identity numbers (with their check digit) and payment card numbers (Luhn).
///
/// ``mask(_:)`` replaces each with its kind's placeholder (`[email]`, `[phone]`, `[personal-id]`, `[card]`) and counts
/// them. Detection leans towards not masking what is not personal data: order numbers, dates, times, prices and years
/// are left alone (a number must have the shape, the length and, where there is one, the check digit).
public enum PersonalData {
    /// What a detected item is.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case email, phone
        case personalID = "personal-id"
        case card

        /// The text that replaces it: `[email]`, `[phone]`, `[personal-id]`, `[card]`.
        public var placeholder: String { "[\(rawValue)]" }

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
        }
    }

    /// Text with its personal data masked, and how many of each kind were.
    public struct Masked: Sendable, Hashable {
        /// The text, each item replaced by its placeholder.
        public var text: String
        /// How many items of each kind were masked (kinds not found are absent).
        public var counts: [Kind: Int]

        /// Whether anything was masked.
        public var isChanged: Bool { !counts.isEmpty }
    }

    /// `counts` for people: `2 e-mail addresses, 1 phone number` (kinds in a fixed order); empty for none.
    public static func describe(_ counts: [Kind: Int]) -> String {
        let names: [Kind: (String, String)] = [
            .email: ("e-mail address", "e-mail addresses"), .phone: ("phone number", "phone numbers"),
            .personalID: ("personal identity number", "personal identity numbers"), .card: ("card number", "card numbers"),
        ]
        return Kind.allCases.compactMap { kind in
            guard let count = counts[kind], count > 0, let name = names[kind] else { return nil }
            return "\(count) \(count == 1 ? name.0 : name.1)"
        }.joined(separator: ", ")
    }

    /// `text` with every detected item replaced by its placeholder.
    public static func mask(_ text: String) -> Masked {
        let found = detect(text)
        guard !found.isEmpty else { return Masked(text: text, counts: [:]) }
        var result = ""
        var counts: [Kind: Int] = [:]
        var cursor = text.startIndex
        for item in found {
            result += text[cursor..<item.range.lowerBound]
            result += item.kind.placeholder
            counts[item.kind, default: 0] += 1
            cursor = item.range.upperBound
        }
        result += text[cursor...]
        return Masked(text: result, counts: counts)
    }

    /// One detected item: where and what.
    public struct Item: Sendable, Hashable {
        /// Its place in the text.
        public var range: Range<String.Index>
        /// What it is.
        public var kind: Kind
    }

    /// The items of `text`, in order, never overlapping (an e-mail address first, then numbers).
    public static func detect(_ text: String) -> [Item] {
        // Every item holds an `@` or a decimal digit (`\d` is any Unicode decimal digit): most comments hold neither,
        // and this scan costs a fraction of the patterns (measured by touchpoint-bench: ~48 µs per comment without it).
        guard text.unicodeScalars.contains(where: { scalar in
            scalar.isASCII ? scalar == "@" || ("0"..."9").contains(scalar) : scalar.properties.numericType == .decimal
        }) else { return [] }
        var items: [Item] = []
        for match in text.matches(of: emailPattern) {
            items.append(Item(range: match.range, kind: .email))
        }
        for match in text.matches(of: numberPattern) {
            let range = match.range
            if items.contains(where: { $0.range.overlaps(range) }) { continue }
            if let kind = classify(text, range) {
                items.append(Item(range: range, kind: kind))
            }
        }
        return items.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    // MARK: Patterns

    /// `name@example.se`: a local part, `@`, a domain with a dot and a top-level part of two letters or more.
    nonisolated(unsafe) static let emailPattern = #/[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}/#

    /// A run of digits that may hold spaces, dashes or brackets between them, with an optional leading `+`: the
    /// candidates for phone, personal identity and card numbers (dots and slashes end a run: dates, versions, lists).
    nonisolated(unsafe) static let numberPattern = #/\+?\(?\d(?:[\d \-()]*\d)?/#

    /// What the candidate at `range` of `text` is, if anything.
    static func classify(_ text: String, _ range: Range<String.Index>) -> Kind? {
        let candidate = text[range]
        // Never a part of a longer word or number (`ABC12345`, `v2.3`).
        if range.lowerBound > text.startIndex {
            let before = text[text.index(before: range.lowerBound)]
            if before.isLetter || before.isNumber || before == "#" { return nil }
        }
        if range.upperBound < text.endIndex {
            let after = text[range.upperBound]
            if after.isLetter && !after.isWhitespace { return nil }
        }
        let digits = candidate.filter(\.isNumber).compactMap(\.wholeNumberValue)
        // Prices and amounts: a number followed by a currency.
        let rest = text[range.upperBound...].prefix(5).lowercased().trimmingPrefixSpaces()
        if rest.hasPrefix("kr") || rest.hasPrefix("sek") || rest.hasPrefix(":-") || rest.hasPrefix("eur") || rest.hasPrefix("€")
            || rest.hasPrefix("$") || rest.hasPrefix("%") {
            return nil
        }
        if let kind = personalID(candidate, digits: digits) { return kind }
        if isCard(candidate, digits: digits) { return .card }
        if isPhone(candidate, digits: digits) { return .phone }
        return nil
    }

    /// A Swedish personal identity (or co-ordination) number: `YYMMDD-NNNN`, `YYMMDD+NNNN`, `YYYYMMDD-NNNN` or the
    /// digits alone, a real month and day (day + 60 for a co-ordination number) and a valid check digit.
    static func personalID(_ candidate: Substring, digits: [Int]) -> Kind? {
        let separators = candidate.filter { !$0.isNumber }
        guard separators.isEmpty || separators == "-" || separators == "+" else { return nil }
        var tenDigits: [Int]
        switch digits.count {
        case 10: tenDigits = digits
        case 12:
            let century = digits[0] * 10 + digits[1]
            guard century == 19 || century == 20 else { return nil }
            tenDigits = Array(digits.dropFirst(2))
        default: return nil
        }
        if let dash = candidate.firstIndex(where: { $0 == "-" || $0 == "+" }) {
            // The separator stands before the last four digits.
            guard candidate[candidate.index(after: dash)...].count == 4 else { return nil }
        } else if digits.count == 10, digits.first == 0 {
            // Ten digits from 0 without the dash are a phone number (070…), not someone born in 200x.
            return nil
        }
        let month = tenDigits[2] * 10 + tenDigits[3]
        let day = tenDigits[4] * 10 + tenDigits[5]
        guard (1...12).contains(month), (1...31).contains(day) || (61...91).contains(day) else { return nil }
        return luhn(tenDigits) ? .personalID : nil
    }

    /// A payment card number: 13–19 digits starting with 2–6 (the card networks), a valid Luhn check digit, written
    /// whole or in the networks' groups (4-4-4-4, 4-4-4-4-3, 4-6-5, 4-6-4) with spaces or dashes.
    static func isCard(_ candidate: Substring, digits: [Int]) -> Bool {
        guard (13...19).contains(digits.count), let first = digits.first, (2...6).contains(first), luhn(digits) else { return false }
        let groups = candidate.split(whereSeparator: { $0 == " " || $0 == "-" }).map(\.count)
        guard candidate.allSatisfy({ $0.isNumber || $0 == " " || $0 == "-" }) else { return false }
        return groups.count == 1 || [[4, 4, 4, 4], [4, 4, 4, 4, 3], [4, 6, 5], [4, 6, 4]].contains(groups)
    }

    /// A phone number: international (`+46 70 123 45 67`, `0046…`, `+44 20 7946 0958`: 8–15 digits) or Swedish national
    /// (`070-123 45 67`, `08-123 456 78`, `0771-23 45 67`: a leading 0 and 8–10 digits).
    static func isPhone(_ candidate: Substring, digits: [Int]) -> Bool {
        // Dots and slashes make dates (`30.11.2026`, `11/30`); a phone is written with spaces, dashes and brackets.
        guard !candidate.contains("."), !candidate.contains("/") else { return false }
        if candidate.hasPrefix("+") || candidate.hasPrefix("(+") {
            return (8...15).contains(digits.count)
        }
        if digits.starts(with: [0, 0]) {
            return (10...17).contains(digits.count)
        }
        guard digits.first == 0, digits.count > 1, digits[1] != 0 else { return false }
        // A Swedish number of one piece, or of groups (`070-123 45 67`); an ISO date has no leading 0.
        return (8...10).contains(digits.count)
    }

    /// The Luhn check over `digits` (the last one the check digit).
    static func luhn(_ digits: [Int]) -> Bool {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}

extension String {
    /// The string without its leading spaces.
    fileprivate func trimmingPrefixSpaces() -> Substring {
        self.drop { $0 == " " }
    }
}

extension ResponseDraft {
    /// The draft with personal data masked in its free-text answers (``PersonalData/mask(_:)``), for a kiosk that
    /// keeps it from ever leaving (`maskPersonalData: true`): masked before the response is signed.
    public func maskingPersonalData() -> ResponseDraft {
        var draft = self
        for index in draft.answers.indices {
            if case .text(let text) = draft.answers[index].value {
                draft.answers[index].value = .text(PersonalData.mask(text).text)
            }
        }
        return draft
    }
}
