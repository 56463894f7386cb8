/// Realistic free-text comments in Swedish and English, by touchpoint and tone, for the demo's text questions.
public enum DemoComments {
    /// What a comment says about the visit.
    public enum Tone: String, Sendable, Hashable, CaseIterable {
        /// A complaint.
        case negative
        /// Praise.
        case positive
        /// A neutral suggestion.
        case suggestion
    }

    /// The comments for `touchpoint` (falling back to `retail`), `tone` and `language` (falling back to English).
    public static func texts(touchpoint: String, tone: Tone, language: String) -> [String] {
        let byTone = table[touchpoint] ?? table["retail"] ?? [:]
        let byLanguage = byTone[tone] ?? [:]
        return byLanguage[language] ?? byLanguage["en"] ?? []
    }

    private static let table: [String: [Tone: [String: [String]]]] = [
        "retail": [
            .negative: [
                "sv": [
                    "Fick vänta över 20 minuter innan någon säljare hade tid med oss.",
                    "Säljaren kunde inte svara på frågor om räckvidd och laddning.",
                    "Priset i butiken stämde inte med det som stod på webben.",
                    "Kändes som att man blev ignorerad för att vi inte bokat tid.",
                    "Provbilen var smutsig och hade nästan inget batteri kvar.",
                    "Otydligt vad som ingick i erbjudandet, fick ringa två gånger för att förstå.",
                    "För få parkeringsplatser utanför, fick gå långt med barnen.",
                    "Påtryckande försäljning, jag ville bara titta i lugn och ro.",
                    "Offerten jag blev lovad kom aldrig.",
                    // Customers do type personal data into comment boxes: the collector masks it (README "Privacy").
                    "Offerten kom aldrig. Mejla den till anna.berg@example.se eller ring 070-123 45 67.",
                ],
                "en": [
                    "Waited more than 20 minutes before anyone came over to help.",
                    "The salesperson could not answer basic questions about range and charging.",
                    "The price in the showroom did not match the website.",
                    "Felt ignored because we had not booked an appointment.",
                    "The quote I was promised never arrived.",
                    "Too pushy, I just wanted to have a look around.",
                    "Nobody called back about the quote, my number is +44 20 7946 0958.",
                    "Nobody spoke English at the desk when I arrived.",
                ],
            ],
            .positive: [
                "sv": [
                    "Trevligt bemötande och ingen press att köpa.",
                    "Säljaren tog sig tid och förklarade allt om leasing.",
                    "Fint och ljust i butiken, kaffet var gott också!",
                    "Snabb och tydlig offert, precis vad vi behövde.",
                    "Barnen fick leka medan vi pratade, mycket uppskattat.",
                    "Kunnig personal som visste allt om elbilarna.",
                    "Smidigt att få provsitta alla modeller.",
                ],
                "en": [
                    "Friendly staff and no pressure to buy.",
                    "The salesperson took the time to explain all the leasing options.",
                    "Bright, clean showroom and good coffee!",
                    "Quick and clear quote, exactly what we needed.",
                    "Very knowledgeable about the electric models.",
                ],
            ],
            .suggestion: [
                "sv": [
                    "Skulle vara bra med fler laddbara bilar att titta på.",
                    "Öppna gärna längre på lördagar.",
                    "Skicka offerten på mejl direkt i stället för på papper.",
                    "Mer information om begagnade bilar i butiken.",
                ],
                "en": [
                    "More electric cars on display would help.",
                    "Longer opening hours on Saturdays, please.",
                    "Email the quote right away instead of printing it.",
                ],
            ],
        ],
        "service": [
            .negative: [
                "sv": [
                    "Bilen var inte klar i tid och ingen ringde för att meddela det.",
                    "Fick betala för arbete som jag inte hade godkänt.",
                    "Samma fel kvarstår efter andra besöket, mycket irriterande.",
                    "Lång kö i receptionen vid upphämtning.",
                    "Bilen kom tillbaka smutsigare än när jag lämnade den.",
                    "Svårt att nå verkstaden på telefon, ingen svarar.",
                    "Lånebilen som utlovades fanns inte när jag kom.",
                    "Dyrt och ingen förklarade vad som faktiskt gjordes.",
                    "Ingen ringde tillbaka. Nå mig på 08-123 456 78 eller per.lind@example.com.",
                    "Fick vänta tre veckor på en tid för en enkel service.",
                ],
                "en": [
                    "The car was not ready on time and nobody called to tell me.",
                    "I was charged for work I had not approved.",
                    "Same fault is still there after the second visit.",
                    "Long queue at the desk when collecting the car.",
                    "The courtesy car I was promised was not available.",
                    "Impossible to reach the workshop by phone.",
                    "Expensive, and nobody explained what was actually done.",
                ],
            ],
            .positive: [
                "sv": [
                    "Snabbt och smidigt, bilen var klar före utlovad tid.",
                    "Bra att jag fick sms när bilen var klar.",
                    "Mekanikern förklarade vad som gjorts på ett begripligt sätt.",
                    "Bilen var tvättad när jag hämtade den, trevlig överraskning!",
                    "Alltid lika professionellt bemötande på verkstaden.",
                    "Fick lånebil utan krångel.",
                ],
                "en": [
                    "Quick and easy, the car was ready before the promised time.",
                    "Loved getting a text when the car was ready.",
                    "The mechanic explained the work in plain language.",
                    "They washed the car too, a nice surprise!",
                    "Always professional at this workshop.",
                ],
            ],
            .suggestion: [
                "sv": [
                    "Det vore bra att kunna boka service i appen.",
                    "Skicka en påminnelse dagen innan besöket.",
                    "Erbjud gärna skjuts till centralen medan man väntar.",
                    "Tydligare prislista på webben för vanlig service.",
                    "Ett bättre väntrum med wifi som fungerar.",
                ],
                "en": [
                    "It would be great to book service in the app.",
                    "Send a reminder the day before the appointment.",
                    "A clearer price list for standard service online.",
                    "The waiting room wifi needs fixing.",
                ],
            ],
        ],
        "test-drive": [
            .negative: [
                "sv": [
                    "Bokningssidan kraschade två gånger innan det gick igenom.",
                    "Fick ingen bekräftelse på bokningen.",
                    "Inga lediga tider på helgen de närmaste tre veckorna.",
                    "Bilen jag bokade var inte på plats när jag kom.",
                    "För många frågor i formuläret för att bara boka en provkörning.",
                    "Fick ringa för att ändra tiden, gick inte att göra online.",
                ],
                "en": [
                    "The booking page crashed twice before it went through.",
                    "Never got a confirmation of the booking.",
                    "No weekend slots for the next three weeks.",
                    "The car I booked was not there when I arrived.",
                    "Too many questions in the form just to book a test drive.",
                ],
            ],
            .positive: [
                "sv": [
                    "Supersmidigt att boka, tog en minut.",
                    "Bra att man kunde välja exakt vilken modell.",
                    "Personalen i receptionen hjälpte mig boka direkt.",
                ],
                "en": [
                    "Really easy to book, took a minute.",
                    "Great that I could pick the exact model.",
                    "The receptionist booked it for me on the spot.",
                ],
            ],
            .suggestion: [
                "sv": [
                    "Möjlighet att boka längre provkörning över en helg vore toppen.",
                    "Lägg till kalenderinbjudan i bekräftelsen.",
                    "Visa vilka bilar som finns för provkörning just nu.",
                ],
                "en": [
                    "Allow weekend-long test drives.",
                    "Add a calendar invite to the confirmation email.",
                    "Show which cars are available for test drives right now.",
                ],
            ],
        ],
        "delivery": [
            .negative: [
                "sv": [
                    "Leveransen blev framflyttad två gånger utan förklaring.",
                    "Bilen var inte laddad när vi hämtade den.",
                    "Ingen gick igenom appen och laddningen med oss.",
                    "Vinterhjulen vi beställt var inte monterade.",
                ],
                "en": [
                    "The delivery date moved twice with no explanation.",
                    "The car was not charged when we picked it up.",
                    "Nobody showed us the app or how charging works.",
                    "The winter tyres we ordered were not fitted.",
                ],
            ],
            .positive: [
                "sv": [
                    "En riktigt fin överlämning, de tog sig tid att visa allt.",
                    "Bilen stod tvättad och fulladdad med en blomma på sätet!",
                    "Allt var klart när vi kom, tog en halvtimme.",
                ],
                "en": [
                    "A lovely handover, they took the time to show us everything.",
                    "The car was washed, fully charged and had flowers on the seat!",
                    "Everything was ready when we arrived, half an hour in all.",
                ],
            ],
            .suggestion: [
                "sv": [
                    "Skicka en checklista före leveransen om vad vi ska ta med.",
                    "Erbjud en uppföljning efter en vecka när frågorna dyker upp.",
                ],
                "en": [
                    "Send a checklist before delivery of what to bring.",
                    "Offer a follow-up call after a week, when the questions come.",
                ],
            ],
        ],
    ]
}
