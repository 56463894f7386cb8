import Foundation
import GRDB
import TouchpointCollector

extension SQLiteCollectorStorage {
    /// Users, API tokens, sessions and the audit log.
    static func registerAccessMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("access v1: users, API tokens, sessions, audit log") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    name TEXT PRIMARY KEY,
                    password_hash TEXT NOT NULL,
                    role TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    last_login_at DATETIME
                );
                CREATE TABLE api_tokens (
                    name TEXT PRIMARY KEY,
                    token_hash TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    last_used_at DATETIME,
                    revoked_at DATETIME
                );
                CREATE TABLE sessions (
                    id_hash TEXT PRIMARY KEY,
                    user_name TEXT NOT NULL,
                    value TEXT NOT NULL,
                    expires_at DATETIME NOT NULL
                );
                CREATE INDEX sessions_by_user ON sessions (user_name);
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at DATETIME NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT,
                    count INTEGER,
                    remote TEXT
                );
                CREATE INDEX audit_log_by_time ON audit_log (at);
                """)
        }
    }

    // MARK: Users

    public func addUser(_ user: UserRecord) async throws {
        try await write("add user \(user.name)") { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE name = ?", arguments: [user.name]) == nil else {
                throw CollectorError(.conflict, "there is already a user \(user.name)")
            }
            try db.execute(
                sql: "INSERT INTO users (name, password_hash, role, created_at, last_login_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [user.name, user.passwordHash, user.role.rawValue, user.createdAt, user.lastLoginAt])
        }
    }

    public func user(named name: String) async throws -> UserRecord? {
        try await read("read user \(name)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map(Self.userRecord)
        }
    }

    public func users() async throws -> [UserRecord] {
        try await read("read users") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map(Self.userRecord)
        }
    }

    public func removeUser(named name: String) async throws -> Bool {
        try await write("remove user \(name)") { db in
            try db.execute(sql: "DELETE FROM sessions WHERE user_name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func recordLogin(user name: String, at date: Date) async throws {
        try await write("record a sign-in") { db in
            try db.execute(sql: "UPDATE users SET last_login_at = ? WHERE name = ?", arguments: [date, name])
        }
    }

    private static func userRecord(_ row: Row) throws -> UserRecord {
        UserRecord(
            name: row["name"], passwordHash: row["password_hash"], role: try role(row["role"]),
            createdAt: row["created_at"], lastLoginAt: row["last_login_at"])
    }

    private static func role(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text) else {
            throw CollectorError(.unavailable, "the database holds an unknown role \(text)")
        }
        return role
    }

    // MARK: API tokens

    public func addAPIToken(_ token: APITokenRecord) async throws {
        try await write("add API token \(token.name)") { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM api_tokens WHERE name = ?", arguments: [token.name]) == nil else {
                throw CollectorError(.conflict, "there is already a token named \(token.name)")
            }
            try db.execute(
                sql: """
                    INSERT INTO api_tokens (name, token_hash, role, created_at, last_used_at, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [token.name, token.tokenHash, token.role.rawValue, token.createdAt, token.lastUsedAt, token.revokedAt])
        }
    }

    public func apiToken(hash tokenHash: String) async throws -> APITokenRecord? {
        try await read("read an API token") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_tokens WHERE token_hash = ?", arguments: [tokenHash]).map(Self.tokenRecord)
        }
    }

    public func apiTokens() async throws -> [APITokenRecord] {
        try await read("read API tokens") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_tokens ORDER BY name").map(Self.tokenRecord)
        }
    }

    public func revokeAPIToken(named name: String, at date: Date) async throws -> Bool {
        try await write("revoke API token \(name)") { db in
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [date, name])
            return db.changesCount > 0
        }
    }

    public func recordAPITokenUse(named name: String, at date: Date) async throws {
        try await write("record an API token's use") { db in
            try db.execute(sql: "UPDATE api_tokens SET last_used_at = ? WHERE name = ?", arguments: [date, name])
        }
    }

    private static func tokenRecord(_ row: Row) throws -> APITokenRecord {
        APITokenRecord(
            name: row["name"], tokenHash: row["token_hash"], role: try role(row["role"]), createdAt: row["created_at"],
            lastUsedAt: row["last_used_at"], revokedAt: row["revoked_at"])
    }

    // MARK: Sessions

    public func putSession(idHash: String, user: String, value: String, expiresAt: Date) async throws {
        try await write("store a session") { db in
            try db.execute(
                sql: """
                    INSERT INTO sessions (id_hash, user_name, value, expires_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (id_hash) DO UPDATE SET user_name = excluded.user_name, value = excluded.value,
                        expires_at = excluded.expires_at
                    """,
                arguments: [idHash, user, value, expiresAt])
        }
    }

    public func session(idHash: String, now: Date) async throws -> (value: String, expiresAt: Date)? {
        try await read("read a session") { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT value, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?", arguments: [idHash, now])
            else { return nil }
            return (row["value"], row["expires_at"])
        }
    }

    public func removeSession(idHash: String) async throws {
        try await write("remove a session") { db in
            try db.execute(sql: "DELETE FROM sessions WHERE id_hash = ?", arguments: [idHash])
        }
    }

    public func removeExpiredSessions(now: Date) async throws -> Int {
        try await write("remove expired sessions") { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at <= ?", arguments: [now])
            return db.changesCount
        }
    }

    // MARK: Audit log

    public func recordAudit(_ event: AuditEvent) async throws {
        try await write("record an audit event") { db in
            try db.execute(
                sql: "INSERT INTO audit_log (at, actor, action, target, count, remote) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [event.at, event.actor, event.action, event.target, event.count, event.remote])
        }
    }

    public func auditLog(since: Date?, limit: Int) async throws -> [AuditEvent] {
        try await read("read the audit log") { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM (SELECT * FROM audit_log WHERE at >= ? ORDER BY id DESC LIMIT ?) ORDER BY id
                    """,
                arguments: [since ?? Date.distantPast, max(0, limit)])
            return rows.map { row in
                AuditEvent(
                    at: row["at"], actor: row["actor"], action: row["action"], target: row["target"], count: row["count"],
                    remote: row["remote"])
            }
        }
    }
}
