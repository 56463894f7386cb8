import Testing
import TouchpointCore

@Suite("TextTable")
struct TextTableTests {
    @Test("Columns are as wide as their widest cell; figures align right; å counts as one character")
    func alignment() {
        var table = TextTable(header: ["site", "n", "NPS"], rightAligned: [1, 2])
        table.add(["malmö", "12", "40.0"])
        table.add(["stockholm-city", "1034", "-5.5"])
        table.addRule()
        table.add(["total", "1046"])
        #expect(table.render() == """
            site               n   NPS
            malmö             12  40.0
            stockholm-city  1034  -5.5
            ──────────────────────────
            total           1046
            """)
    }

    @Test("An empty table is only its header, without trailing spaces")
    func empty() {
        let table = TextTable(header: ["kiosk", "site"])
        #expect(table.isEmpty)
        #expect(table.render() == "kiosk  site")
    }
}
