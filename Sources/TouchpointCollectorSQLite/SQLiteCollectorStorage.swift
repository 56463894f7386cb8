import Foundation
import GRDB
import Logging
import TouchpointCore
import TouchpointProtocol
import TouchpointJOSE
import TouchpointCollector

/// ``CollectorStorage`` in one SQLite file through GRDB: a WAL-mode `DatabasePool`, migrated on open.
///
/// Writes are serialized by the pool; readers (the fleet view) never block an ingest. Responses are keyed
/// by their UUIDv7 id, so inserts land at the end of the primary-key index.
public struct SQLiteCollectorStorage: CollectorStorage {
    /// The pool; extensions in `SQLiteCollectorStorage+*.swift` use it through ``write(_:_:)`` and ``read(_:_:)``.
    let pool: DatabasePool
    let logger: Logger
    /// Seals comment text, signed originals and feed posts at rest (`--comment-key`); nil stores them as they are.
    let commentCipher: CommentCipher?

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    ///
    /// `busyTimeout` is how long a write waits for another process (e.g. `collector enroll`) holding the
    /// write lock before failing with `.overloaded`. Throws `.unavailable` if the file cannot be opened. With
    /// `commentCipher`, comment text, signed originals and feed posts are stored sealed and read opened.
    public init(path: String, busyTimeout: TimeInterval = 5, commentCipher: CommentCipher? = nil, logger: Logger) throws {
        self.commentCipher = commentCipher
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "touchpoint-collector"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            if !db.configuration.readonly {
                // The writer keeps the indexes' hot pages (64 MiB at most) instead of reading them back from the
                // log after each batch: about 4% less CPU per stored response in touchpoint-bench section 3.
                try db.execute(sql: "PRAGMA cache_size = -65536")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // A database a newer collector migrated is refused, never used half-understood.
            let unknown = try pool.read { db in
                try Self.migrator.appliedIdentifiers(db).subtracting(Self.migrator.migrations)
            }
            guard unknown.isEmpty else {
                throw CollectorError(
                    .unavailable,
                    "the collector database at \(path) was migrated by a newer collector (\(unknown.sorted().joined(separator: "; "))): "
                        + "run that version or a later one, or restore a backup made before")
            }
            try Self.migrator.migrate(pool)
        } catch {
            throw Self.storageError("cannot open the collector database at \(path)", error)
        }
        self.logger = logger
        logger.debug("collector database open", metadata: ["db.path": "\(path)"])
    }

    /// Merges the write-ahead log into the database file and closes it; later calls fail with `.unavailable`.
    ///
    /// After a clean close the database is one self-contained file that can be copied on its own.
    public func close() throws {
        do {
            // Best effort: another process may be reading; the log is then merged by the last one to close.
            _ = try? pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try pool.close()
        } catch {
            throw Self.storageError("cannot close the collector database", error)
        }
    }

    // MARK: Enrolment

    /// Enrols a kiosk key; see ``CollectorStorage/enroll(kiosk:site:jwk:tokenHash:at:)``.
    @discardableResult
    public func enroll(kiosk: String, site: String, jwk: PublicJWK, tokenHash: String?, at date: Date) async throws -> String {
        let key = try EnrolmentKey(jwk, kiosk: kiosk, site: site)
        let kid = key.kid
        let jwkText = String(decoding: try key.jwk.jsonData(), as: UTF8.self)
        try await write("enrol kiosk \(kiosk)") { db in
            if let row = try Row.fetchOne(db, sql: "SELECT kiosk, revoked_at FROM kiosk_keys WHERE kid = ?", arguments: [kid]) {
                let owner: String = row["kiosk"]
                if owner != kiosk {
                    throw CollectorError(.conflict, "key \(kid) is already enrolled for kiosk \(owner)")
                }
                if (row["revoked_at"] as Date?) != nil {
                    throw CollectorError(.conflict, "key \(kid) of kiosk \(kiosk) was revoked and cannot be enrolled again")
                }
            } else if let active = try String.fetchOne(
                db, sql: "SELECT kid FROM kiosk_keys WHERE kiosk = ? AND revoked_at IS NULL", arguments: [kiosk]
            ) {
                throw CollectorError(
                    .conflict, "kiosk \(kiosk) already has the active key \(active); revoke it before enrolling another")
            } else {
                try db.execute(
                    sql: "INSERT INTO kiosk_keys (kid, kiosk, jwk, enrolled_at) VALUES (?, ?, ?, ?)",
                    arguments: [kid, kiosk, jwkText, date])
            }
            try db.execute(
                sql: """
                    INSERT INTO kiosks (id, site, token_hash, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET site = excluded.site, token_hash = excluded.token_hash
                    """,
                arguments: [kiosk, site, tokenHash?.lowercased(), date])
        }
        logger.info("kiosk enrolled", metadata: ["kiosk.id": "\(kiosk)", "key.id": "\(kid)"])
        return kid
    }

    /// Revokes a kiosk's active key; see ``CollectorStorage/revoke(kiosk:at:)``.
    @discardableResult
    public func revoke(kiosk: String, at date: Date) async throws -> String {
        let kid = try await write("revoke kiosk \(kiosk)") { db -> String in
            guard let kid = try String.fetchOne(
                db, sql: "SELECT kid FROM kiosk_keys WHERE kiosk = ? AND revoked_at IS NULL", arguments: [kiosk]
            ) else {
                throw CollectorError(.notFound, "kiosk \(kiosk) has no active key to revoke")
            }
            try db.execute(sql: "UPDATE kiosk_keys SET revoked_at = ? WHERE kid = ?", arguments: [date, kid])
            return kid
        }
        logger.notice("kiosk key revoked", metadata: ["kiosk.id": "\(kiosk)", "key.id": "\(kid)"])
        return kid
    }

    // MARK: Lookups

    /// Every enrolled kiosk, with gaps computed from the stored sequence numbers.
    public func kiosks() async throws -> [KioskRecord] {
        try await read("list kiosks") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT k.*, key.kid, key.enrolled_at, key.revoked_at
                FROM kiosks k
                JOIN kiosk_keys key ON key.rowid = (
                    SELECT rowid FROM kiosk_keys WHERE kiosk = k.id ORDER BY enrolled_at DESC, rowid DESC LIMIT 1)
                ORDER BY k.id
                """)
            return try rows.map { row in
                let id: String = row["id"]
                var health: BufferHealth?
                if let pending = row["health_pending"] as Int?, let rejected = row["health_rejected"] as Int? {
                    var report = BufferHealth(pending: pending, rejected: rejected)
                    report.oldestPendingAt = row["health_oldest_pending_at"]
                    report.lastSequence = (row["health_last_sequence"] as Int64?).map { UInt64(max(0, $0)) }
                    report.configVersion = row["health_config_version"]
                    report.configProblem = row["health_config_problem"]
                    report.defaults = BufferHealth.defaults(stored: row["health_defaults"])
                    health = report
                }
                let highest = UInt64(max(0, row["highest_sequence"] as Int64))
                return KioskRecord(
                    id: id, site: row["site"], kid: row["kid"], enrolledAt: row["enrolled_at"],
                    revokedAt: row["revoked_at"], hasToken: (row["token_hash"] as String?) != nil,
                    lastSeenAt: row["last_seen_at"], responseCount: row["response_count"], highestSequence: highest,
                    gaps: highest > 0 ? try Self.gaps(db, kiosk: id) : [],
                    health: health, healthReportedAt: row["health_reported_at"],
                    config: (row["config_version"] as String?).map { version in
                        ServedConfig(version: version, touchpoint: row["config_touchpoint"], fetchedAt: row["config_fetched_at"])
                    })
            }
        }
    }

    /// The enrolled keys among `kids`, active or revoked.
    public func keys(_ kids: Set<String>) async throws -> [String: EnrolledKey] {
        guard !kids.isEmpty else { return [:] }
        return try await read("look up keys") { db in
            let placeholders = Array(repeating: "?", count: kids.count).joined(separator: ", ")
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT k.kid, k.kiosk, s.site, k.jwk, k.enrolled_at, k.revoked_at
                    FROM kiosk_keys k JOIN kiosks s ON s.id = k.kiosk WHERE k.kid IN (\(placeholders))
                    """,
                arguments: StatementArguments(Array(kids)))
            var keys: [String: EnrolledKey] = [:]
            for row in rows {
                let text: String = row["jwk"]
                let jwk = try PublicJWK.parse(Data(text.utf8))
                let key = EnrolledKey(
                    kid: row["kid"], kiosk: row["kiosk"], site: row["site"], jwk: jwk, enrolledAt: row["enrolled_at"],
                    revokedAt: row["revoked_at"])
                keys[key.kid] = key
            }
            return keys
        }
    }

    /// The token hash of `kiosk`, if it has one.
    public func tokenHash(for kiosk: String) async throws -> String? {
        try await read("look up the token of kiosk \(kiosk)") { db in
            // Only a kiosk with an active key has a token that counts: a revoked kiosk's uploads are refused.
            try String.fetchOne(
                db,
                sql: """
                    SELECT token_hash FROM kiosks
                    WHERE id = ? AND EXISTS (SELECT 1 FROM kiosk_keys WHERE kiosk = kiosks.id AND revoked_at IS NULL)
                    """,
                arguments: [kiosk])
        }
    }

    // MARK: Ingest

    /// Stores a verified batch in one transaction; see ``CollectorStorage/ingest(_:health:kiosk:at:)``.
    public func ingest(_ items: [VerifiedItem], health: BufferHealth, kiosk: String, at date: Date) async throws -> [ItemResult] {
        let cipher = commentCipher
        return try await write("store a batch of kiosk \(kiosk)") { db in
            var results: [ItemResult] = []
            results.reserveCapacity(items.count)
            var storedCount = 0
            var aggregates = ReportAggregateBatch()
            // Per kiosk of the stored responses: how many, and the highest sequence (one kiosk row update each).
            var stored: [String: (count: Int, highest: Int64)] = [:]
            let receivedAt = date.sqliteText
            let byID = try db.cachedStatement(sql: "SELECT content_hash FROM responses WHERE id = ?")
            let bySequence = try db.cachedStatement(sql: "SELECT id FROM responses WHERE kiosk = ? AND sequence = ?")
            let insertResponse = try db.cachedStatement(sql: """
                INSERT INTO responses (id, kiosk, sequence, kid, survey_id, survey_version, survey_digest, site,
                    touchpoint, stage, language, started_at, completed_at, status, suspect, mode, account,
                    app_version, content_hash, jws, received_at, account_sealed, personal_data)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertAnswer = try db.cachedStatement(sql: """
                INSERT INTO answers (response_id, position, question, type, number_value, text_value)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
            for item in items {
                let response = item.response
                let sequence = Int64(clamping: response.sequence)
                if let existing = try String.fetchOne(byID, arguments: [response.id]) {
                    results.append(existing == item.contentHash
                        ? .duplicate(index: item.index, id: response.id)
                        : .conflictingContent(index: item.index, id: response.id))
                    continue
                }
                if let other = try String.fetchOne(bySequence, arguments: [response.kiosk, sequence]) {
                    results.append(.sequenceTaken(
                        index: item.index, id: response.id, kiosk: response.kiosk, sequence: response.sequence, by: other))
                    continue
                }
                let jwsText = try CommentCipher.seal(try item.jws.storedText(), with: cipher) ?? ""
                try insertResponse.execute(arguments: [
                    response.id, response.kiosk, sequence, item.kid, response.survey.id, response.survey.version,
                    response.survey.digest, response.site, response.touchpoint, response.stage.rawValue, response.language,
                    response.startedAt.sqliteText, response.completedAt.sqliteText, response.status.rawValue, response.suspect,
                    response.mode.rawValue, CommentCipher.storedAccount(response.account, with: cipher), response.appVersion,
                    item.contentHash, jwsText, receivedAt, cipher == nil ? nil : try CommentCipher.seal(response.account, with: cipher),
                    PersonalDataCounts.stored(PersonalDataCounts.of(response)),
                ])
                for (position, answer) in response.answers.enumerated() {
                    let (number, text) = answer.value.storedColumns
                    try insertAnswer.execute(arguments: [
                        response.id, position, answer.question, answer.type.rawValue, number,
                        answer.type == .text ? try CommentCipher.seal(text, with: cipher) : text,
                    ])
                }
                var tally = stored[response.kiosk] ?? (0, 0)
                tally.count += 1
                tally.highest = max(tally.highest, sequence)
                stored[response.kiosk] = tally
                // Report aggregates move in the same transaction, so they always match the raw rows.
                aggregates.add(response, cesPoints: item.cesPoints)
                // So does the follow-up case it opens: one per response, never again for a resend.
                if let opening = item.followUp {
                    try Self.openCase(opening, of: response, at: date, cipher: cipher, db)
                }
                storedCount += 1
                results.append(.stored(index: item.index, id: response.id))
            }
            for (storedKiosk, tally) in stored {
                try db.execute(
                    sql: """
                        UPDATE kiosks SET response_count = response_count + ?, highest_sequence = max(highest_sequence, ?)
                        WHERE id = ?
                        """,
                    arguments: [tally.count, tally.highest, storedKiosk])
            }
            try aggregates.write(db)
            // So do the per-account aggregates of the health scores (the responses just inserted).
            if storedCount > 0 {
                try Self.refreshAccountAggregates(db)
            }
            try db.execute(
                sql: """
                    UPDATE kiosks SET last_seen_at = ?, health_pending = ?, health_rejected = ?,
                        health_oldest_pending_at = ?, health_last_sequence = ?, health_reported_at = ?,
                        health_config_version = ?, health_config_problem = ?, health_defaults = ?
                    WHERE id = ?
                    """,
                arguments: [
                    date, health.pending, health.rejected, health.oldestPendingAt,
                    health.lastSequence.map { Int64(clamping: $0) }, date, health.configVersion, health.configProblem,
                    health.storedDefaults, kiosk,
                ])
            return results
        }
    }

    // MARK: Helpers

    /// The missing sequence numbers of `kiosk` between 1 and its highest stored one: neither stored, nor erased, nor at
    /// or below the highest one pruned by the retention policy.
    static func gaps(_ db: Database, kiosk: String) throws -> [ClosedRange<UInt64>] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT previous + 1 AS first, sequence - 1 AS last FROM (
                    SELECT sequence, LAG(sequence, 1, 0) OVER (ORDER BY sequence) AS previous
                    FROM (SELECT sequence FROM responses WHERE kiosk = ?
                          UNION ALL SELECT sequence FROM erased_responses WHERE kiosk = ?
                          UNION ALL SELECT through FROM pruned_sequences WHERE kiosk = ?))
                WHERE sequence - previous > 1
                    AND sequence > COALESCE((SELECT through FROM pruned_sequences WHERE kiosk = ?), 0)
                ORDER BY sequence
                """,
            arguments: [kiosk, kiosk, kiosk, kiosk])
        return rows.map { row in
            UInt64(max(0, row["first"] as Int64))...UInt64(max(0, row["last"] as Int64))
        }
    }

    func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as CollectorError {
            throw error
        } catch {
            throw Self.storageError("cannot \(what)", error)
        }
    }

    func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as CollectorError {
            throw error
        } catch {
            throw Self.storageError("cannot \(what)", error)
        }
    }

    /// `.overloaded` for a busy or locked database, `.unavailable` for anything else.
    static func storageError(_ message: String, _ error: any Error) -> CollectorError {
        if let error = error as? CollectorError {
            return error
        }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            return CollectorError(.overloaded, message + " (the database is busy)", cause: error)
        }
        return CollectorError(.unavailable, message, cause: error)
    }
}
