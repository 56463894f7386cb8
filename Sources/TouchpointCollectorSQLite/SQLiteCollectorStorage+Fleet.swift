import Foundation
import GRDB
import TouchpointCollector

/// Surveys published centrally (issue 13).
extension SQLiteCollectorStorage {
    static func registerFleetMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("fleet v1: published surveys") { db in
            try db.execute(sql: """
                CREATE TABLE published_surveys (
                    survey_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    digest TEXT NOT NULL,
                    source TEXT NOT NULL,
                    published_at DATETIME NOT NULL,
                    published_by TEXT NOT NULL,
                    PRIMARY KEY (survey_id, version)
                ) WITHOUT ROWID
                """)
        }
        migrator.registerMigration("fleet v2: kiosk configuration") { db in
            try db.execute(sql: """
                ALTER TABLE kiosks ADD COLUMN health_config_version TEXT;
                ALTER TABLE kiosks ADD COLUMN health_config_problem TEXT;
                ALTER TABLE kiosks ADD COLUMN health_defaults TEXT;
                ALTER TABLE kiosks ADD COLUMN config_touchpoint TEXT;
                ALTER TABLE kiosks ADD COLUMN config_version TEXT;
                ALTER TABLE kiosks ADD COLUMN config_fetched_at DATETIME;
                """)
        }
    }

    public func publish(_ surveys: [PublishedSurvey]) async throws -> [PublishOutcome] {
        try await write("publish \(surveys.count) survey version(s)") { db in
            try surveys.map { survey in
                if let existing = try String.fetchOne(
                    db, sql: "SELECT digest FROM published_surveys WHERE survey_id = ? AND version = ?",
                    arguments: [survey.id, survey.version])
                {
                    guard existing == survey.digest else {
                        let highest = try Int.fetchOne(
                            db, sql: "SELECT MAX(version) FROM published_surveys WHERE survey_id = ?", arguments: [survey.id])
                        throw CollectorError.republished(survey, existingDigest: existing, highestVersion: highest ?? survey.version)
                    }
                    return .unchanged
                }
                try db.execute(
                    sql: """
                        INSERT INTO published_surveys (survey_id, version, digest, source, published_at, published_by)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [survey.id, survey.version, survey.digest, survey.source, survey.publishedAt, survey.publishedBy])
                return .published
            }
        }
    }

    public func publishedSurveys() async throws -> [PublishedSurvey] {
        try await read("read published surveys") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM published_surveys ORDER BY survey_id, version").map { row in
                PublishedSurvey(
                    id: row["survey_id"], version: row["version"], digest: row["digest"], source: row["source"],
                    publishedAt: row["published_at"], publishedBy: row["published_by"])
            }
        }
    }
}
