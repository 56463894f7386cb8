import GRDB
import TouchpointCore

extension SQLiteCollectorStorage {
    /// The accounts' schema.
    static func registerHealthMigrations(_ migrator: inout DatabaseMigrator) {}
}
