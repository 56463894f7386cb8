import Foundation
import GRDB
import TouchpointCollector
import TouchpointCore
import TouchpointProtocol

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
        // A scope field not given is stored as '' (not NULL), so the primary key makes one assignment per scope.
        migrator.registerMigration("fleet v3: assignments and site settings") { db in
            try db.execute(sql: """
                CREATE TABLE survey_assignments (
                    survey_id TEXT NOT NULL,
                    site TEXT NOT NULL,
                    touchpoint TEXT NOT NULL,
                    kiosk TEXT NOT NULL,
                    version INTEGER,
                    assigned_at DATETIME NOT NULL,
                    assigned_by TEXT NOT NULL,
                    PRIMARY KEY (survey_id, site, touchpoint, kiosk)
                ) WITHOUT ROWID;
                CREATE TABLE site_settings (
                    site TEXT PRIMARY KEY NOT NULL,
                    settings TEXT NOT NULL,
                    updated_at DATETIME NOT NULL,
                    updated_by TEXT NOT NULL
                ) WITHOUT ROWID;
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

    public func assign(_ assignment: SurveyAssignment, at date: Date, by actor: String) async throws -> Bool {
        try await write("assign survey \(assignment.survey)") { db in
            let versions = try Int.fetchAll(
                db, sql: "SELECT version FROM published_surveys WHERE survey_id = ?", arguments: [assignment.survey])
            guard !versions.isEmpty, assignment.version.map({ versions.contains($0) }) ?? true else {
                throw CollectorError.unpublished(assignment)
            }
            let key = FleetColumns(assignment)
            let existing = try Row.fetchOne(
                db, sql: "SELECT version FROM survey_assignments WHERE survey_id = ? AND site = ? AND touchpoint = ? AND kiosk = ?",
                arguments: [assignment.survey, key.site, key.touchpoint, key.kiosk])
            if let existing, (existing["version"] as Int?) == assignment.version { return false }
            try db.execute(
                sql: """
                    INSERT INTO survey_assignments (survey_id, site, touchpoint, kiosk, version, assigned_at, assigned_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (survey_id, site, touchpoint, kiosk) DO UPDATE SET
                        version = excluded.version, assigned_at = excluded.assigned_at, assigned_by = excluded.assigned_by
                    """,
                arguments: [assignment.survey, key.site, key.touchpoint, key.kiosk, assignment.version, date, actor])
            return true
        }
    }

    public func unassign(_ assignment: SurveyAssignment) async throws -> Bool {
        try await write("unassign survey \(assignment.survey)") { db in
            let key = FleetColumns(assignment)
            try db.execute(
                sql: "DELETE FROM survey_assignments WHERE survey_id = ? AND site = ? AND touchpoint = ? AND kiosk = ?",
                arguments: [assignment.survey, key.site, key.touchpoint, key.kiosk])
            return db.changesCount > 0
        }
    }

    public func setSiteSettings(_ settings: KioskSettings?, site: String, at date: Date, by actor: String) async throws -> Bool {
        let text = try FleetColumns.settingsText(settings)
        return try await write("set the settings of site \(site)") { db in
            let existing = try String.fetchOne(db, sql: "SELECT settings FROM site_settings WHERE site = ?", arguments: [site])
            guard existing != text else { return false }
            if let text {
                try db.execute(
                    sql: """
                        INSERT INTO site_settings (site, settings, updated_at, updated_by) VALUES (?, ?, ?, ?)
                        ON CONFLICT (site) DO UPDATE SET
                            settings = excluded.settings, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                        """,
                    arguments: [site, text, date, actor])
            } else {
                try db.execute(sql: "DELETE FROM site_settings WHERE site = ?", arguments: [site])
            }
            return true
        }
    }

    public func fleetPlan() async throws -> FleetPlan {
        try await read("read the fleet plan") { db in
            let published = try Self.publishedSurveys(db)
            let assignments = try Row.fetchAll(
                db, sql: "SELECT * FROM survey_assignments ORDER BY survey_id, site, touchpoint, kiosk"
            ).map { row in
                FleetColumns.assignment(
                    survey: row["survey_id"], site: row["site"], touchpoint: row["touchpoint"], kiosk: row["kiosk"],
                    version: row["version"])
            }
            var settings: [String: KioskSettings] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT site, settings FROM site_settings") {
                settings[row["site"]] = try FleetColumns.settings(row["settings"], site: row["site"])
            }
            return FleetPlan(published: published, assignments: assignments, settings: settings)
        }
    }

    public func publishedSurveys() async throws -> [PublishedSurvey] {
        try await read("read published surveys") { db in try Self.publishedSurveys(db) }
    }

    private static func publishedSurveys(_ db: Database) throws -> [PublishedSurvey] {
        try Row.fetchAll(db, sql: "SELECT * FROM published_surveys ORDER BY survey_id, version").map { row in
            PublishedSurvey(
                id: row["survey_id"], version: row["version"], digest: row["digest"], source: row["source"],
                publishedAt: row["published_at"], publishedBy: row["published_by"])
        }
    }

    public func configTarget(kiosk: String) async throws -> (site: String, served: ServedConfig?)? {
        try await read("read the configuration target of \(kiosk)") { db in
            try Row.fetchOne(
                db, sql: "SELECT site, config_version, config_touchpoint, config_fetched_at FROM kiosks WHERE id = ?",
                arguments: [kiosk]
            ).map { row in
                (row["site"], (row["config_version"] as String?).map { version in
                    ServedConfig(version: version, touchpoint: row["config_touchpoint"], fetchedAt: row["config_fetched_at"])
                })
            }
        }
    }

    public func recordConfigServed(kiosk: String, touchpoint: String?, version: String, at date: Date) async throws {
        try await write("record the configuration served to \(kiosk)") { db in
            try db.execute(
                sql: "UPDATE kiosks SET config_touchpoint = ?, config_version = ?, config_fetched_at = ? WHERE id = ?",
                arguments: [touchpoint, version, date, kiosk])
        }
    }
}
