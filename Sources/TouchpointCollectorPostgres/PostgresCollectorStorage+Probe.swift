import PostgresNIO
import TouchpointCollector

extension PostgresCollectorStorage {
    /// Counts one more write in the probe row and commits; see ``CollectorStorage/checkWritable()``.
    public func checkWritable() async throws {
        let logger = self.logger
        try await write("write the health probe") { connection in
            _ = try await connection.query("""
                INSERT INTO health_probe (id, writes) VALUES (1, 1)
                ON CONFLICT (id) DO UPDATE SET writes = health_probe.writes + 1
                """, logger: logger)
        }
    }
}
