import Foundation
import Logging
import PostgresNIO
import TouchpointCollector
import TouchpointCore

/// Surveys published centrally, as in the SQLite storage. The primary key (survey, version) makes two processes
/// publishing the same version at once store it once: the second finds it and compares digests.
extension PostgresCollectorStorage {
    public func publish(_ surveys: [PublishedSurvey]) async throws -> [PublishOutcome] {
        let logger = self.logger
        return try await write("publish \(surveys.count) survey version(s)") { connection in
            var outcomes: [PublishOutcome] = []
            for survey in surveys {
                let inserted = try await Self.rows(
                    """
                    INSERT INTO published_surveys (survey_id, version, digest, source, published_at, published_by)
                    VALUES (\(survey.id), \(Int64(survey.version)), \(survey.digest), \(survey.source),
                        \(PostgresTimestamp(survey.publishedAt)), \(survey.publishedBy))
                    ON CONFLICT DO NOTHING RETURNING version
                    """, on: connection, logger: logger)
                if !inserted.isEmpty {
                    outcomes.append(.published)
                    continue
                }
                let existing = try await Self.rows(
                    """
                    SELECT digest, (SELECT MAX(version) FROM published_surveys WHERE survey_id = \(survey.id)) AS highest
                    FROM published_surveys WHERE survey_id = \(survey.id) AND version = \(Int64(survey.version))
                    """, on: connection, logger: logger)
                guard let row = existing.first else {
                    throw CollectorError(.unavailable, "survey \(survey.id) version \(survey.version) was neither stored nor found")
                }
                let digest = try row["digest"].decode(String.self)
                guard digest == survey.digest else {
                    let highest = try row["highest"].decode(Int64?.self).map(Int.init) ?? survey.version
                    throw CollectorError.republished(survey, existingDigest: digest, highestVersion: highest)
                }
                outcomes.append(.unchanged)
            }
            return outcomes
        }
    }

    public func assign(_ assignment: SurveyAssignment, at date: Date, by actor: String) async throws -> Bool {
        let logger = self.logger
        let key = FleetColumns(assignment)
        return try await write("assign survey \(assignment.survey)") { connection in
            let versions = try await Self.rows(
                "SELECT version FROM published_surveys WHERE survey_id = \(assignment.survey)", on: connection, logger: logger
            ).map { Int(try $0["version"].decode(Int64.self)) }
            guard !versions.isEmpty, assignment.version.map({ versions.contains($0) }) ?? true else {
                throw CollectorError.unpublished(assignment)
            }
            let pinned = assignment.version.map(Int64.init)
            // Inserted, or updated when the version differs; nothing returned when it was already so.
            let changed = try await Self.rows(
                """
                INSERT INTO survey_assignments (survey_id, site, touchpoint, kiosk, version, assigned_at, assigned_by)
                VALUES (\(assignment.survey), \(key.site), \(key.touchpoint), \(key.kiosk), \(pinned),
                    \(PostgresTimestamp(date)), \(actor))
                ON CONFLICT (survey_id, site, touchpoint, kiosk) DO UPDATE SET
                    version = excluded.version, assigned_at = excluded.assigned_at, assigned_by = excluded.assigned_by
                WHERE survey_assignments.version IS DISTINCT FROM excluded.version
                RETURNING 1 AS changed
                """, on: connection, logger: logger)
            return !changed.isEmpty
        }
    }

    public func unassign(_ assignment: SurveyAssignment) async throws -> Bool {
        let logger = self.logger
        let key = FleetColumns(assignment)
        return try await write("unassign survey \(assignment.survey)") { connection in
            let removed = try await Self.rows(
                """
                DELETE FROM survey_assignments WHERE survey_id = \(assignment.survey) AND site = \(key.site)
                    AND touchpoint = \(key.touchpoint) AND kiosk = \(key.kiosk)
                RETURNING 1 AS removed
                """, on: connection, logger: logger)
            return !removed.isEmpty
        }
    }

    public func setSiteSettings(_ settings: KioskSettings?, site: String, at date: Date, by actor: String) async throws -> Bool {
        let logger = self.logger
        let text = try FleetColumns.settingsText(settings)
        return try await write("set the settings of site \(site)") { connection in
            let changed: [PostgresRandomAccessRow]
            if let text {
                changed = try await Self.rows(
                    """
                    INSERT INTO site_settings (site, settings, updated_at, updated_by)
                    VALUES (\(site), \(text), \(PostgresTimestamp(date)), \(actor))
                    ON CONFLICT (site) DO UPDATE SET
                        settings = excluded.settings, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                    WHERE site_settings.settings <> excluded.settings
                    RETURNING 1 AS changed
                    """, on: connection, logger: logger)
            } else {
                changed = try await Self.rows(
                    "DELETE FROM site_settings WHERE site = \(site) RETURNING 1 AS changed", on: connection, logger: logger)
            }
            return !changed.isEmpty
        }
    }

    public func fleetPlan() async throws -> FleetPlan {
        let logger = self.logger
        return try await read("read the fleet plan") { connection in
            let published = try await Self.publishedSurveys(on: connection, logger: logger)
            let assignments = try await Self.rows(
                "SELECT * FROM survey_assignments ORDER BY survey_id, site, touchpoint, kiosk", on: connection, logger: logger
            ).map { row in
                FleetColumns.assignment(
                    survey: try row["survey_id"].decode(String.self), site: try row["site"].decode(String.self),
                    touchpoint: try row["touchpoint"].decode(String.self), kiosk: try row["kiosk"].decode(String.self),
                    version: try row["version"].decode(Int64?.self).map(Int.init))
            }
            var settings: [String: KioskSettings] = [:]
            for row in try await Self.rows("SELECT site, settings FROM site_settings", on: connection, logger: logger) {
                let site = try row["site"].decode(String.self)
                settings[site] = try FleetColumns.settings(try row["settings"].decode(String.self), site: site)
            }
            return FleetPlan(published: published, assignments: assignments, settings: settings)
        }
    }

    public func publishedSurveys() async throws -> [PublishedSurvey] {
        let logger = self.logger
        return try await read("read published surveys") { connection in
            try await Self.publishedSurveys(on: connection, logger: logger)
        }
    }

    private static func publishedSurveys(on connection: PostgresConnection, logger: Logger) async throws -> [PublishedSurvey] {
        try await rows("SELECT * FROM published_surveys ORDER BY survey_id, version", on: connection, logger: logger).map { row in
            PublishedSurvey(
                id: try row["survey_id"].decode(String.self), version: Int(try row["version"].decode(Int64.self)),
                digest: try row["digest"].decode(String.self), source: try row["source"].decode(String.self),
                publishedAt: try row["published_at"].decode(PostgresTimestamp.self).date,
                publishedBy: try row["published_by"].decode(String.self))
        }
    }

    public func configTarget(kiosk: String) async throws -> (site: String, served: ServedConfig?)? {
        let logger = self.logger
        return try await read("read the configuration target of \(kiosk)") { connection in
            guard let row = try await Self.rows(
                "SELECT site, config_version, config_touchpoint, config_fetched_at FROM kiosks WHERE id = \(kiosk)",
                on: connection, logger: logger
            ).first else { return nil }
            let served = try row["config_version"].decode(String?.self).map { version in
                ServedConfig(
                    version: version, touchpoint: try row["config_touchpoint"].decode(String?.self),
                    fetchedAt: try row["config_fetched_at"].decode(PostgresTimestamp.self).date)
            }
            return (try row["site"].decode(String.self), served)
        }
    }

    public func recordConfigServed(kiosk: String, touchpoint: String?, version: String, at date: Date) async throws {
        let logger = self.logger
        try await write("record the configuration served to \(kiosk)") { connection in
            _ = try await Self.rows(
                """
                UPDATE kiosks SET config_touchpoint = \(touchpoint), config_version = \(version),
                    config_fetched_at = \(PostgresTimestamp(date))
                WHERE id = \(kiosk)
                """, on: connection, logger: logger)
        }
    }
}
