import Testing
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
            staffPinHash: pbkdf2-sha256$1000$abc$def
            """, file: "touchpoint.yaml")
        #expect(configuration.site == "malmo-showroom")
        #expect(configuration.kiosk == "entrance")
        #expect(configuration.language == "sv")
        #expect(configuration.idleTimeout == 45)
        #expect(configuration.minimumSeconds == 12)
        #expect(configuration.maxAnswerLength == 200)
        #expect(configuration.responsesDirectory == "/var/lib/touchpoint")
        #expect(configuration.staffPINHash == "pbkdf2-sha256$1000$abc$def")
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
}
