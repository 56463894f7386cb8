import Foundation

/// What a person or program reading the collector may see; each role includes the ones below it.
///
/// - `viewer`: reports and the dashboard's scores, no comment text and no account identities;
/// - `analyst`: also comments, the raw export, accounts and health;
/// - `admin`: also the fleet, the feed's status, users, tokens and the audit log.
public enum Role: String, Sendable, Hashable, CaseIterable, Comparable, Codable, CustomStringConvertible {
    case viewer
    case analyst
    case admin

    /// This role and every role it includes.
    public var granted: Set<Role> {
        Set(Role.allCases.filter { $0 <= self })
    }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .analyst: 1
        case .admin: 2
        }
    }

    public var description: String { rawValue }

}

/// A person who signs in to the dashboard.
public struct UserRecord: Sendable, Hashable {
    /// The sign-in name.
    public var name: String
    /// The bcrypt hash of the password.
    public var passwordHash: String
    /// The user's role.
    public var role: Role
    /// When the user was added.
    public var createdAt: Date
    /// When the user last signed in, if ever.
    public var lastLoginAt: Date?

    /// Creates a record.
    public init(name: String, passwordHash: String, role: Role, createdAt: Date, lastLoginAt: Date? = nil) {
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
        self.createdAt = createdAt
        self.lastLoginAt = lastLoginAt
    }
}

/// A program's API token (sent as `Authorization: Bearer`); only its SHA-256 hash is stored.
public struct APITokenRecord: Sendable, Hashable {
    /// The token's name, unique (e.g. `powerbi`).
    public var name: String
    /// The lowercase hex SHA-256 of the token.
    public var tokenHash: String
    /// What the token may read.
    public var role: Role
    /// When it was created.
    public var createdAt: Date
    /// When it was last used, if ever (updated at most once a minute).
    public var lastUsedAt: Date?
    /// When it was revoked; a revoked token is refused.
    public var revokedAt: Date?

    /// Creates a record.
    public init(name: String, tokenHash: String, role: Role, createdAt: Date, lastUsedAt: Date? = nil, revokedAt: Date? = nil) {
        self.name = name
        self.tokenHash = tokenHash
        self.role = role
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// One line of the audit log: who did what, when, to what, and how many — never content or secrets.
public struct AuditEvent: Sendable, Hashable {
    /// When it happened.
    public var at: Date
    /// Who: `user:NAME`, `token:NAME`, `cli` (a command on the collector's machine), or `anonymous`.
    public var actor: String
    /// What, e.g. `login`, `login-failed`, `logout`, `export`, `comments`, `token-created`, `token-revoked`,
    /// `user-added`, `user-removed`, `denied`.
    public var action: String
    /// What it was done to (a user or token name, a route), if anything.
    public var target: String?
    /// How many rows were read or changed, where that applies.
    public var count: Int?
    /// Where the request came from (the peer address), for requests.
    public var remote: String?

    /// Creates an event.
    public init(at: Date, actor: String, action: String, target: String? = nil, count: Int? = nil, remote: String? = nil) {
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.count = count
        self.remote = remote
    }
}

/// Users, API tokens, dashboard sessions and the audit log: what decides who may read what.
///
/// Secrets are never stored: passwords as bcrypt hashes, tokens and session ids as SHA-256 hashes.
public protocol AccessStorage: Sendable {
    /// Adds a user; throws `.conflict` if the name is taken.
    func addUser(_ user: UserRecord) async throws
    /// The user named `name`, if any.
    func user(named name: String) async throws -> UserRecord?
    /// Every user, by name.
    func users() async throws -> [UserRecord]
    /// Removes a user and their sessions; returns whether there was one.
    func removeUser(named name: String) async throws -> Bool
    /// Records a successful sign-in.
    func recordLogin(user name: String, at date: Date) async throws

    /// Adds an API token; throws `.conflict` if the name is taken (a revoked token's name included).
    func addAPIToken(_ token: APITokenRecord) async throws
    /// The token whose hash is `tokenHash`, revoked or not.
    func apiToken(hash tokenHash: String) async throws -> APITokenRecord?
    /// Every token, by name.
    func apiTokens() async throws -> [APITokenRecord]
    /// Revokes the token named `name`; returns false if there is no such active token.
    func revokeAPIToken(named name: String, at date: Date) async throws -> Bool
    /// Records a use of the token named `name` (callers throttle this).
    func recordAPITokenUse(named name: String, at date: Date) async throws

    /// Stores (or replaces) the session whose id hashes to `idHash`: its JSON value, owner and expiry.
    func putSession(idHash: String, user: String, value: String, expiresAt: Date) async throws
    /// The session's JSON value and expiry, unless it has expired by `now`.
    func session(idHash: String, now: Date) async throws -> (value: String, expiresAt: Date)?
    /// Removes one session.
    func removeSession(idHash: String) async throws
    /// Removes sessions expired by `now`; returns how many.
    func removeExpiredSessions(now: Date) async throws -> Int

    /// Appends an event to the audit log.
    func recordAudit(_ event: AuditEvent) async throws
    /// The newest `limit` events at or after `since`, oldest first.
    func auditLog(since: Date?, limit: Int) async throws -> [AuditEvent]
}
