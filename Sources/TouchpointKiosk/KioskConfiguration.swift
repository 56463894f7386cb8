import Foundation
import TouchpointCore
import TouchpointStore
import Yams

/// Everything the kiosk needs to know about its site and setup; every field has a default, so the
/// kiosk runs with no configuration at all.
public struct KioskConfiguration: Sendable, Hashable {
    /// The site id used when none is configured.
    public static let defaultSite = "demo-site"
    /// The kiosk id used when none is configured.
    public static let defaultKiosk = "kiosk-1"

    /// The site id (showroom, service centre).
    public var site = KioskConfiguration.defaultSite {
        didSet { siteIsConfigured = true }
    }
    /// This kiosk's id.
    public var kiosk = KioskConfiguration.defaultKiosk {
        didSet { kioskIsConfigured = true }
    }
    /// Whether the site came from the file or a flag rather than the built-in default.
    public private(set) var siteIsConfigured = false
    /// Whether the kiosk id came from the file or a flag rather than the built-in default.
    public private(set) var kioskIsConfigured = false
    /// The identity settings still at their built-in defaults (`site`, `kiosk`): responses recorded
    /// under them cannot be told apart from another unconfigured kiosk's.
    public var unconfiguredIdentity: [String] {
        (siteIsConfigured ? [] : ["site"]) + (kioskIsConfigured ? [] : ["kiosk"])
    }
    /// "no site or kiosk configured" (naming what is unset), or nil when both are configured.
    public var identityProblem: String? {
        unconfiguredIdentity.isEmpty ? nil : "no \(unconfiguredIdentity.joined(separator: " or ")) configured"
    }
    /// Overrides each survey's touchpoint when set.
    public var touchpoint: String?
    /// Language customers get without choosing; nil lets them choose when a survey has several.
    public var language: String?
    /// Seconds without input before a half-answered session is abandoned.
    public var idleTimeout: Double = 120
    /// The staff PIN, hashed (`touchpoint pin hash` prints one); nil asks staff for a PIN when unattended mode starts.
    public var staffPINHash: String?
    /// Unattended responses faster than this many seconds are marked suspect (a survey may override).
    public var minimumSeconds: Double? = 5
    /// The longest answer accepted, in characters.
    public var maxAnswerLength = 500
    /// Seconds the thank-you stays on screen before the screen is cleared.
    public var thankYouSeconds: Double = 4
    /// Where survey definitions are.
    public var surveysDirectory = "surveys"
    /// Where responses are buffered (`pending/`, `sent/`, `rejected/`).
    public var responsesDirectory = "responses"
    /// The kiosk's private key (created on first start, mode 0600).
    public var keyFile = "keys/kiosk.key.jwk"
    /// Staff command history.
    public var historyFile = ".touchpoint_history"
    /// The collector's base URL (`http://collector.example:8080`); nil keeps responses on the kiosk.
    public var collector: String?
    /// The upload token the collector issued for this kiosk at enrolment.
    public var collectorToken: String?
    /// A file holding the upload token (as `collector enroll --token-file` writes it, mode 0600), instead of
    /// ``collectorToken``.
    public var collectorTokenFile: String?
    /// A PEM file with the private CA that signed the collector's TLS certificate; nil trusts the system's CAs.
    /// When set, only this CA is trusted for the collector (and its URL must be `https://`).
    public var collectorCA: String?
    /// Single-key answers: a keypress answers questions whose every answer is one key (a survey may
    /// say otherwise with its own `singleKey`).
    public var singleKey = false
    /// The privacy notice shown before the first free-text question when the survey has none of its own.
    public var privacyNotice: LocalizedText?
    /// Mask personal data (e-mail addresses, phone numbers, personal identity and card numbers) in free-text answers
    /// before the response is signed, so the raw text never leaves the kiosk; the privacy notice says so (default false).
    public var maskPersonalData = false
    /// The survey the kiosk starts in unattended mode without staff input (a kiosk started at boot); nil starts at the
    /// staff prompt. Needs ``staffPINHash``: nobody is there to set a PIN.
    public var unattendedSurvey: String?
    /// Days a sent response stays in `responses/sent/` before it is removed (default 30; 0 removes them at the next
    /// daily prune).
    public var keepSentDays = 30
    /// Days a rejected response stays in `responses/rejected/` (default 30, at most 90: it holds answers that never
    /// reach the collector).
    public var keepRejectedDays = 30
    /// The thank-you shown after a response, by language, instead of the built-in one.
    public var thankYou: LocalizedText?
    /// Where the configuration the collector sends is cached (see ``TouchpointSync/SurveyCache``).
    public var surveyCacheDirectory = "survey-cache"
    /// How account references are normalised and checked (`accountPattern`, `accountUppercase`,
    /// `accountExample`).
    public var accountRule = AccountRule.standard
    /// Wrong staff PINs in a row before the PIN prompt is locked.
    public var pinAttempts = 5
    /// How long the PIN prompt stays locked after `pinAttempts` wrong PINs, in seconds.
    public var pinLockoutSeconds: Double = 300
    /// Where the kiosk on a terminal writes its log (`kiosk.log`) and crash reports, never on screen.
    public var logDirectory = "logs"

    /// The defaults.
    public init() {}

    /// The keys a configuration file may hold, as written in the file.
    public static let fileKeys = [
        "site", "kiosk", "touchpoint", "language", "idleTimeout", "staffPinHash", "minimumSeconds",
        "maxAnswerLength", "thankYouSeconds", "surveys", "responses", "keyFile", "historyFile", "collector",
        "collectorToken", "collectorTokenFile", "collectorCA", "singleKey", "privacyNotice", "thankYou", "surveyCache", "maskPersonalData", "keepSentDays", "keepRejectedDays", "unattended", "accountPattern", "accountUppercase", "accountExample",
        "pinAttempts", "pinLockoutSeconds", "logDirectory",
    ]

    /// Reads a YAML configuration file's text over these values; unknown keys and bad values are errors
    /// naming the file, line and key.
    public mutating func apply(yaml: String, file: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError("\(file): not valid YAML: \(error)")
        }
        guard let root else { return }
        guard let map = root.mapping else { throw ConfigurationError("\(file):1:1: expected keys such as 'site: …'") }
        var accountPattern = accountRule.pattern
        var accountUppercase = accountRule.uppercase
        var accountExample = accountRule.example
        var accountAt = "\(file):1:1"
        for (keyNode, value) in map {
            let key = keyNode.string ?? ""
            let at = "\(file):\(keyNode.mark?.line ?? 1):\(keyNode.mark?.column ?? 1)"
            func string() throws -> String {
                guard let text = value.string, !text.isEmpty else { throw ConfigurationError("\(at): \(key) must be a non-empty text") }
                return text
            }
            func number() throws -> Double {
                guard let number = value.float, number >= 0 else { throw ConfigurationError("\(at): \(key) must be a number, 0 or more") }
                return number
            }
            func flag() throws -> Bool {
                guard let flag = value.bool else { throw ConfigurationError("\(at): \(key) must be true or false") }
                return flag
            }
            switch key {
            case "site": site = try string()
            case "kiosk": kiosk = try string()
            case "touchpoint": touchpoint = try string()
            case "language":
                let code = try string().lowercased()
                guard Phrasebook.languages.contains(code) else {
                    throw ConfigurationError("\(at): language '\(code)' is not supported (\(Phrasebook.languages.joined(separator: ", ")))")
                }
                language = code
            case "idleTimeout":
                idleTimeout = try number()
                guard idleTimeout > 0 else { throw ConfigurationError("\(at): idleTimeout must be above 0 seconds") }
            case "staffPinHash":
                let hash = try string()
                do {
                    _ = try PINHash(encoded: hash)
                } catch {
                    throw ConfigurationError("\(at): staffPinHash is not a hash from `touchpoint pin hash`: \(error)")
                }
                staffPINHash = hash
            case "minimumSeconds": minimumSeconds = try number()
            case "maxAnswerLength":
                guard let value = value.int, value > 0 else { throw ConfigurationError("\(at): maxAnswerLength must be a whole number above 0") }
                maxAnswerLength = value
            case "thankYouSeconds": thankYouSeconds = try number()
            case "surveys": surveysDirectory = try string()
            case "responses": responsesDirectory = try string()
            case "keyFile": keyFile = try string()
            case "historyFile": historyFile = try string()
            case "collector":
                let url = try string()
                guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                    throw ConfigurationError("\(at): collector must be an http(s) URL such as http://127.0.0.1:8080")
                }
                collector = url
            case "collectorToken": collectorToken = try string()
            case "collectorTokenFile": collectorTokenFile = try string()
            case "collectorCA": collectorCA = try string()
            case "singleKey": singleKey = try flag()
            case "privacyNotice": privacyNotice = try Self.localizedText(value, key: key, file: file, at: at)
            case "maskPersonalData": maskPersonalData = try flag()
            case "unattended": unattendedSurvey = try string()
            case "keepSentDays":
                guard let value = value.int, value >= 0 else { throw ConfigurationError("\(at): keepSentDays must be a whole number of days, 0 or more") }
                keepSentDays = value
            case "keepRejectedDays":
                guard let value = value.int, (1...90).contains(value) else {
                    throw ConfigurationError("\(at): keepRejectedDays must be a whole number of days from 1 to 90 (rejected responses hold answers that never reach the collector)")
                }
                keepRejectedDays = value
            case "thankYou": thankYou = try Self.localizedText(value, key: key, file: file, at: at)
            case "surveyCache": surveyCacheDirectory = try string()
            case "accountPattern":
                accountPattern = try string()
                accountAt = at
            case "accountUppercase": accountUppercase = try flag()
            case "accountExample": accountExample = try string()
            case "pinAttempts":
                guard let value = value.int, value > 0 else { throw ConfigurationError("\(at): pinAttempts must be a whole number above 0") }
                pinAttempts = value
            case "pinLockoutSeconds": pinLockoutSeconds = try number()
            case "logDirectory": logDirectory = try string()
            default:
                throw ConfigurationError("\(at): unknown key '\(key)' (known: \(Self.fileKeys.joined(separator: ", ")))")
            }
        }
        do {
            accountRule = try AccountRule(pattern: accountPattern, uppercase: accountUppercase, example: accountExample)
        } catch let error as AccountRuleError {
            throw ConfigurationError("\(accountAt): accountPattern: \(error.message)")
        }
        if let accountExample {
            guard case .accepted = accountRule.accept(accountExample) else {
                throw ConfigurationError("\(accountAt): accountExample '\(accountExample)' does not match accountPattern")
            }
        }
    }

    /// A `{en: …, sv: …}` map of texts in the kiosk's languages.
    private static func localizedText(_ node: Node, key: String, file: String, at: String) throws -> LocalizedText {
        guard let map = node.mapping, !map.isEmpty else {
            throw ConfigurationError("\(at): \(key) must be texts by language, such as {en: …, sv: …}")
        }
        var translations: [String: String] = [:]
        for (languageNode, textNode) in map {
            let language = (languageNode.string ?? "").lowercased()
            let place = "\(file):\(languageNode.mark?.line ?? 1):\(languageNode.mark?.column ?? 1)"
            guard Phrasebook.languages.contains(language) else {
                throw ConfigurationError("\(place): \(key): language '\(language)' is not supported (\(Phrasebook.languages.joined(separator: ", ")))")
            }
            guard let text = textNode.string, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ConfigurationError("\(place): \(key).\(language) must be a non-empty text")
            }
            translations[language] = text
        }
        return LocalizedText(translations)
    }
}

/// A configuration file or flag that cannot be used.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and where.
    public var message: String

    /// Creates the error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

