import Foundation
import Testing
import TouchpointCore
@testable import TouchpointSync

/// The sync reads the kiosk id of each payload from its bytes, and must read what `JSONDecoder` reads.
@Suite("Kiosk field")
struct KioskFieldTests {
    @Test("the kiosk field read from the bytes is what JSONDecoder reads; anything unusual goes to JSONDecoder")
    func kioskField() throws {
        let cases: [(json: String, scanned: String?)] = [
            (#"{"kiosk":"a"}"#, "a"),
            (#" { "a" : [1, 2.5e-3, -0, 10E+2, {"kiosk": "x"}, [], {}], "kiosk" : "k-1" } "#, "k-1"),
            (#"{"a":-0.5E+10,"b":null,"c":false,"d":true,"kiosk":"z","e":"q\"\\\/\b\f\n\r\t"}"#, "z"),
            (#"{"note":"é ✓","kiosk":"kiosk-ö"}"#, "kiosk-ö"),
            (#"{"kiosk":"a","kiosk":"b"}"#, nil),
            (#"{"kiosk":"a\/b"}"#, nil),
            (#"{"kio\u0073k":"a"}"#, nil),
            (#"{"a":"\u0041","kiosk":"a"}"#, nil),
            (#"{"kiosk":1}"#, nil),
            (#"{"kiosk":null}"#, nil),
            (#"{"kiosk":"a"} x"#, nil),
            (#"{"kiosk":"a"}{}"#, nil),
            (#"{"a":01,"kiosk":"a"}"#, nil),
            (#"{"a":1.,"kiosk":"a"}"#, nil),
            (#"{"a":+1,"kiosk":"a"}"#, nil),
            (#"{"a":tru,"kiosk":"a"}"#, nil),
            (#"{"a":"\x","kiosk":"a"}"#, nil),
            ("{\"a\":\"\t\",\"kiosk\":\"a\"}", nil),
            (#"{"a":[1,],"kiosk":"a"}"#, nil),
            (#"{"a":1,}"#, nil),
            (#"{"kiosk":"a""#, nil),
            (#"[{"kiosk":"a"}]"#, nil),
            (#"{}"#, nil),
            ("", nil),
            ("\u{FEFF}{\"kiosk\":\"a\"}", nil),
            (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), nil),
        ]
        for (json, scanned) in cases {
            let data = Data(json.utf8)
            #expect(KioskField.scan(data) == scanned, "\(json)")
            let decoded = try? JSONDecoder().decode(KioskField.self, from: data).kiosk
            if let scanned {
                #expect(decoded == scanned, "\(json)")
            }
            #expect((try? KioskField.read(data, decoder: JSONDecoder())) == decoded, "\(json)")
        }
        // Not UTF-8: left to JSONDecoder.
        var invalid = Data(#"{"a":"x","kiosk":"a"}"#.utf8)
        invalid[6] = 0xFF
        #expect(KioskField.scan(invalid) == nil)
        // A payload the kiosk signs.
        let payload = try SurveyResponse(draft: sampleDraft(), id: "01900000-0000-7000-8000-000000000000", sequence: 1)
            .canonicalJSON()
        #expect(KioskField.scan(payload) == "kiosk-7")
    }
}
