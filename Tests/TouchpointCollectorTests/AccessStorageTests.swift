import Foundation
import Testing
import TouchpointCollector

/// Users, API tokens, sessions and the audit log in both storages.
@Suite("Access storage: users, tokens, sessions, audit log")
struct AccessStorageTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    @Test(arguments: StorageBackend.available) func usersAreUniqueAndRemovingOneEndsItsSessions(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await storage.addUser(UserRecord(name: "eva", passwordHash: "$2b$04$x", role: .admin, createdAt: start))
            try await storage.addUser(UserRecord(name: "ana", passwordHash: "$2b$04$y", role: .viewer, createdAt: start))
            await #expect(throws: CollectorError.self) {
                try await storage.addUser(UserRecord(name: "eva", passwordHash: "other", role: .viewer, createdAt: start))
            }
            #expect(try await storage.users().map(\.name) == ["ana", "eva"])
            #expect(try await storage.user(named: "eva")?.role == .admin)
            #expect(try await storage.user(named: "eva")?.passwordHash == "$2b$04$x", "the duplicate changed the first")
            try await storage.recordLogin(user: "ana", at: start.addingTimeInterval(60))
            #expect(try await storage.user(named: "ana")?.lastLoginAt == start.addingTimeInterval(60))

            try await storage.putSession(idHash: "s1", user: "ana", value: "{}", expiresAt: start.addingTimeInterval(3600))
            try await storage.putSession(idHash: "s2", user: "eva", value: "{}", expiresAt: start.addingTimeInterval(3600))
            #expect(try await storage.removeUser(named: "ana"))
            #expect(try await !storage.removeUser(named: "ana"))
            #expect(try await storage.session(idHash: "s1", now: start) == nil)
            #expect(try await storage.session(idHash: "s2", now: start) != nil)
        }
    }

    @Test(arguments: StorageBackend.available) func sessionsExpireAndAreReplaced(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await storage.putSession(idHash: "s", user: "eva", value: "{\"a\":1}", expiresAt: start.addingTimeInterval(600))
            #expect(try await storage.session(idHash: "s", now: start)?.value == "{\"a\":1}")
            try await storage.putSession(idHash: "s", user: "eva", value: "{\"a\":2}", expiresAt: start.addingTimeInterval(900))
            let replaced = try #require(try await storage.session(idHash: "s", now: start.addingTimeInterval(700)))
            #expect(replaced.value == "{\"a\":2}" && replaced.expiresAt == start.addingTimeInterval(900))
            #expect(try await storage.session(idHash: "s", now: start.addingTimeInterval(900)) == nil)
            try await storage.putSession(idHash: "t", user: "eva", value: "{}", expiresAt: start.addingTimeInterval(2000))
            #expect(try await storage.removeExpiredSessions(now: start.addingTimeInterval(1000)) == 1)
            #expect(try await storage.session(idHash: "t", now: start) != nil)
            try await storage.removeSession(idHash: "t")
            #expect(try await storage.session(idHash: "t", now: start) == nil)
        }
    }

    @Test(arguments: StorageBackend.available) func tokensAreFoundByHashRevokedOnceAndNamedOnce(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await storage.addAPIToken(APITokenRecord(name: "powerbi", tokenHash: "h1", role: .viewer, createdAt: start))
            await #expect(throws: CollectorError.self) {
                try await storage.addAPIToken(APITokenRecord(name: "powerbi", tokenHash: "h2", role: .admin, createdAt: start))
            }
            #expect(try await storage.apiToken(hash: "h1")?.name == "powerbi")
            #expect(try await storage.apiToken(hash: "h2") == nil)
            try await storage.recordAPITokenUse(named: "powerbi", at: start.addingTimeInterval(5))
            #expect(try await storage.apiTokens().first?.lastUsedAt == start.addingTimeInterval(5))
            #expect(try await storage.revokeAPIToken(named: "powerbi", at: start.addingTimeInterval(10)))
            #expect(try await !storage.revokeAPIToken(named: "powerbi", at: start.addingTimeInterval(20)))
            #expect(try await storage.apiToken(hash: "h1")?.revokedAt == start.addingTimeInterval(10))
        }
    }

    @Test(arguments: StorageBackend.available) func theAuditLogKeepsOrderAndGivesTheNewest(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            for index in 0..<5 {
                try await storage.recordAudit(AuditEvent(
                    at: start.addingTimeInterval(Double(index)), actor: "user:eva", action: "export", target: "site=\(index)",
                    count: index, remote: "127.0.0.1"))
            }
            let newest = try await storage.auditLog(since: nil, limit: 2)
            #expect(newest.map(\.target) == ["site=3", "site=4"])
            #expect(newest.last == AuditEvent(
                at: start.addingTimeInterval(4), actor: "user:eva", action: "export", target: "site=4", count: 4, remote: "127.0.0.1"))
            #expect(try await storage.auditLog(since: start.addingTimeInterval(3), limit: 100).map(\.count) == [3, 4])
        }
    }
}
