import ArgumentParser
import Foundation
import Logging
import TouchpointCollector
import TouchpointCollectorPostgres
import TouchpointCollectorSQLite

extension CollectorCommand {
    /// `touchpoint collector migrate --from collector.sqlite --to postgres://…`.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a SQLite collector database into an empty PostgreSQL database, then compare row counts.",
            discussion: """
                Copies responses (with their JWS), answers, report aggregates, kiosks and their keys, accounts \
                and their aggregates, health snapshots, the feed cursor, the outbox and the published surveys in one \
                transaction. \
                A target that already holds rows is refused. Exits 1 if any table's row count differs.
                """)
        @Option(name: .long, help: "The SQLite collector database to copy.") var from: String
        @Option(name: .long, help: "The empty PostgreSQL database: postgres://USER@HOST:PORT/DB.") var to: String
        @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: String = "info"

        func run() async throws {
            try bootstrapStandardErrorLogging(levelName: logLevel)
            let logger = Logger(label: "touchpoint.collector")
            guard case .sqlite(let path) = CollectorDatabase(from) else {
                throw ValidationError("--from: give the SQLite collector database file, not a URL")
            }
            guard case .postgres(let url) = CollectorDatabase(to) else {
                throw ValidationError("--to: give a postgres://USER@HOST:PORT/DB URL")
            }
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("--from: no collector database at \(path)")
            }
            let source = try SQLiteCollectorStorage(path: path, logger: logger)
            let target: PostgresCollectorStorage
            do {
                target = try await PostgresCollectorStorage(url: url, logger: logger)
            } catch {
                try? source.close()
                throw error
            }
            var matched = true
            do {
                let rows = try source.exportSnapshot()
                let copied = try await target.load(from: rows)
                print("Copied \(path) to \(CollectorDatabase(to)):")
                for table in StoredTable.all {
                    let expected = try await rows.rowCount(of: table)
                    let found = try await target.rowCount(of: table)
                    let same = expected == found && copied[table.name] == expected
                    matched = matched && same
                    print("  \(table.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(expected) → \(found)\(same ? "" : "  MISMATCH")")
                }
            } catch {
                try? await target.close()
                try? source.close()
                throw error
            }
            try await target.close()
            try source.close()
            guard matched else {
                FileHandle.standardError.write(Data("The row counts differ: the copy is not complete.\n".utf8))
                throw ExitCode(1)
            }
            print("Every table's row count matches.")
        }
    }
}
