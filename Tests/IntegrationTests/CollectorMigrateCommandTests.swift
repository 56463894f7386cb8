import Foundation
import Testing
import TouchpointTesting

/// `touchpoint collector migrate` as an operator runs it: a demo SQLite collector copied into an empty
/// PostgreSQL database, then the same reports from both.
@Suite("collector migrate from the command line")
struct CollectorMigrateCommandTests {
    @Test("a demo collector migrates into an empty PostgreSQL database, reports agree, a second run is refused")
    func demoThenMigrate() async throws {
        let database = try await PostgresTestServer.requireDatabase()
        let workspace = try Workspace()
        let demo = try workspace.run(
            ["demo", "--output", "demo", "--responses", "120", "--months", "2", "--seed", "11"], timeout: 120)
        try #require(demo.status == 0, "\(demo)")

        let migrate = try workspace.run(["collector", "migrate", "--from", "demo/collector.sqlite", "--to", database.url], timeout: 120)
        #expect(migrate.status == 0, "\(migrate)")
        #expect(migrate.stdout.contains("Every table's row count matches."), "\(migrate)")
        #expect(migrate.stdout.contains("responses"), "\(migrate)")
        #expect(!migrate.stdout.contains("MISMATCH"), "\(migrate)")

        for metric in ["nps", "csat", "ces"] {
            let query = ["report", metric, "--by", "site,touchpoint", "--format", "json"]
            let sqlite = try workspace.run(query + ["--database", "demo/collector.sqlite"])
            let postgres = try workspace.run(query + ["--database", database.url])
            #expect(sqlite.status == 0 && postgres.status == 0, "\(sqlite)\n\(postgres)")
            #expect(sqlite.stdout == postgres.stdout, "\(metric)")
        }
        let kiosksSQLite = try workspace.run(["collector", "kiosks", "--json", "--database", "demo/collector.sqlite"])
        let kiosksPostgres = try workspace.run(["collector", "kiosks", "--json", "--database", database.url])
        #expect(kiosksSQLite.status == 0 && kiosksSQLite.stdout == kiosksPostgres.stdout, "\(kiosksSQLite)\n\(kiosksPostgres)")

        let again = try workspace.run(["collector", "migrate", "--from", "demo/collector.sqlite", "--to", database.url], timeout: 120)
        #expect(again.status != 0, "\(again)")
        #expect(again.stderr.contains("not empty"), "\(again)")
    }
}
