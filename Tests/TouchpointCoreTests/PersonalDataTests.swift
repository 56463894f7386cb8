import Testing
@testable import TouchpointCore

/// Personal data in comment text (issue 15): what is masked, and what must not be.
@Suite("Personal data in comments")
struct PersonalDataTests {
    /// Real-looking personal data in Swedish and English comments, and what each becomes.
    static let positives: [(String, String, [PersonalData.Kind: Int])] = [
        ("Mejla mig på anna.svensson@example.se tack", "Mejla mig på [email] tack", [.email: 1]),
        ("Contact: j.doe+cars@mail.co.uk.", "Contact: [email].", [.email: 1]),
        ("Ring mig på 070-123 45 67 efter fem", "Ring mig på [phone] efter fem", [.phone: 1]),
        ("ring 0701234567", "ring [phone]", [.phone: 1]),
        ("Vårt växelnummer 08-123 456 78.", "Vårt växelnummer [phone].", [.phone: 1]),
        ("Call +46 70 123 45 67 or +44 20 7946 0958", "Call [phone] or [phone]", [.phone: 2]),
        ("nummer 0046701234567", "nummer [phone]", [.phone: 1]),
        ("+46 (0)70-123 45 67", "[phone]", [.phone: 1]),
        ("Mitt personnummer är 811218-9876", "Mitt personnummer är [personal-id]", [.personalID: 1]),
        ("pnr 19640823-3234, fixa det", "pnr [personal-id], fixa det", [.personalID: 1]),
        ("8507612342 (samordningsnummer)", "[personal-id] (samordningsnummer)", [.personalID: 1]),
        ("Kortet 4111 1111 1111 1111 drogs två gånger", "Kortet [card] drogs två gånger", [.card: 1]),
        ("card 5555-5555-5555-4444, amex 3782 822463 10005", "card [card], amex [card]", [.card: 2]),
        ("anna@example.se / 070-123 45 67 / 811218-9876", "[email] / [phone] / [personal-id]", [.email: 1, .phone: 1, .personalID: 1]),
    ]

    /// Numbers people write that are not personal data.
    static let negatives = [
        "Order 12345678 was late", "ordernummer #8812345678", "Bilen kostade 299 000 kr", "Service för 2 500:- är dyrt",
        "It cost €1,299.00", "Vi kom 2026-11-30 kl 14:30", "Öppet 08:00-17:00", "datum 30.11.2026", "11/30/2026",
        "Registreringsnummer ABC 123", "Mellan 2019 och 2021 var det bättre", "20% rabatt", "Väntade 45 minuter",
        "Modell XC60 2024", "Reference 811218-9875", "card 4111 1111 1111 1112", "1234 5678 9012 3456",
        "version 2.3.1", "3-4 dagar", "020-talet", "ISBN 978-91-0-012345-6", "mail at example dot com",
    ]

    @Test(arguments: positives.indices) func personalDataIsMasked(index: Int) {
        let (text, masked, counts) = Self.positives[index]
        let result = PersonalData.mask(text)
        #expect(result.text == masked, "\(text)")
        #expect(result.counts == counts, "\(text)")
    }

    @Test(arguments: negatives) func otherNumbersAreLeftAlone(text: String) {
        let result = PersonalData.mask(text)
        #expect(result.text == text)
        #expect(!result.isChanged)
    }

    @Test("text without an @ or a decimal digit is skipped; digits of any script still reach the patterns")
    func onlyTextThatCanHoldAnItemIsSearched() {
        #expect(PersonalData.detect("Bilen var klar i tid. Kaffet kunde vara bättre! (Åsa, på verkstaden)").isEmpty)
        #expect(PersonalData.detect("Ring mig på 070-123 45 67").map(\.kind) == [.phone])
        #expect(PersonalData.detect("skriv till anna@example.se").map(\.kind) == [.email])
        // Arabic-Indic digits are decimal digits too (`\d`): the quick check must not skip them.
        #expect(PersonalData.detect("Ring mig på ٠٧٠-١٢٣ ٤٥ ٦٧").map(\.kind) == [.phone])
    }

    @Test func theChecksAreTheRealOnes() {
        #expect(PersonalData.luhn([8, 1, 1, 2, 1, 8, 9, 8, 7, 6]))
        #expect(!PersonalData.luhn([8, 1, 1, 2, 1, 8, 9, 8, 7, 5]))
        // A real date is needed: month 13 is not one, whatever the check digit.
        #expect(PersonalData.mask("811318-9874").text == "811318-9874")
    }
}
