import GRDB
import TouchpointCore

extension SQLiteCollectorStorage {
    /// The report aggregates' schema.
    static func registerReportMigrations(_ migrator: inout DatabaseMigrator) {}

    /// Adds a newly stored response to the report aggregates, inside the ingest transaction.
    static func addToAggregates(_ response: SurveyResponse, db: Database) throws {}
}
