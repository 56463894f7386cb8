/// The id rule: survey, question, option and touchpoint ids, and the kiosk and site ids a collector
/// enrols, are non-empty names of lowercase letters, digits, `-`, `_` and `.`.
///
/// Ids end up in file names, URLs, SQL parameters and CSV cells; the rule keeps them harmless in all of them.
public enum Identifier {
    /// The characters an id may hold.
    private static let characters = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.")

    /// The rule in words, for messages: "lowercase letters, digits, '-', '_' and '.'".
    public static let allowedCharacters = "lowercase letters, digits, '-', '_' and '.'"

    /// Whether `value` follows the rule.
    public static func isValid(_ value: String) -> Bool {
        !value.isEmpty && value.allSatisfy { characters.contains($0) }
    }

    /// What is wrong with `value` as the id called `name` (e.g. `id`, `--kiosk`), or nil if it follows the rule.
    public static func problem(_ value: String, name: String) -> String? {
        if value.isEmpty {
            return "\(name) must be a non-empty name"
        }
        if !isValid(value) {
            return "\(name) '\(value)' may hold only \(allowedCharacters)"
        }
        return nil
    }
}
