import Foundation

/// What an account reference looks like at this kiosk: how typed text is normalised and what it must match.
///
/// The same rule checks what a customer types at the account question (``SurveySession``) and what staff
/// enter before handing the kiosk over (the kiosk normalises that with ``normalise(_:)`` first).
public struct AccountRule: Sendable, Hashable {
    /// A regular expression the normalised reference must match in full (e.g. `^ACC-[0-9]{4}$`), or nil for any.
    ///
    /// Checked when the rule is created; a pattern set afterwards that does not compile matches nothing.
    public var pattern: String?
    /// Whether references are uppercased (`acc-1234` is taken as `ACC-1234`).
    public var uppercase: Bool
    /// A reference of the right form, shown to customers in hints (e.g. `ACC-1234`).
    public var example: String?

    /// The rule when the kiosk sets none: any reference up to the length limit, uppercased.
    public static let standard = AccountRule(checked: nil, uppercase: true, example: nil)

    /// Creates a rule; throws ``AccountRuleError`` if `pattern` is not a regular expression.
    public init(pattern: String? = nil, uppercase: Bool = true, example: String? = nil) throws {
        if let pattern {
            do {
                _ = try NSRegularExpression(pattern: pattern)
                _ = try NSRegularExpression(pattern: AccountRule.whole(pattern))
            } catch {
                throw AccountRuleError(
                    message: "the account pattern '\(pattern)' is not a regular expression", pattern: pattern,
                    cause: error)
            }
        }
        self.init(checked: pattern, uppercase: uppercase, example: example)
    }

    private init(checked pattern: String?, uppercase: Bool, example: String?) {
        self.pattern = pattern
        self.uppercase = uppercase
        self.example = example
    }

    /// `raw` cleaned of control characters, trimmed, with each run of whitespace made one space, and
    /// uppercased if the rule says so.
    public func normalise(_ raw: String) -> String {
        let words = TextSanitizer.clean(raw).split(whereSeparator: \.isWhitespace)
        let joined = words.joined(separator: " ")
        return uppercase ? joined.uppercased() : joined
    }

    /// Normalises `raw` and says whether it is an acceptable reference, and if not, why not.
    public func accept(_ raw: String) -> AccountCheck {
        let reference = normalise(raw)
        if reference.isEmpty { return .empty }
        if reference.count > Question.maximumAccountLength { return .tooLong }
        if let pattern, !AccountRule.matchesWhole(pattern, reference) { return .mismatch }
        return .accepted(reference)
    }

    /// `pattern` anchored at both ends of the input, so that only a match of the whole string counts
    /// (`A|AB` then matches `AB`, which a search for the first match would miss).
    private static func whole(_ pattern: String) -> String {
        "\\A(?:" + pattern + ")\\z"
    }

    private static func matchesWhole(_ pattern: String, _ text: String) -> Bool {
        guard let expression = try? NSRegularExpression(pattern: whole(pattern)) else { return false }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, range: range) != nil
    }
}

/// What ``AccountRule/accept(_:)`` made of a typed reference.
public enum AccountCheck: Sendable, Hashable {
    /// Acceptable; the normalised reference.
    case accepted(String)
    /// Nothing but whitespace or control characters.
    case empty
    /// Longer than ``Question/maximumAccountLength`` once normalised.
    case tooLong
    /// Does not match the rule's pattern.
    case mismatch
}

/// An account rule could not be created: its pattern is not a regular expression.
public struct AccountRuleError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, for people.
    public var message: String
    /// The pattern that did not compile.
    public var pattern: String
    /// The regular-expression engine's own error.
    public var cause: (any Error & Sendable)?

    /// Creates the error.
    public init(message: String, pattern: String, cause: (any Error & Sendable)? = nil) {
        self.message = message
        self.pattern = pattern
        self.cause = cause
    }

    /// The message.
    public var description: String { message }
}
