import Testing
@testable import TouchpointCore

@Suite("AccountRule")
struct AccountRuleTests {
    @Test("Normalising cleans, trims, makes runs of whitespace one space and uppercases", arguments: [
        ("  acc-1234 ", "ACC-1234"),
        ("acme   corp\t ltd", "ACME CORP LTD"),
        ("\u{1B}[31macc\u{07}-1\u{1B}[0m", "ACC-1"),
        ("åke\u{00A0}\u{00A0}öst", "ÅKE ÖST"),
        (" \t ", ""),
    ])
    func normalise(raw: String, expected: String) throws {
        #expect(try AccountRule().normalise(raw) == expected)
    }

    @Test("Without uppercase the case is kept")
    func keepsCase() throws {
        #expect(try AccountRule(uppercase: false).normalise("  Acme   Corp ") == "Acme Corp")
    }

    @Test("The default rule accepts any non-empty reference up to the limit")
    func defaultRule() throws {
        let rule = AccountRule.standard
        #expect(try AccountRule() == rule)
        #expect(rule.pattern == nil)
        #expect(rule.uppercase)
        #expect(rule.example == nil)
        #expect(rule.accept(" volvo-7 ") == .accepted("VOLVO-7"))
        #expect(rule.accept("") == .empty)
        #expect(rule.accept("\u{1B}[A") == .empty)
        let limit = String(repeating: "x", count: Question.maximumAccountLength)
        #expect(rule.accept(limit) == .accepted(limit.uppercased()))
        #expect(rule.accept(limit + "x") == .tooLong)
        // The length is the normalised one: 100 spaces count as one.
        #expect(rule.accept("a" + String(repeating: " ", count: 100) + "b") == .accepted("A B"))
    }

    @Test("A pattern must match the whole normalised reference", arguments: [
        ("acc-1234", AccountCheck.accepted("ACC-1234")),
        (" ACC-0000 ", .accepted("ACC-0000")),
        ("ACC-123", .mismatch),
        ("ACC-12345", .mismatch),
        ("my ACC-1234", .mismatch),
        ("ACC 1234", .mismatch),
        ("", .empty),
        ("ACC-" + String(repeating: "1", count: 61), .tooLong),
    ])
    func anchoredPattern(raw: String, expected: AccountCheck) throws {
        let rule = try AccountRule(pattern: "^ACC-[0-9]{4}$", example: "ACC-1234")
        #expect(rule.accept(raw) == expected)
    }

    @Test("A pattern without anchors still has to match in full")
    func unanchoredPattern() throws {
        let digits = try AccountRule(pattern: "[0-9]+")
        #expect(digits.accept("12345") == .accepted("12345"))
        #expect(digits.accept("12a") == .mismatch)
        #expect(digits.accept("a12") == .mismatch)
        // The first alternative matches only a prefix of "AB"; the second matches all of it.
        let alternatives = try AccountRule(pattern: "A|AB")
        #expect(alternatives.accept("ab") == .accepted("AB"))
        #expect(alternatives.accept("abc") == .mismatch)
    }

    @Test("With uppercase off, the pattern sees the case as typed")
    func caseSensitivePattern() throws {
        let rule = try AccountRule(pattern: "^[a-z]+$", uppercase: false)
        #expect(rule.accept("volvo") == .accepted("volvo"))
        #expect(rule.accept("Volvo") == .mismatch)
    }

    @Test("A pattern that is not a regular expression is refused", arguments: ["ACC-[0-9", "(ACC", "a)(b", "*"])
    func invalidPattern(pattern: String) {
        let error = #expect(throws: AccountRuleError.self) { try AccountRule(pattern: pattern) }
        #expect(error?.pattern == pattern)
        #expect(error?.message.contains(pattern) == true)
    }
}
