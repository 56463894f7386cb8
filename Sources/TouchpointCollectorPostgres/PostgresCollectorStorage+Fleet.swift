import Foundation
import Logging
import PostgresNIO
import TouchpointCollector

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

    public func publishedSurveys() async throws -> [PublishedSurvey] {
        let logger = self.logger
        return try await read("read published surveys") { connection in
            try await Self.rows(
                "SELECT * FROM published_surveys ORDER BY survey_id, version", on: connection, logger: logger
            ).map { row in
                PublishedSurvey(
                    id: try row["survey_id"].decode(String.self), version: Int(try row["version"].decode(Int64.self)),
                    digest: try row["digest"].decode(String.self), source: try row["source"].decode(String.self),
                    publishedAt: try row["published_at"].decode(PostgresTimestamp.self).date,
                    publishedBy: try row["published_by"].decode(String.self))
            }
        }
    }
}
