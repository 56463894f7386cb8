import GRDB
import TouchpointCore

extension SQLiteCollectorStorage {
    /// The feed outbox's schema.
    static func registerFeedMigrations(_ migrator: inout DatabaseMigrator) {}
}
