import GRDB
import TouchpointCollector

extension SQLiteCollectorStorage {
    /// The schema, one migration per change; applied on open.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: kiosks, keys, responses, answers") { db in
            try db.execute(sql: """
                CREATE TABLE kiosks (
                    id TEXT PRIMARY KEY NOT NULL,
                    site TEXT NOT NULL,
                    token_hash TEXT,
                    created_at DATETIME NOT NULL,
                    last_seen_at DATETIME,
                    response_count INTEGER NOT NULL DEFAULT 0,
                    highest_sequence INTEGER NOT NULL DEFAULT 0,
                    health_pending INTEGER,
                    health_rejected INTEGER,
                    health_oldest_pending_at TEXT,
                    health_last_sequence INTEGER,
                    health_reported_at DATETIME
                );
                CREATE TABLE kiosk_keys (
                    kid TEXT PRIMARY KEY NOT NULL,
                    kiosk TEXT NOT NULL REFERENCES kiosks(id) DEFERRABLE INITIALLY DEFERRED,
                    jwk TEXT NOT NULL,
                    enrolled_at DATETIME NOT NULL,
                    revoked_at DATETIME
                );
                CREATE UNIQUE INDEX kiosk_keys_one_active ON kiosk_keys (kiosk) WHERE revoked_at IS NULL;
                CREATE INDEX kiosk_keys_by_kiosk ON kiosk_keys (kiosk, enrolled_at);
                CREATE TABLE responses (
                    id TEXT PRIMARY KEY NOT NULL,
                    kiosk TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    kid TEXT NOT NULL REFERENCES kiosk_keys(kid),
                    survey_id TEXT NOT NULL,
                    survey_version INTEGER NOT NULL,
                    survey_digest TEXT NOT NULL,
                    site TEXT NOT NULL,
                    touchpoint TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    language TEXT NOT NULL,
                    started_at DATETIME NOT NULL,
                    completed_at DATETIME NOT NULL,
                    status TEXT NOT NULL,
                    suspect BOOLEAN NOT NULL,
                    mode TEXT NOT NULL,
                    account TEXT,
                    app_version TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    jws TEXT NOT NULL,
                    received_at DATETIME NOT NULL
                );
                CREATE UNIQUE INDEX responses_by_kiosk_sequence ON responses (kiosk, sequence);
                CREATE INDEX responses_by_survey ON responses (survey_id, completed_at);
                CREATE TABLE answers (
                    response_id TEXT NOT NULL REFERENCES responses(id),
                    position INTEGER NOT NULL,
                    question TEXT NOT NULL,
                    type TEXT NOT NULL,
                    number_value INTEGER,
                    text_value TEXT,
                    PRIMARY KEY (response_id, position)
                ) WITHOUT ROWID;
                """)
        }
        // Later schema, each in the file of the feature that owns it.
        registerReportMigrations(&migrator)
        registerFeedMigrations(&migrator)
        registerHealthMigrations(&migrator)
        registerAccessMigrations(&migrator)
        registerProbeMigrations(&migrator)
        registerFleetMigrations(&migrator)
        registerAlertMigrations(&migrator)
        registerCaseMigrations(&migrator)
        registerErasureMigrations(&migrator)
        return migrator
    }
}
