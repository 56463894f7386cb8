import Testing
@testable import TouchpointCore

@Suite("TextSanitizer")
struct TextSanitizerTests {
    @Test("Escape sequences and control characters are removed", arguments: [
        ("\u{1B}[31mred\u{1B}[0m", "red"),                    // CSI colour
        ("\u{1B}[1;32;40mbold\u{1B}[m text", "bold text"),    // CSI with several parameters
        ("\u{1B}[2J\u{1B}[Hclear", "clear"),                  // erase screen, cursor home
        ("\u{1B}]0;evil title\u{07}hi", "hi"),                // OSC title ended by BEL
        ("\u{1B}]2;evil title\u{1B}\\hi", "hi"),              // OSC title ended by ST
        ("\u{1B}Pdevice\u{1B}\\ok", "ok"),                    // DCS
        ("abc\u{1B}", "abc"),                                 // bare ESC at the end
        ("\u{1B}cx", "x"),                                    // two-character escape (RIS)
        ("\u{1B}[", ""),                                      // unterminated CSI
        ("a\u{07}b", "ab"),                                   // BEL
        ("a\u{00}b", "ab"),                                   // NUL
        ("a\u{7F}b", "ab"),                                   // DEL
        ("a\u{08}b", "ab"),                                   // backspace
        ("a\u{85}b\u{9B}c\u{9F}", "abc"),                     // C1 controls
        ("a\tb", "a b"),                                      // tab becomes a space
        ("  \r\nhi\n ", "hi"),                                // surrounding whitespace trimmed
    ])
    func cleans(input: String, expected: String) {
        #expect(TextSanitizer.clean(input) == expected)
    }

    @Test("An escape with intermediate bytes (ESC ( B, as tput sgr0 emits) is removed whole")
    func intermediateBytes() {
        #expect(TextSanitizer.clean("\u{1B}(Bhi") == "hi")
        #expect(TextSanitizer.clean("ok\u{1B}(B\u{1B}[m") == "ok")
    }

    @Test("Swedish letters and punctuation stay", arguments: [
        "Åsa är glad – öl",
        "ÅÄÖ åäö é ü ß €",
        "A\u{30A}sa",  // decomposed Å
        "Bra service 👍",
    ])
    func keepsText(text: String) {
        #expect(TextSanitizer.clean(text) == text)
    }

    @Test("trimmingWhitespace trims only the ends")
    func trimming() {
        #expect("  a  b \n".trimmingWhitespace() == "a  b")
        #expect(" \n\t ".trimmingWhitespace() == "")
    }
}
