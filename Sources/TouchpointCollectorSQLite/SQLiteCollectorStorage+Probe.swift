import GRDB
import TouchpointCollector

extension SQLiteCollectorStorage {
    /// The health probe's schema: one row that ``checkWritable()`` rewrites. Not carried by `collector migrate`.
    static func registerProbeMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("probe v1: health_probe") { db in
            try db.execute(sql: """
                CREATE TABLE health_probe (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    writes INTEGER NOT NULL
                );
                """)
        }
    }

    /// Counts one more write in the probe row and commits; see ``CollectorStorage/checkWritable()``.
    public func checkWritable() async throws {
        try await write("write the health probe") { db in
            try db.execute(sql: """
                INSERT INTO health_probe (id, writes) VALUES (1, 1)
                ON CONFLICT (id) DO UPDATE SET writes = health_probe.writes + 1
                """)
        }
    }
}
