import Foundation

/// Kiosk settings a collector sets per site (issue 13): each one given replaces the kiosk's own value from
/// `touchpoint.yaml`; one left out leaves it alone. The same definition on both ends, so the collector refuses
/// what a kiosk would refuse.
public struct KioskSettings: Sendable, Hashable, Codable {
    /// The language every session starts in, instead of asking (a code of ``Phrasebook/languages``).
    public var language: String?
    /// Seconds without input before a session is abandoned (above 0).
    public var idleTimeout: Double?
    /// In unattended mode, a response answered faster than this many seconds is marked suspect (0 or more).
    public var minimumSeconds: Double?
    /// The thank-you shown after a response, by language.
    public var thankYou: LocalizedText?
    /// The staff PIN's hash, as `touchpoint pin hash` prints it (checked where the hash format is known).
    public var staffPinHash: String?
    /// The privacy notice shown before the first question, by language.
    public var privacyNotice: LocalizedText?

    /// Creates settings; every one left nil keeps the kiosk's own value.
    public init(
        language: String? = nil, idleTimeout: Double? = nil, minimumSeconds: Double? = nil, thankYou: LocalizedText? = nil,
        staffPinHash: String? = nil, privacyNotice: LocalizedText? = nil
    ) {
        self.language = language
        self.idleTimeout = idleTimeout
        self.minimumSeconds = minimumSeconds
        self.thankYou = thankYou
        self.staffPinHash = staffPinHash
        self.privacyNotice = privacyNotice
    }

    /// Whether no setting is given.
    public var isEmpty: Bool { self == KioskSettings() }

    /// What is wrong, each naming its field (`idleTimeout: must be above 0 seconds, not -3`); empty if nothing.
    public func problems() -> [String] {
        var problems: [String] = []
        if let language, !Phrasebook.languages.contains(language) {
            problems.append("language: '\(language)' is not supported (\(Phrasebook.languages.joined(separator: ", ")))")
        }
        if let idleTimeout, !(idleTimeout > 0) || !idleTimeout.isFinite {
            problems.append("idleTimeout: must be above 0 seconds, not \(idleTimeout)")
        }
        if let minimumSeconds, !(minimumSeconds >= 0) || !minimumSeconds.isFinite {
            problems.append("minimumSeconds: must be 0 or more seconds, not \(minimumSeconds)")
        }
        for (name, text) in [("thankYou", thankYou), ("privacyNotice", privacyNotice)] {
            guard let text else { continue }
            for (language, value) in text.translations.sorted(by: { $0.key < $1.key }) {
                if !Phrasebook.languages.contains(language) {
                    problems.append("\(name): language '\(language)' is not supported (\(Phrasebook.languages.joined(separator: ", ")))")
                } else if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    problems.append("\(name).\(language): must be a non-empty text")
                }
            }
            if text.translations.isEmpty {
                problems.append("\(name): must give a text in at least one language")
            }
        }
        if let staffPinHash, staffPinHash.isEmpty {
            problems.append("staffPinHash: must not be empty")
        }
        return problems
    }
}
