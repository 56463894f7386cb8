import Foundation
import Logging
import PostgresNIO
import TouchpointCollector

/// Users, API tokens, sessions and the audit log, as in the SQLite storage. Names are unique by primary key, so
/// two processes adding the same name at once store one and the other gets `.conflict`.
extension PostgresCollectorStorage {
    // MARK: Users

    public func addUser(_ user: UserRecord) async throws {
        let logger = self.logger
        let inserted = try await write("add user \(user.name)") { connection in
            try await Self.rows(
                """
                INSERT INTO users (name, password_hash, role, created_at, last_login_at)
                VALUES (\(user.name), \(user.passwordHash), \(user.role.rawValue), \(PostgresTimestamp(user.createdAt)),
                    \(user.lastLoginAt.map(PostgresTimestamp.init)))
                ON CONFLICT DO NOTHING RETURNING name
                """, on: connection, logger: logger).count
        }
        guard inserted == 1 else { throw CollectorError(.conflict, "there is already a user \(user.name)") }
    }

    public func user(named name: String) async throws -> UserRecord? {
        let logger = self.logger
        return try await read("read user \(name)") { connection in
            try await Self.rows("SELECT * FROM users WHERE name = \(name)", on: connection, logger: logger)
                .first.map(Self.userRecord)
        }
    }

    public func users() async throws -> [UserRecord] {
        let logger = self.logger
        return try await read("read users") { connection in
            try await Self.rows("SELECT * FROM users ORDER BY name", on: connection, logger: logger).map(Self.userRecord)
        }
    }

    public func removeUser(named name: String) async throws -> Bool {
        let logger = self.logger
        return try await write("remove user \(name)") { connection in
            try await connection.query("DELETE FROM sessions WHERE user_name = \(name)", logger: logger)
            return try await !Self.rows("DELETE FROM users WHERE name = \(name) RETURNING name", on: connection, logger: logger).isEmpty
        }
    }

    public func recordLogin(user name: String, at date: Date) async throws {
        let logger = self.logger
        _ = try await write("record a sign-in") { connection in
            try await connection.query(
                "UPDATE users SET last_login_at = \(PostgresTimestamp(date)) WHERE name = \(name)", logger: logger)
        }
    }

    private static func userRecord(_ row: PostgresRandomAccessRow) throws -> UserRecord {
        UserRecord(
            name: try row["name"].decode(String.self), passwordHash: try row["password_hash"].decode(String.self),
            role: try role(row["role"].decode(String.self)), createdAt: try row["created_at"].decode(PostgresTimestamp.self).date,
            lastLoginAt: try row["last_login_at"].decode(PostgresTimestamp?.self)?.date)
    }

    private static func role(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text) else {
            throw CollectorError(.unavailable, "the database holds an unknown role \(text)")
        }
        return role
    }

    // MARK: API tokens

    public func addAPIToken(_ token: APITokenRecord) async throws {
        let logger = self.logger
        let inserted = try await write("add API token \(token.name)") { connection in
            try await Self.rows(
                """
                INSERT INTO api_tokens (name, token_hash, role, created_at, last_used_at, revoked_at)
                VALUES (\(token.name), \(token.tokenHash), \(token.role.rawValue), \(PostgresTimestamp(token.createdAt)),
                    \(token.lastUsedAt.map(PostgresTimestamp.init)), \(token.revokedAt.map(PostgresTimestamp.init)))
                ON CONFLICT DO NOTHING RETURNING name
                """, on: connection, logger: logger).count
        }
        guard inserted == 1 else { throw CollectorError(.conflict, "there is already a token named \(token.name)") }
    }

    public func apiToken(hash tokenHash: String) async throws -> APITokenRecord? {
        let logger = self.logger
        return try await read("read an API token") { connection in
            try await Self.rows("SELECT * FROM api_tokens WHERE token_hash = \(tokenHash)", on: connection, logger: logger)
                .first.map(Self.tokenRecord)
        }
    }

    public func apiTokens() async throws -> [APITokenRecord] {
        let logger = self.logger
        return try await read("read API tokens") { connection in
            try await Self.rows("SELECT * FROM api_tokens ORDER BY name", on: connection, logger: logger).map(Self.tokenRecord)
        }
    }

    public func revokeAPIToken(named name: String, at date: Date) async throws -> Bool {
        let logger = self.logger
        return try await write("revoke API token \(name)") { connection in
            try await !Self.rows(
                """
                UPDATE api_tokens SET revoked_at = \(PostgresTimestamp(date)) WHERE name = \(name) AND revoked_at IS NULL
                RETURNING name
                """, on: connection, logger: logger).isEmpty
        }
    }

    public func recordAPITokenUse(named name: String, at date: Date) async throws {
        let logger = self.logger
        _ = try await write("record an API token's use") { connection in
            try await connection.query(
                "UPDATE api_tokens SET last_used_at = \(PostgresTimestamp(date)) WHERE name = \(name)", logger: logger)
        }
    }

    private static func tokenRecord(_ row: PostgresRandomAccessRow) throws -> APITokenRecord {
        APITokenRecord(
            name: try row["name"].decode(String.self), tokenHash: try row["token_hash"].decode(String.self),
            role: try role(row["role"].decode(String.self)), createdAt: try row["created_at"].decode(PostgresTimestamp.self).date,
            lastUsedAt: try row["last_used_at"].decode(PostgresTimestamp?.self)?.date,
            revokedAt: try row["revoked_at"].decode(PostgresTimestamp?.self)?.date)
    }

    // MARK: Sessions

    public func putSession(idHash: String, user: String, value: String, expiresAt: Date) async throws {
        let logger = self.logger
        _ = try await write("store a session") { connection in
            try await connection.query(
                """
                INSERT INTO sessions (id_hash, user_name, value, expires_at)
                VALUES (\(idHash), \(user), \(value), \(PostgresTimestamp(expiresAt)))
                ON CONFLICT (id_hash) DO UPDATE SET user_name = excluded.user_name, value = excluded.value,
                    expires_at = excluded.expires_at
                """, logger: logger)
        }
    }

    public func session(idHash: String, now: Date) async throws -> (value: String, expiresAt: Date)? {
        let logger = self.logger
        return try await read("read a session") { connection in
            guard let row = try await Self.rows(
                "SELECT value, expires_at FROM sessions WHERE id_hash = \(idHash) AND expires_at > \(PostgresTimestamp(now))",
                on: connection, logger: logger
            ).first else { return nil }
            return (try row["value"].decode(String.self), try row["expires_at"].decode(PostgresTimestamp.self).date)
        }
    }

    public func removeSession(idHash: String) async throws {
        let logger = self.logger
        _ = try await write("remove a session") { connection in
            try await connection.query("DELETE FROM sessions WHERE id_hash = \(idHash)", logger: logger)
        }
    }

    public func removeExpiredSessions(now: Date) async throws -> Int {
        let logger = self.logger
        return try await write("remove expired sessions") { connection in
            try await Self.rows(
                "DELETE FROM sessions WHERE expires_at <= \(PostgresTimestamp(now)) RETURNING id_hash", on: connection, logger: logger
            ).count
        }
    }

    // MARK: Audit log

    public func recordAudit(_ event: AuditEvent) async throws {
        let logger = self.logger
        _ = try await write("record an audit event") { connection in
            try await connection.query(
                """
                INSERT INTO audit_log (at, actor, action, target, count, remote)
                VALUES (\(PostgresTimestamp(event.at)), \(event.actor), \(event.action), \(event.target), \(event.count),
                    \(event.remote))
                """, logger: logger)
        }
    }

    public func auditLog(since: Date?, limit: Int) async throws -> [AuditEvent] {
        let logger = self.logger
        return try await read("read the audit log") { connection in
            let rows = try await Self.rows(
                """
                SELECT * FROM (SELECT * FROM audit_log WHERE at >= \(PostgresTimestamp(since ?? Date(timeIntervalSince1970: 0)))
                    ORDER BY id DESC LIMIT \(max(0, limit))) AS newest ORDER BY id
                """, on: connection, logger: logger)
            return try rows.map { row in
                AuditEvent(
                    at: try row["at"].decode(PostgresTimestamp.self).date, actor: try row["actor"].decode(String.self),
                    action: try row["action"].decode(String.self), target: try row["target"].decode(String?.self),
                    count: try row["count"].decode(Int?.self), remote: try row["remote"].decode(String?.self))
            }
        }
    }
}
