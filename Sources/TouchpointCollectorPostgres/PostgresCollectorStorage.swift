import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import TouchpointCollector
import TouchpointCore
import TouchpointJOSE
import TouchpointProtocol

/// ``CollectorStorage`` in a PostgreSQL database through PostgresNIO's connection pool, migrated on open.
///
/// Several collector processes may share one database: responses are deduplicated by unique constraints
/// (`INSERT … ON CONFLICT DO NOTHING`, never check-then-insert), aggregates are added with upserts, the feed's
/// cursor is locked while it moves and each outbox row is claimed by one process at a time (`FOR UPDATE SKIP
/// LOCKED` with a lease). Timestamps are `timestamptz`; days are UTC days, as ``ReportCalendar`` counts them.
public struct PostgresCollectorStorage: CollectorStorage {
    /// The pool; extensions in `PostgresCollectorStorage+*.swift` use it through ``write(_:_:)`` and ``read(_:_:)``.
    let client: PostgresClient
    /// The task running the pool (`client.run()`), cancelled by ``close()``.
    let runner: Task<Void, Never>
    /// This storage's name in outbox claims: one per open storage, i.e. per collector process.
    let claimant: String
    let logger: Logger
    /// Seals comment text, signed originals and feed posts at rest (`--comment-key`); nil stores them as they are.
    let commentCipher: CommentCipher?

    /// How long ``nextPending(webhook:)`` keeps a row for this process before another may take it over.
    public static let claimLease: Duration = .seconds(60)

    /// Connects to the database at `url` (`postgres://USER[:PASSWORD]@HOST:PORT/DATABASE`), migrates it to the
    /// current schema and starts the connection pool (at most `maximumConnections` connections).
    ///
    /// Throws `.unavailable` naming `host:port` when the server cannot be reached, saying the credentials were
    /// refused when it refuses them, and naming the database when it does not exist. The password never appears
    /// in errors or logs.
    ///
    /// With `commentCipher`, comment text, signed originals and feed posts are stored sealed and read opened.
    public init(url: String, maximumConnections: Int = 10, commentCipher: CommentCipher? = nil, logger: Logger) async throws {
        self.commentCipher = commentCipher
        let location = try PostgresDatabaseURL(url)
        let tls = try Self.tls(location)
        // The pool starts first, so it is running (PostgresNIO warns otherwise) by the time the first query leases
        // a connection from it, after the migrations.
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls.client)
        configuration.options.maximumConnections = max(1, maximumConnections)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        // One connection first: a clear error if the server is unreachable or refuses us, and the migrations.
        var connectionConfiguration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls.connection)
        connectionConfiguration.options.connectTimeout = .seconds(10)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
        } catch {
            runner.cancel()
            throw Self.connectionError(error, location: location)
        }
        do {
            try await Self.migrate(connection, logger: logger)
        } catch {
            try? await connection.close()
            runner.cancel()
            throw Self.storageError("cannot migrate the collector database \(location)", error)
        }
        try? await connection.close()

        self.client = client
        self.runner = runner
        self.claimant = UUID().uuidString
        self.logger = logger
        logger.debug("collector database open", metadata: ["db.url": "\(location)"])
    }

    /// Releases this process's outbox claims (so another process need not wait for their lease to run out)
    /// and stops the connection pool; later calls fail with `.unavailable`.
    public func close() async throws {
        let logger = self.logger
        let claimant = self.claimant
        // Best effort, for at most 5 s: a process that cannot reach the database leaves its claims to expire.
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                _ = try? await write("release the feed outbox claims") { connection in
                    try await connection.query(
                        "UPDATE feed_outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = \(claimant)",
                        logger: logger)
                }
            }
            group.addTask { try? await Task.sleep(for: .seconds(5)) }
            await group.next()
            group.cancelAll()
        }
        runner.cancel()
        await runner.value
    }

    private static func tls(_ location: PostgresDatabaseURL) throws -> (connection: PostgresConnection.Configuration.TLS, client: PostgresClient.Configuration.TLS) {
        switch location.tls {
        case .disable:
            return (.disable, .disable)
        case .prefer, .require:
            let configuration = TLSConfiguration.makeClientConfiguration()
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: configuration)
            } catch {
                throw CollectorError(.unavailable, "cannot set up TLS for \(location)", cause: error)
            }
            return location.tls == .require
                ? (.require(context), .require(configuration)) : (.prefer(context), .prefer(configuration))
        }
    }

    /// The error for a failed first connection: unreachable, credentials refused, no such database, or other.
    static func connectionError(_ error: any Error, location: PostgresDatabaseURL) -> CollectorError {
        if let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] {
            if state.hasPrefix("28") {
                return CollectorError(
                    .unavailable,
                    "the PostgreSQL server at \(location.address) refused the credentials of user \(location.user)",
                    cause: PostgresCause(error))
            }
            if state == "3D000" {
                return CollectorError(
                    .unavailable, "the PostgreSQL server at \(location.address) has no database \(location.database)",
                    cause: PostgresCause(error))
            }
            return CollectorError(.unavailable, "cannot connect to \(location) (SQLSTATE \(state))", cause: PostgresCause(error))
        }
        return CollectorError(.unavailable, "cannot reach the PostgreSQL server at \(location.address)", cause: PostgresCause(error))
    }

    // MARK: Enrolment

    /// Enrols a kiosk key; see ``CollectorStorage/enroll(kiosk:site:jwk:tokenHash:at:)``.
    @discardableResult
    public func enroll(kiosk: String, site: String, jwk: PublicJWK, tokenHash: String?, at date: Date) async throws -> String {
        let key = try EnrolmentKey(jwk, kiosk: kiosk, site: site)
        let kid = key.kid
        let jwkText = String(decoding: try key.jwk.jsonData(), as: UTF8.self)
        let logger = self.logger
        do {
            try await write("enrol kiosk \(kiosk)") { connection in
                let found = try await Self.rows(
                    "SELECT kiosk, revoked_at FROM kiosk_keys WHERE kid = \(kid) FOR UPDATE", on: connection, logger: logger)
                if let row = found.first {
                    let owner = try row["kiosk"].decode(String.self)
                    if owner != kiosk {
                        throw CollectorError(.conflict, "key \(kid) is already enrolled for kiosk \(owner)")
                    }
                    if try row["revoked_at"].decode(PostgresTimestamp?.self) != nil {
                        throw CollectorError(.conflict, "key \(kid) of kiosk \(kiosk) was revoked and cannot be enrolled again")
                    }
                } else if let active = try await Self.rows(
                    "SELECT kid FROM kiosk_keys WHERE kiosk = \(kiosk) AND revoked_at IS NULL", on: connection, logger: logger
                ).first {
                    throw CollectorError(
                        .conflict,
                        "kiosk \(kiosk) already has the active key \(try active["kid"].decode(String.self)); revoke it before enrolling another")
                } else {
                    try await connection.query(
                        "INSERT INTO kiosk_keys (kid, kiosk, jwk, enrolled_at) VALUES (\(kid), \(kiosk), \(jwkText), \(PostgresTimestamp(date)))",
                        logger: logger)
                }
                try await connection.query(
                    """
                    INSERT INTO kiosks (id, site, token_hash, created_at) VALUES (\(kiosk), \(site), \(tokenHash?.lowercased()), \(PostgresTimestamp(date)))
                    ON CONFLICT (id) DO UPDATE SET site = excluded.site, token_hash = excluded.token_hash
                    """,
                    logger: logger)
            }
        } catch let error as CollectorError {
            // Two enrolments racing: the unique indexes decide, the loser hears why.
            if let cause = error.cause as? PostgresCause, (cause.error as? PSQLError)?.serverInfo?[.sqlState] == "23505" {
                throw CollectorError(.conflict, "kiosk \(kiosk) or key \(kid) was enrolled at the same time by another process", cause: cause)
            }
            throw error
        }
        logger.info("kiosk enrolled", metadata: ["kiosk.id": "\(kiosk)", "key.id": "\(kid)"])
        return kid
    }

    /// Revokes a kiosk's active key; see ``CollectorStorage/revoke(kiosk:at:)``.
    @discardableResult
    public func revoke(kiosk: String, at date: Date) async throws -> String {
        let logger = self.logger
        let kid = try await write("revoke kiosk \(kiosk)") { connection -> String in
            let rows = try await Self.rows(
                "UPDATE kiosk_keys SET revoked_at = \(PostgresTimestamp(date)) WHERE kiosk = \(kiosk) AND revoked_at IS NULL RETURNING kid",
                on: connection, logger: logger)
            guard let row = rows.first else {
                throw CollectorError(.notFound, "kiosk \(kiosk) has no active key to revoke")
            }
            return try row["kid"].decode(String.self)
        }
        logger.notice("kiosk key revoked", metadata: ["kiosk.id": "\(kiosk)", "key.id": "\(kid)"])
        return kid
    }

    // MARK: Lookups

    /// Every enrolled kiosk, with gaps computed from the stored sequence numbers.
    public func kiosks() async throws -> [KioskRecord] {
        let logger = self.logger
        return try await read("list kiosks") { connection in
            var gaps: [String: [ClosedRange<UInt64>]] = [:]
            let gapRows = try await Self.rows(
                """
                SELECT kiosk, previous + 1 AS first, sequence - 1 AS last FROM (
                    SELECT kiosk, sequence, LAG(sequence, 1, 0::bigint) OVER (PARTITION BY kiosk ORDER BY sequence) AS previous
                    FROM (SELECT kiosk, sequence FROM responses UNION ALL SELECT kiosk, sequence FROM erased_responses
                          UNION ALL SELECT kiosk, through FROM pruned_sequences) s) g
                WHERE sequence - previous > 1
                    AND sequence > COALESCE((SELECT p.through FROM pruned_sequences p WHERE p.kiosk = g.kiosk), 0)
                ORDER BY kiosk, sequence
                """, on: connection, logger: logger)
            for row in gapRows {
                let first = UInt64(max(0, try row["first"].decode(Int64.self)))
                let last = UInt64(max(0, try row["last"].decode(Int64.self)))
                gaps[try row["kiosk"].decode(String.self), default: []].append(first...last)
            }
            let rows = try await Self.rows(
                """
                SELECT k.id, k.site, k.token_hash, k.last_seen_at, k.response_count, k.highest_sequence, k.health_pending,
                    k.health_rejected, k.health_oldest_pending_at, k.health_last_sequence, k.health_reported_at,
                    k.health_config_version, k.health_config_problem, k.health_defaults, k.config_version, k.config_touchpoint,
                    k.config_fetched_at, key.kid, key.enrolled_at, key.revoked_at
                FROM kiosks k
                JOIN LATERAL (
                    SELECT kid, enrolled_at, revoked_at FROM kiosk_keys WHERE kiosk = k.id
                    ORDER BY enrolled_at DESC, ordinal DESC LIMIT 1) key ON true
                ORDER BY k.id
                """, on: connection, logger: logger)
            return try rows.map { row in
                let id = try row["id"].decode(String.self)
                var health: BufferHealth?
                if let pending = try row["health_pending"].decode(Int?.self), let rejected = try row["health_rejected"].decode(Int?.self) {
                    var report = BufferHealth(pending: pending, rejected: rejected)
                    report.oldestPendingAt = try row["health_oldest_pending_at"].decode(String?.self)
                    report.lastSequence = try row["health_last_sequence"].decode(Int64?.self).map { UInt64(max(0, $0)) }
                    report.configVersion = try row["health_config_version"].decode(String?.self)
                    report.configProblem = try row["health_config_problem"].decode(String?.self)
                    report.defaults = BufferHealth.defaults(stored: try row["health_defaults"].decode(String?.self))
                    health = report
                }
                let highest = UInt64(max(0, try row["highest_sequence"].decode(Int64.self)))
                return KioskRecord(
                    id: id, site: try row["site"].decode(String.self), kid: try row["kid"].decode(String.self),
                    enrolledAt: try row["enrolled_at"].decode(PostgresTimestamp.self).date,
                    revokedAt: try row["revoked_at"].decode(PostgresTimestamp?.self)?.date,
                    hasToken: try row["token_hash"].decode(String?.self) != nil,
                    lastSeenAt: try row["last_seen_at"].decode(PostgresTimestamp?.self)?.date,
                    responseCount: try row["response_count"].decode(Int.self), highestSequence: highest,
                    gaps: highest > 0 ? gaps[id] ?? [] : [],
                    health: health, healthReportedAt: try row["health_reported_at"].decode(PostgresTimestamp?.self)?.date,
                    config: try row["config_version"].decode(String?.self).map { version in
                        ServedConfig(
                            version: version, touchpoint: try row["config_touchpoint"].decode(String?.self),
                            fetchedAt: try row["config_fetched_at"].decode(PostgresTimestamp.self).date)
                    })
            }
        }
    }

    /// The enrolled keys among `kids`, active or revoked.
    public func keys(_ kids: Set<String>) async throws -> [String: EnrolledKey] {
        guard !kids.isEmpty else { return [:] }
        let logger = self.logger
        let list = Array(kids)
        return try await read("look up keys") { connection in
            let rows = try await Self.rows(
                """
                SELECT k.kid, k.kiosk, s.site, k.jwk, k.enrolled_at, k.revoked_at
                FROM kiosk_keys k JOIN kiosks s ON s.id = k.kiosk WHERE k.kid = ANY(\(list))
                """,
                on: connection, logger: logger)
            var keys: [String: EnrolledKey] = [:]
            for row in rows {
                let text = try row["jwk"].decode(String.self)
                let jwk = try PublicJWK.parse(Data(text.utf8))
                let key = EnrolledKey(
                    kid: try row["kid"].decode(String.self), kiosk: try row["kiosk"].decode(String.self),
                    site: try row["site"].decode(String.self), jwk: jwk,
                    enrolledAt: try row["enrolled_at"].decode(PostgresTimestamp.self).date,
                    revokedAt: try row["revoked_at"].decode(PostgresTimestamp?.self)?.date)
                keys[key.kid] = key
            }
            return keys
        }
    }

    /// The token hash of `kiosk`, if it has one.
    public func tokenHash(for kiosk: String) async throws -> String? {
        let logger = self.logger
        return try await read("look up the token of kiosk \(kiosk)") { connection in
            // Only a kiosk with an active key has a token that counts: a revoked kiosk's uploads are refused.
            try await Self.rows(
                """
                SELECT token_hash FROM kiosks
                WHERE id = \(kiosk) AND EXISTS (SELECT 1 FROM kiosk_keys WHERE kiosk = kiosks.id AND revoked_at IS NULL)
                """, on: connection, logger: logger)
                .first?["token_hash"].decode(String?.self)
        }
    }

    // MARK: Ingest

    /// Stores a verified batch in one transaction; see ``CollectorStorage/ingest(_:health:kiosk:at:)``.
    ///
    /// Each response is inserted with `ON CONFLICT DO NOTHING`: when another process stores the same id (or the
    /// same kiosk and sequence) at the same time, PostgreSQL makes this insert wait for that transaction and then
    /// skip, and the item is classified against the row that won (a resend is `duplicate`).
    public func ingest(_ items: [VerifiedItem], health: BufferHealth, kiosk: String, at date: Date) async throws -> [ItemResult] {
        let logger = self.logger
        let cipher = commentCipher
        return try await write("store a batch of kiosk \(kiosk)") { connection in
            // Shared with other ingests; the feed's fan-out takes it exclusively to learn which rows are committed.
            try await connection.query("SELECT pg_advisory_xact_lock_shared(\(Self.ingestLock))", logger: logger)
            // One multi-row insert per table: the responses (a row that conflicts with a stored one, or with an
            // earlier item of this batch, is skipped), then the answers of those inserted.
            let inserted = try await Self.insertResponses(items, receivedAt: date, cipher: cipher, on: connection, logger: logger)
            var results: [ItemResult] = []
            results.reserveCapacity(items.count)
            var stored: [VerifiedItem] = []
            var storedIDs: [String] = []
            var highest: [String: (count: Int, sequence: Int64)] = [:]
            var aggregates = ReportAggregateBatch()
            var unclaimed = inserted
            for item in items {
                let response = item.response
                let sequence = Int64(clamping: response.sequence)
                guard unclaimed.remove(StoredRowKey(id: response.id, sequence: sequence, contentHash: item.contentHash)) != nil else {
                    results.append(try await Self.classifyConflict(item, on: connection, logger: logger))
                    continue
                }
                let previous = highest[response.kiosk] ?? (0, 0)
                highest[response.kiosk] = (previous.count + 1, max(previous.sequence, sequence))
                // Report aggregates move in the same transaction, so they always match the raw rows.
                aggregates.add(response, cesPoints: item.cesPoints)
                stored.append(item)
                storedIDs.append(response.id)
                results.append(.stored(index: item.index, id: response.id))
            }
            try await Self.insertAnswers(of: stored, cipher: cipher, on: connection, logger: logger)
            // The follow-up cases they open, in the same transaction: one per response, never again for a resend.
            try await Self.openCases(stored, at: date, cipher: cipher, on: connection, logger: logger)
            try await aggregates.write(connection, logger: logger)
            // So do the per-account aggregates of the health scores (the responses just inserted).
            if !storedIDs.isEmpty {
                try await Self.addAccountAggregates(ids: storedIDs, on: connection, logger: logger)
            }
            for (id, bump) in highest.sorted(by: { $0.key < $1.key }) {
                try await connection.query(
                    """
                    UPDATE kiosks SET response_count = response_count + \(bump.count),
                        highest_sequence = GREATEST(highest_sequence, \(bump.sequence))
                    WHERE id = \(id)
                    """, logger: logger)
            }
            try await connection.query(
                """
                UPDATE kiosks SET last_seen_at = \(PostgresTimestamp(date)), health_pending = \(health.pending),
                    health_rejected = \(health.rejected), health_oldest_pending_at = \(health.oldestPendingAt),
                    health_last_sequence = \(health.lastSequence.map { Int64(clamping: $0) }),
                    health_reported_at = \(PostgresTimestamp(date)), health_config_version = \(health.configVersion),
                    health_config_problem = \(health.configProblem), health_defaults = \(health.storedDefaults)
                WHERE id = \(kiosk)
                """, logger: logger)
            return results
        }
    }

    /// What identifies an inserted response row among a batch's items.
    private struct StoredRowKey: Hashable {
        var id: String
        var sequence: Int64
        var contentHash: String
    }

    /// The response rows of a batch, one array per column (the parameters of one `unnest` insert).
    private struct ResponseColumns {
        var id: [String] = [], kiosk: [String] = [], sequence: [Int64] = [], kid: [String] = []
        var surveyID: [String] = [], surveyVersion: [Int] = [], surveyDigest: [String] = [], site: [String] = []
        var touchpoint: [String] = [], stage: [String] = [], language: [String] = []
        var startedAt: [PostgresTimestamp] = [], completedAt: [PostgresTimestamp] = []
        var status: [String] = [], suspect: [Bool] = [], mode: [String] = []
        var account: [String] = [], hasAccount: [Bool] = [], accountSealed: [String] = [], personalData: [String] = []
        var appVersion: [String] = [], contentHash: [String] = [], jws: [String] = []

        init(capacity: Int) {
            id.reserveCapacity(capacity)
            jws.reserveCapacity(capacity)
        }

        mutating func append(_ item: VerifiedItem, cipher: CommentCipher?) throws {
            let response = item.response
            id.append(response.id)
            kiosk.append(response.kiosk)
            sequence.append(Int64(clamping: response.sequence))
            kid.append(item.kid)
            surveyID.append(response.survey.id)
            surveyVersion.append(response.survey.version)
            surveyDigest.append(response.survey.digest)
            site.append(response.site)
            touchpoint.append(response.touchpoint)
            stage.append(response.stage.rawValue)
            language.append(response.language)
            startedAt.append(PostgresTimestamp(response.startedAt))
            completedAt.append(PostgresTimestamp(response.completedAt))
            status.append(response.status.rawValue)
            suspect.append(response.suspect)
            mode.append(response.mode.rawValue)
            account.append(CommentCipher.storedAccount(response.account, with: cipher) ?? "")
            hasAccount.append(response.account != nil)
            accountSealed.append(cipher == nil ? "" : try CommentCipher.seal(response.account, with: cipher) ?? "")
            personalData.append(PersonalDataCounts.stored(PersonalDataCounts.of(response)) ?? "")
            appVersion.append(response.appVersion)
            contentHash.append(item.contentHash)
            jws.append(try CommentCipher.seal(try item.jws.storedText(), with: cipher) ?? "")
        }
    }

    /// Inserts every item's response row in one statement (`ON CONFLICT DO NOTHING`) and returns the rows inserted.
    private static func insertResponses(
        _ items: [VerifiedItem], receivedAt date: Date, cipher: CommentCipher?, on connection: PostgresConnection, logger: Logger
    ) async throws -> Set<StoredRowKey> {
        guard !items.isEmpty else { return [] }
        var columns = ResponseColumns(capacity: items.count)
        for item in items {
            try columns.append(item, cipher: cipher)
        }
        var sql = SQLBuilder()
        let c = columns
        let statement = """
            INSERT INTO responses (id, kiosk, sequence, kid, survey_id, survey_version, survey_digest, site,
                touchpoint, stage, language, started_at, completed_at, status, suspect, mode, account,
                app_version, content_hash, jws, received_at, account_sealed, personal_data)
            SELECT id, kiosk, sequence, kid, survey_id, survey_version, survey_digest, site, touchpoint, stage, language,
                started_at, completed_at, status, suspect, mode, CASE WHEN has_account THEN account END,
                app_version, content_hash, jws, \(sql.bind(date)), NULLIF(account_sealed, ''), NULLIF(personal_data, '')
            FROM unnest(\(sql.bind(c.id))::text[], \(sql.bind(c.kiosk))::text[], \(sql.bind(c.sequence))::bigint[],
                \(sql.bind(c.kid))::text[], \(sql.bind(c.surveyID))::text[], \(sql.bind(c.surveyVersion))::bigint[],
                \(sql.bind(c.surveyDigest))::text[], \(sql.bind(c.site))::text[], \(sql.bind(c.touchpoint))::text[],
                \(sql.bind(c.stage))::text[], \(sql.bind(c.language))::text[], \(sql.bind(c.startedAt))::timestamptz[],
                \(sql.bind(c.completedAt))::timestamptz[], \(sql.bind(c.status))::text[], \(sql.bind(c.suspect))::bool[],
                \(sql.bind(c.mode))::text[], \(sql.bind(c.account))::text[], \(sql.bind(c.hasAccount))::bool[],
                \(sql.bind(c.appVersion))::text[], \(sql.bind(c.contentHash))::text[], \(sql.bind(c.jws))::text[],
                \(sql.bind(c.accountSealed))::text[], \(sql.bind(c.personalData))::text[])
                AS item(id, kiosk, sequence, kid, survey_id, survey_version, survey_digest, site, touchpoint, stage,
                    language, started_at, completed_at, status, suspect, mode, account, has_account, app_version,
                    content_hash, jws, account_sealed, personal_data)
            ON CONFLICT DO NOTHING
            RETURNING id, sequence, content_hash
            """
        var inserted = Set<StoredRowKey>()
        for row in try await rows(sql.query(statement), on: connection, logger: logger) {
            inserted.insert(StoredRowKey(
                id: try row["id"].decode(String.self), sequence: try row["sequence"].decode(Int64.self),
                contentHash: try row["content_hash"].decode(String.self)))
        }
        return inserted
    }

    /// Inserts the answers of the stored items in one statement.
    private static func insertAnswers(
        of items: [VerifiedItem], cipher: CommentCipher?, on connection: PostgresConnection, logger: Logger
    ) async throws {
        var responseID: [String] = [], position: [Int] = [], question: [String] = [], type: [String] = []
        var number: [Int] = [], hasNumber: [Bool] = [], text: [String] = [], hasText: [Bool] = []
        for item in items {
            for (index, answer) in item.response.answers.enumerated() {
                let (numberValue, textValue) = answer.value.storedColumns
                responseID.append(item.response.id)
                position.append(index)
                question.append(answer.question)
                type.append(answer.type.rawValue)
                number.append(numberValue ?? 0)
                hasNumber.append(numberValue != nil)
                text.append((answer.type == .text ? try CommentCipher.seal(textValue, with: cipher) : textValue) ?? "")
                hasText.append(textValue != nil)
            }
        }
        guard !responseID.isEmpty else { return }
        var sql = SQLBuilder()
        let statement = """
            INSERT INTO answers (response_id, position, question, type, number_value, text_value)
            SELECT response_id, position, question, type, CASE WHEN has_number THEN number END, CASE WHEN has_text THEN text END
            FROM unnest(\(sql.bind(responseID))::text[], \(sql.bind(position))::bigint[], \(sql.bind(question))::text[],
                \(sql.bind(type))::text[], \(sql.bind(number))::bigint[], \(sql.bind(hasNumber))::bool[],
                \(sql.bind(text))::text[], \(sql.bind(hasText))::bool[])
                AS answer(response_id, position, question, type, number, has_number, text, has_text)
            """
        try await connection.query(sql.query(statement), logger: logger)
    }

    /// The result of an item whose insert was skipped: the same id (resend or other content) or a taken sequence.
    private static func classifyConflict(_ item: VerifiedItem, on connection: PostgresConnection, logger: Logger) async throws -> ItemResult {
        let response = item.response
        if let existing = try await rows(
            "SELECT content_hash FROM responses WHERE id = \(response.id)", on: connection, logger: logger
        ).first {
            return try existing["content_hash"].decode(String.self) == item.contentHash
                ? .duplicate(index: item.index, id: response.id)
                : .conflictingContent(index: item.index, id: response.id)
        }
        let sequence = Int64(clamping: response.sequence)
        if let other = try await rows(
            "SELECT id FROM responses WHERE kiosk = \(response.kiosk) AND sequence = \(sequence)", on: connection, logger: logger
        ).first {
            return .sequenceTaken(
                index: item.index, id: response.id, kiosk: response.kiosk, sequence: response.sequence,
                by: try other["id"].decode(String.self))
        }
        throw CollectorError(.unavailable, "response \(response.id) was neither stored nor found")
    }

    // MARK: Helpers

    /// The advisory lock every ingest holds shared and the fan-out takes exclusively.
    static let ingestLock: Int64 = 0x7470_0001
    /// The advisory lock of migrations.
    static let migrationLock: Int64 = 0x7470_0002
    /// The advisory lock of account imports.
    static let accountsLock: Int64 = 0x7470_0003

    /// The UTC day (`YYYY-MM-DD`) of a `timestamptz` column, as ``ReportCalendar/day(of:)`` gives it.
    static func utcDay(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
    }

    /// Runs `query` and returns every row.
    static func rows(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// Runs `body` in a read-write transaction, retried (up to 5 times) when PostgreSQL aborts it for a
    /// deadlock or a serialization failure with another process.
    func write<T: Sendable>(_ what: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction(what, begin: "BEGIN", body)
    }

    /// Runs `body` in a read-only transaction with one snapshot (`REPEATABLE READ`).
    func read<T: Sendable>(_ what: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction(what, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", body)
    }

    private func transaction<T: Sendable>(
        _ what: String, begin: PostgresQuery, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await client.withConnection { connection in
                    try await connection.query(begin, logger: logger)
                    do {
                        let value = try await body(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return value
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch let error as CollectorError {
                throw error
            } catch {
                if attempt < 5, let error = error as? PSQLError, let state = error.serverInfo?[.sqlState],
                    state == "40P01" || state == "40001" {
                    logger.debug("transaction retried", metadata: ["db.sqlstate": "\(state)", "db.attempt": "\(attempt)"])
                    attempt += 1
                    continue
                }
                throw Self.storageError("cannot \(what)", error)
            }
        }
    }

    /// `.overloaded` for a busy database (too many connections, lock timeouts, repeated deadlocks),
    /// `.unavailable` for anything else.
    static func storageError(_ message: String, _ error: any Error) -> CollectorError {
        if let error = error as? CollectorError {
            return error
        }
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                if ["40P01", "40001", "55P03", "53300", "57014"].contains(state) {
                    return CollectorError(.overloaded, message + " (the database is busy, SQLSTATE \(state))", cause: PostgresCause(error))
                }
                let detail = error.serverInfo?[.message].map { ": \($0)" } ?? ""
                return CollectorError(.unavailable, message + " (SQLSTATE \(state)\(detail))", cause: PostgresCause(error))
            }
            if error.code == .poolClosed || error.code == .clientClosedConnection {
                return CollectorError(.unavailable, message + " (the storage is closed)", cause: PostgresCause(error))
            }
        }
        return CollectorError(.unavailable, message, cause: PostgresCause(error))
    }
}

/// A PostgreSQL error as a readable cause: postgres-nio's `PSQLError` prints only a placeholder (to keep
/// queries and data out of logs), so this keeps the server's message, or the connection failure, and the
/// error itself for code that inspects it.
struct PostgresCause: Error, Sendable, CustomStringConvertible {
    /// The original error.
    let error: any Error & Sendable

    init(_ error: any Error & Sendable) {
        self.error = error
    }

    var description: String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return message
        }
        if let underlying = error.underlying {
            return "\(underlying)"
        }
        return "\(error.code)"
    }
}
