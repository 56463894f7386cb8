import Foundation
import Testing
import TouchpointCollector
import TouchpointCore

@Suite("Account import")
struct AccountImportTests {
    @Test func readsQuotedFieldsAndDerivesRevenue() throws {
        let csv = "\u{FEFF}ID,Name,MRR,arr,Owner,Interactions,last_interaction\r\n"
            + "acme,\"Acme, Inc.\",1200,,Anna Berg,4,2026-11-02\r\n"
            + "globex,\"Globex \"\"East\"\"\",,24000,\"Bo\nEk\",,\r\n"
            + "\r\n"
            + "initech,Initech,100.50,1206,,0,2026-11-02T14:00:00Z"
        let parsed = try AccountCSV.parse(text: csv, file: "accounts.csv")
        #expect(parsed.fields == Set(AccountField.allCases))
        #expect(parsed.accounts.map(\.id) == ["acme", "globex", "initech"])
        let acme = parsed.accounts[0]
        #expect(acme.name == "Acme, Inc." && acme.mrr == 1200 && acme.arr == 14_400 && acme.owner == "Anna Berg")
        #expect(acme.interactions == 4)
        #expect(acme.lastInteractionAt == Date(timeIntervalSince1970: 1_793_577_600))  // 2026-11-02T00:00:00Z
        let globex = parsed.accounts[1]
        #expect(globex.name == "Globex \"East\"" && globex.mrr == 2000 && globex.arr == 24_000)
        #expect(globex.owner == "Bo\nEk" && globex.interactions == 0 && globex.lastInteractionAt == nil)
        #expect(parsed.accounts[2].lastInteractionAt == Timestamp.date("2026-11-02T14:00:00Z"))
    }

    @Test func everyBadRowIsReportedWithFileLineAndColumn() throws {
        let csv = """
            id,name,mrr,arr,interactions,last_interaction
            acme,Acme,1200,,3,2026-11-02
            globex,Globex,"1,200",,x,yesterday
            acme,Again,,,,
            ACME ,Shouting,,,,
            big co,Big,100,1300,,
            short,row
            """
        let error = try #require(throws: AccountCSVError.self) { try AccountCSV.parse(text: csv, file: "accounts.csv") }
        #expect(error.problems.map(\.description) == [
            "accounts.csv:3: column mrr: '1,200' is not an amount: write digits with an optional decimal point, e.g. 1200.50 (no currency signs, thousands separators or minus)",
            "accounts.csv:3: column interactions: 'x' is not a count: write a whole number, 0 or more",
            "accounts.csv:3: column last_interaction: 'yesterday' is not a date: write YYYY-MM-DD or an ISO 8601 time such as 2026-11-02T14:00:00Z",
            "accounts.csv:4: column id: 'acme' is already on line 2",
            "accounts.csv:5: column id: 'ACME' is already on line 2 as 'acme' (ids match ignoring case and spaces)",
            "accounts.csv:6: column arr: 1300 is not 12 × mrr 100 (1200); give one of them, or both consistent",
            "accounts.csv:7: 2 fields, but the header names 6 columns",
        ])
    }

    @Test func headerAndQuotingProblems() throws {
        let unknown = try #require(throws: AccountCSVError.self) { try AccountCSV.parse(text: "id,revenue\na,1\n", file: "a.csv") }
        #expect(unknown.description.hasPrefix("a.csv:1: column revenue: unknown column (expected: id, name, mrr"))
        let noID = try #require(throws: AccountCSVError.self) { try AccountCSV.parse(text: "name,mrr\nA,1\n", file: "a.csv") }
        #expect(noID.description.hasPrefix("a.csv:1: no 'id' column"))
        let open = try #require(throws: AccountCSVError.self) { try AccountCSV.parse(text: "id,name\na,\"Acme\nb,B\n", file: "a.csv") }
        #expect(open.description == "a.csv:2: a quoted field is never closed")
        let stray = try #require(throws: AccountCSVError.self) { try AccountCSV.parse(text: "id,name\na,Ac\"me\n", file: "a.csv") }
        #expect(stray.description.hasPrefix("a.csv:2: a quote inside an unquoted field"))
        let empty = try #require(throws: AccountCSVError.self) { try AccountCSV.parse(text: "", file: "a.csv") }
        #expect(empty.description.hasPrefix("a.csv:1: the file is empty"))
    }

    @Test(arguments: StorageBackend.available) func importingAgainUpdatesByIDAndKeepsColumnsTheFileLacks(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let first = try AccountCSV.parse(text: "id,name,mrr,owner,interactions\nacme,Acme,1000,Anna,2\nglobex,Globex,500,Bo,1\n", file: "a.csv")
            let summary = try await storage.importAccounts(first, at: Fixtures.start)
            #expect(summary == AccountImportSummary(inserted: 2, updated: 0))

            let second = try AccountCSV.parse(text: "id,interactions\nACME,7\ninitech,1\n", file: "b.csv")
            #expect(second.fields == [.interactions])
            let again = try await storage.importAccounts(second, at: Fixtures.start)
            #expect(again == AccountImportSummary(inserted: 1, updated: 1))

            let accounts = try await storage.accounts()
            #expect(accounts.map(\.id) == ["acme", "globex", "initech"])
            // `ACME` updated `acme`, which keeps its spelling.
            #expect(accounts[0] == Account(id: "acme", name: "Acme", mrr: 1000, arr: 12_000, owner: "Anna", interactions: 7))
            #expect(accounts[1].interactions == 1 && accounts[1].owner == "Bo")  // not in the second file: kept
            #expect(accounts[2] == Account(id: "initech", interactions: 1))

            // Every column again, with cells emptied: an empty cell clears the field.
            let third = try AccountCSV.parse(
                text: "id,name,mrr,arr,owner,interactions,last_interaction\nacme,Acme AB,,,,0,\nglobex,Globex,,600,Bo,1,2026-11-02\n",
                file: "c.csv")
            #expect(try await storage.importAccounts(third, at: Fixtures.start) == AccountImportSummary(inserted: 0, updated: 2))
            let updated = try await storage.accounts()
            #expect(updated[0] == Account(id: "acme", name: "Acme AB"))
            #expect(updated[1] == Account(
                id: "globex", name: "Globex", mrr: 50, arr: 600, owner: "Bo", interactions: 1,
                lastInteractionAt: Date(timeIntervalSince1970: 1_793_577_600)))
        }
    }

    /// The parser refuses the whole file, good rows too, so the command has nothing to write; the end-to-end
    /// check that the database is untouched runs the real command (`InsightsCommandTests`).
    @Test(arguments: StorageBackend.available) func aBadFileIsRefusedWhole(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let good = try AccountCSV.parse(text: "id,name,mrr\nacme,Acme,1000\n", file: "a.csv")
            _ = try await storage.importAccounts(good, at: Fixtures.start)
            let text = "id,name,mrr\nacme,Acme Renamed,2000\nglobex,Globex,lots\n"
            #expect(throws: AccountCSVError.self) { try AccountCSV.parse(text: text, file: "a.csv") }
            let accounts = try await storage.accounts()
            #expect(accounts == [Account(id: "acme", name: "Acme", mrr: 1000, arr: 12_000)])
        }
    }
}
