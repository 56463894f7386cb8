import Logging
import PostgresNIO
import TouchpointCollector

extension PostgresCollectorStorage {
    /// One schema change: a name recorded in `schema_migrations` and its statements.
    struct Migration: Sendable {
        var name: String
        var statements: [String]
    }

    /// Text compared and sorted byte by byte, as SQLite does (and as ids, days and keyset pages need),
    /// whatever the database's default collation.
    private static let text = "TEXT COLLATE \"C\""

    /// The schema, one migration per change, applied in order on open.
    static var migrations: [Migration] {
        let text = Self.text
        return [
            Migration(name: "v1: kiosks, keys, responses, answers", statements: [
                """
                CREATE TABLE kiosks (
                    id \(text) PRIMARY KEY,
                    site \(text) NOT NULL,
                    token_hash \(text),
                    created_at TIMESTAMPTZ NOT NULL,
                    last_seen_at TIMESTAMPTZ,
                    response_count BIGINT NOT NULL DEFAULT 0,
                    highest_sequence BIGINT NOT NULL DEFAULT 0,
                    health_pending BIGINT,
                    health_rejected BIGINT,
                    health_oldest_pending_at \(text),
                    health_last_sequence BIGINT,
                    health_reported_at TIMESTAMPTZ
                )
                """,
                """
                CREATE TABLE kiosk_keys (
                    kid \(text) PRIMARY KEY,
                    kiosk \(text) NOT NULL REFERENCES kiosks(id) DEFERRABLE INITIALLY DEFERRED,
                    jwk \(text) NOT NULL,
                    enrolled_at TIMESTAMPTZ NOT NULL,
                    revoked_at TIMESTAMPTZ,
                    ordinal BIGINT GENERATED ALWAYS AS IDENTITY
                )
                """,
                "CREATE UNIQUE INDEX kiosk_keys_one_active ON kiosk_keys (kiosk) WHERE revoked_at IS NULL",
                "CREATE INDEX kiosk_keys_by_kiosk ON kiosk_keys (kiosk, enrolled_at)",
                """
                CREATE TABLE responses (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
                    id \(text) PRIMARY KEY,
                    kiosk \(text) NOT NULL,
                    sequence BIGINT NOT NULL,
                    kid \(text) NOT NULL REFERENCES kiosk_keys(kid),
                    survey_id \(text) NOT NULL,
                    survey_version INTEGER NOT NULL,
                    survey_digest \(text) NOT NULL,
                    site \(text) NOT NULL,
                    touchpoint \(text) NOT NULL,
                    stage \(text) NOT NULL,
                    language \(text) NOT NULL,
                    started_at TIMESTAMPTZ NOT NULL,
                    completed_at TIMESTAMPTZ NOT NULL,
                    status \(text) NOT NULL,
                    suspect BOOLEAN NOT NULL,
                    mode \(text) NOT NULL,
                    account \(text),
                    app_version \(text) NOT NULL,
                    content_hash \(text) NOT NULL,
                    jws \(text) NOT NULL,
                    received_at TIMESTAMPTZ NOT NULL,
                    UNIQUE (kiosk, sequence)
                )
                """,
                "CREATE INDEX responses_by_survey ON responses (survey_id, completed_at)",
                "CREATE INDEX responses_by_completed_at ON responses (completed_at)",
                "CREATE INDEX responses_by_account ON responses (account, completed_at) WHERE account IS NOT NULL",
                """
                CREATE TABLE answers (
                    response_id \(text) NOT NULL REFERENCES responses(id),
                    position INTEGER NOT NULL,
                    question \(text) NOT NULL,
                    type \(text) NOT NULL,
                    number_value BIGINT,
                    text_value \(text),
                    PRIMARY KEY (response_id, position)
                )
                """,
            ]),
            Migration(name: "v2: report aggregates", statements: [
                """
                CREATE TABLE report_tallies (
                    type \(text) NOT NULL,
                    day \(text) NOT NULL,
                    site \(text) NOT NULL,
                    touchpoint \(text) NOT NULL,
                    stage \(text) NOT NULL,
                    survey \(text) NOT NULL,
                    question \(text) NOT NULL,
                    language \(text) NOT NULL,
                    points INTEGER NOT NULL,
                    suspect BOOLEAN NOT NULL,
                    partial BOOLEAN NOT NULL,
                    n BIGINT NOT NULL,
                    total BIGINT NOT NULL,
                    top BIGINT NOT NULL,
                    middle BIGINT NOT NULL,
                    bottom BIGINT NOT NULL,
                    PRIMARY KEY (type, day, site, touchpoint, stage, survey, question, language, points, suspect, partial)
                )
                """,
                """
                CREATE TABLE report_scales (
                    survey \(text) NOT NULL,
                    version INTEGER NOT NULL,
                    question \(text) NOT NULL,
                    points INTEGER NOT NULL,
                    PRIMARY KEY (survey, version, question)
                )
                """,
            ]),
            Migration(name: "feed v1: cursor and outbox with claims", statements: [
                """
                CREATE TABLE feed_cursor (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    last_seq BIGINT NOT NULL,
                    started_at TIMESTAMPTZ NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL
                )
                """,
                """
                CREATE TABLE feed_outbox (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    webhook \(text) NOT NULL,
                    response_id \(text) NOT NULL,
                    event \(text) NOT NULL,
                    body \(text),
                    state \(text) NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at TIMESTAMPTZ NOT NULL,
                    last_error \(text),
                    created_at TIMESTAMPTZ NOT NULL,
                    delivered_at TIMESTAMPTZ,
                    claimed_by \(text),
                    claimed_until TIMESTAMPTZ,
                    UNIQUE (webhook, response_id, event)
                )
                """,
                "CREATE INDEX feed_outbox_by_state ON feed_outbox (webhook, state, id)",
            ]),
            Migration(name: "health v1: accounts, zone snapshots, account aggregates", statements: [
                """
                CREATE TABLE accounts (
                    id \(text) PRIMARY KEY,
                    name \(text) NOT NULL,
                    mrr DOUBLE PRECISION,
                    arr DOUBLE PRECISION,
                    owner \(text),
                    interactions BIGINT NOT NULL DEFAULT 0,
                    last_interaction_at TIMESTAMPTZ,
                    created_at TIMESTAMPTZ NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL
                )
                """,
                """
                CREATE TABLE account_health (
                    account \(text) NOT NULL,
                    computed_at TIMESTAMPTZ NOT NULL,
                    zone \(text) NOT NULL,
                    score DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (account, computed_at)
                )
                """,
                """
                CREATE TABLE account_response_counts (
                    account \(text) NOT NULL,
                    day \(text) NOT NULL,
                    responses BIGINT NOT NULL,
                    last_at TIMESTAMPTZ NOT NULL,
                    PRIMARY KEY (account, day)
                )
                """,
                """
                CREATE TABLE account_answer_counts (
                    account \(text) NOT NULL,
                    day \(text) NOT NULL,
                    type \(text) NOT NULL,
                    survey_id \(text) NOT NULL,
                    survey_version INTEGER NOT NULL,
                    question \(text) NOT NULL,
                    value BIGINT NOT NULL,
                    n BIGINT NOT NULL,
                    PRIMARY KEY (account, day, type, survey_id, survey_version, question, value)
                )
                """,
            ]),
            Migration(name: "access v1: users, API tokens, sessions, audit log", statements: [
                """
                CREATE TABLE users (
                    name \(text) PRIMARY KEY,
                    password_hash \(text) NOT NULL,
                    role \(text) NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    last_login_at TIMESTAMPTZ
                )
                """,
                """
                CREATE TABLE api_tokens (
                    name \(text) PRIMARY KEY,
                    token_hash \(text) NOT NULL UNIQUE,
                    role \(text) NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    last_used_at TIMESTAMPTZ,
                    revoked_at TIMESTAMPTZ
                )
                """,
                """
                CREATE TABLE sessions (
                    id_hash \(text) PRIMARY KEY,
                    user_name \(text) NOT NULL,
                    value \(text) NOT NULL,
                    expires_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE INDEX sessions_by_user ON sessions (user_name)",
                """
                CREATE TABLE audit_log (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    at TIMESTAMPTZ NOT NULL,
                    actor \(text) NOT NULL,
                    action \(text) NOT NULL,
                    target \(text),
                    count BIGINT,
                    remote \(text)
                )
                """,
                "CREATE INDEX audit_log_by_time ON audit_log (at)",
            ]),
            // The single row `checkWritable()` rewrites; not carried by `collector migrate`.
            Migration(name: "probe v1: health_probe", statements: [
                "CREATE TABLE health_probe (id INTEGER PRIMARY KEY CHECK (id = 1), writes BIGINT NOT NULL)",
            ]),
            Migration(name: "fleet v1: published surveys", statements: [
                """
                CREATE TABLE published_surveys (
                    survey_id TEXT COLLATE "C" NOT NULL,
                    version BIGINT NOT NULL,
                    digest TEXT NOT NULL,
                    source TEXT NOT NULL,
                    published_at TIMESTAMPTZ NOT NULL,
                    published_by TEXT NOT NULL,
                    PRIMARY KEY (survey_id, version)
                )
                """,
            ]),
            Migration(name: "fleet v2: kiosk configuration", statements: [
                """
                ALTER TABLE kiosks ADD COLUMN health_config_version TEXT, ADD COLUMN health_config_problem TEXT,
                    ADD COLUMN health_defaults TEXT, ADD COLUMN config_touchpoint TEXT, ADD COLUMN config_version TEXT,
                    ADD COLUMN config_fetched_at TIMESTAMPTZ
                """,
            ]),
            // A scope field not given is stored as '' (not NULL), so the primary key makes one assignment per scope.
            Migration(name: "fleet v3: assignments and site settings", statements: [
                """
                CREATE TABLE survey_assignments (
                    survey_id TEXT COLLATE "C" NOT NULL,
                    site TEXT COLLATE "C" NOT NULL,
                    touchpoint TEXT COLLATE "C" NOT NULL,
                    kiosk TEXT COLLATE "C" NOT NULL,
                    version BIGINT,
                    assigned_at TIMESTAMPTZ NOT NULL,
                    assigned_by TEXT NOT NULL,
                    PRIMARY KEY (survey_id, site, touchpoint, kiosk)
                )
                """,
                """
                CREATE TABLE site_settings (
                    site TEXT COLLATE "C" PRIMARY KEY,
                    settings TEXT NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL,
                    updated_by TEXT NOT NULL
                )
                """,
            ]),
        ] + alertMigrations + caseMigrations + erasureMigrations
    }

    /// Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction under an
    /// advisory lock, so two collectors starting at once migrate once (the second waits, then finds them done).
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        // A database a newer collector migrated is refused, never used half-understood.
        let exists = try await rows("SELECT to_regclass('schema_migrations') IS NOT NULL AS present", on: connection, logger: logger)
        if try exists.first?["present"].decode(Bool.self) == true {
            let known = Set(migrations.map(\.name))
            var unknown: [String] = []
            for row in try await rows("SELECT name FROM schema_migrations ORDER BY name", on: connection, logger: logger) {
                let name = try row["name"].decode(String.self)
                if !known.contains(name) { unknown.append(name) }
            }
            guard unknown.isEmpty else {
                throw CollectorError(
                    .unavailable,
                    "the collector database was migrated by a newer collector (\(unknown.joined(separator: "; "))): "
                        + "run that version or a later one, or restore a backup made before")
            }
        }
        for migration in migrations {
            try await connection.query("BEGIN", logger: logger)
            do {
                try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        name TEXT COLLATE "C" PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """, logger: logger)
                let applied = try await rows(
                    "SELECT 1 AS applied FROM schema_migrations WHERE name = \(migration.name)", on: connection, logger: logger)
                if applied.isEmpty {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
                    logger.info("collector database migrated", metadata: ["db.migration": "\(migration.name)"])
                }
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
