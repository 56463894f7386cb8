/// A visible string given in one or more languages, keyed by language code (`sv`, `en`, …).
public struct LocalizedText: Sendable, Hashable, Codable {
    /// The translations, keyed by language code.
    public var translations: [String: String]

    /// Creates a text from its translations.
    public init(_ translations: [String: String]) {
        self.translations = translations
    }

    /// The text in `language`, falling back to English and then to any translation.
    public func text(in language: String) -> String {
        if let value = translations[language] { return value }
        if let value = translations["en"] { return value }
        return translations.sorted { $0.key < $1.key }.first?.value ?? ""
    }

    /// The languages among `languages` that have no translation here.
    public func missing(from languages: [String]) -> [String] {
        languages.filter { (translations[$0] ?? "").isEmpty }
    }

    public init(from decoder: any Decoder) throws {
        translations = try decoder.singleValueContainer().decode([String: String].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(translations)
    }
}
