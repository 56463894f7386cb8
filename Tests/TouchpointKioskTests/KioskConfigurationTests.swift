import Testing
import TouchpointCore
import TouchpointStore
@testable import TouchpointKiosk

@Suite struct KioskConfigurationTests {
    @Test func defaultsWorkWithoutAnyFile() {
        let configuration = KioskConfiguration()
        #expect(configuration.idleTimeout == 120)
        #expect(configuration.surveysDirectory == "surveys")
        #expect(configuration.responsesDirectory == "responses")
        #expect(configuration.staffPINHash == nil)
    }

    @Test func fileOverridesDefaults() throws {
        var configuration = KioskConfiguration()
        try configuration.apply(yaml: """
            site: malmo-showroom
            kiosk: entrance
            touchpoint: retail
            language: sv
            idleTimeout: 45
            minimumSeconds: 12
            maxAnswerLength: 200
            surveys: /srv/surveys
            responses: /var/lib/touchpoint
            keyFile: /etc/touchpoint/kiosk.key.jwk
            staffPinHash: \(Self.hash)
            """, file: "touchpoint.yaml")
        #expect(configuration.site == "malmo-showroom")
        #expect(configuration.kiosk == "entrance")
        #expect(configuration.language == "sv")
        #expect(configuration.idleTimeout == 45)
        #expect(configuration.minimumSeconds == 12)
        #expect(configuration.maxAnswerLength == 200)
        #expect(configuration.responsesDirectory == "/var/lib/touchpoint")
        #expect(configuration.staffPINHash == Self.hash)
        #expect(configuration.unconfiguredIdentity.isEmpty)
    }

    static let hash = PINHash.make(pin: "2468", iterations: 1000).encoded

    @Test func builtInIdentityIsKnownAsSuch() throws {
        #expect(KioskConfiguration().unconfiguredIdentity == ["site", "kiosk"])
        var configuration = KioskConfiguration()
        try configuration.apply(yaml: "site: malmo-showroom\n", file: "touchpoint.yaml")
        #expect(configuration.unconfiguredIdentity == ["kiosk"])
        configuration.kiosk = "entrance"
        #expect(configuration.unconfiguredIdentity.isEmpty)
    }

    @Test func lockdownScreenAndAccountSettings() throws {
        var configuration = KioskConfiguration()
        try configuration.apply(yaml: """
            language: SV
            singleKey: true
            privacyNotice: {en: No names please., sv: "Inga namn, tack."}
            accountPattern: '^ACC-[0-9]{4}$'
            accountExample: ACC-1234
            pinAttempts: 3
            pinLockoutSeconds: 120
            logDirectory: /var/log/touchpoint
            """, file: "touchpoint.yaml")
        #expect(configuration.language == "sv")
        #expect(configuration.singleKey)
        #expect(configuration.privacyNotice == LocalizedText(["en": "No names please.", "sv": "Inga namn, tack."]))
        #expect(configuration.accountRule.pattern == "^ACC-[0-9]{4}$")
        #expect(configuration.accountRule.accept(" acc-1234 ") == .accepted("ACC-1234"))
        #expect(configuration.accountRule.accept("ACME 42") == .mismatch)
        #expect(configuration.pinAttempts == 3)
        #expect(configuration.pinLockoutSeconds == 120)
        #expect(configuration.logDirectory == "/var/log/touchpoint")
    }

    @Test func badLockdownAndAccountSettingsSayWhere() {
        var configuration = KioskConfiguration()
        #expect(throws: ConfigurationError.self) {
            try configuration.apply(yaml: "site: a\naccountPattern: '^ACC-[0-9'\n", file: "t.yaml")
        }
        do {
            try configuration.apply(yaml: "site: a\naccountPattern: '^ACC-[0-9'\n", file: "t.yaml")
        } catch {
            #expect("\(error)".hasPrefix("t.yaml:2:1: accountPattern:"), "\(error)")
        }
        #expect(throws: ConfigurationError("t.yaml:1:1: accountExample 'X' does not match accountPattern")) {
            try configuration.apply(yaml: "accountPattern: '^ACC-[0-9]{4}$'\naccountExample: X\n", file: "t.yaml")
        }
        #expect(throws: ConfigurationError("t.yaml:1:1: pinAttempts must be a whole number above 0")) {
            try configuration.apply(yaml: "pinAttempts: 0\n", file: "t.yaml")
        }
        #expect(throws: ConfigurationError("t.yaml:1:1: singleKey must be true or false")) {
            try configuration.apply(yaml: "singleKey: sometimes\n", file: "t.yaml")
        }
        #expect(throws: ConfigurationError("t.yaml:1:17: privacyNotice: language 'de' is not supported (sv, en)")) {
            try configuration.apply(yaml: "privacyNotice: {de: Keine Namen}\n", file: "t.yaml")
        }
        #expect(throws: ConfigurationError.self) {
            try configuration.apply(yaml: "staffPinHash: '1234'\n", file: "t.yaml")
        }
    }

    @Test func keptResponsesHaveTheirDaysAndRejectedOnesAtMost90() throws {
        var configuration = KioskConfiguration()
        #expect(configuration.keepSentDays == 30 && configuration.keepRejectedDays == 30)
        try configuration.apply(yaml: "keepSentDays: 7\nkeepRejectedDays: 90\n", file: "t.yaml")
        #expect(configuration.keepSentDays == 7 && configuration.keepRejectedDays == 90)
        #expect(throws: ConfigurationError(
            "t.yaml:1:1: keepRejectedDays must be a whole number of days from 1 to 90 (rejected responses hold answers that never reach the collector)"
        )) {
            try configuration.apply(yaml: "keepRejectedDays: 365\n", file: "t.yaml")
        }
        #expect(throws: ConfigurationError("t.yaml:2:1: keepSentDays must be a whole number of days, 0 or more")) {
            try configuration.apply(yaml: "site: a\nkeepSentDays: -1\n", file: "t.yaml")
        }
    }

    @Test func unknownKeysAndBadValuesSayWhere() {
        var configuration = KioskConfiguration()
        #expect(throws: ConfigurationError("touchpoint.yaml:2:1: unknown key 'idle' (known: \(KioskConfiguration.fileKeys.joined(separator: ", ")))")) {
            try configuration.apply(yaml: "site: a\nidle: 3\n", file: "touchpoint.yaml")
        }
        #expect(throws: ConfigurationError("c.yaml:1:1: idleTimeout must be a number, 0 or more")) {
            try configuration.apply(yaml: "idleTimeout: soon\n", file: "c.yaml")
        }
        #expect(throws: ConfigurationError("c.yaml:1:1: language 'de' is not supported (sv, en)")) {
            try configuration.apply(yaml: "language: de\n", file: "c.yaml")
        }
    }

    @Test func siteSettingsReplaceTheFileButNotTheFlags() throws {
        var configuration = KioskConfiguration()
        try configuration.apply(yaml: "language: en\nidleTimeout: 60\nthankYou: {sv: Tack!}\nsurveyCache: cache\n", file: "t.yaml")
        #expect(configuration.thankYou == LocalizedText(["sv": "Tack!"]) && configuration.surveyCacheDirectory == "cache")
        let settings = KioskSettings(
            language: "sv", idleTimeout: 90, minimumSeconds: 3, thankYou: LocalizedText(["en": "Thanks!"]),
            staffPinHash: "pbkdf2-sha256$1$c2FsdA$aGFzaA", privacyNotice: LocalizedText(["en": "Kept 12 months."]))
        let applied = configuration.applying(settings, except: ["idleTimeout"])
        #expect(applied.language == "sv" && applied.minimumSeconds == 3 && applied.thankYou == LocalizedText(["en": "Thanks!"]))
        #expect(applied.staffPINHash == "pbkdf2-sha256$1$c2FsdA$aGFzaA" && applied.privacyNotice == LocalizedText(["en": "Kept 12 months."]))
        // --idle-timeout was given as a flag: it wins over the site's setting.
        #expect(applied.idleTimeout == 60)
        #expect(configuration.applying(nil, except: []) == configuration)
        #expect(throws: ConfigurationError.self) { try configuration.apply(yaml: "thankYou: {de: Danke}\n", file: "t.yaml") }
    }
}
