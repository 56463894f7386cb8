import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointProtocol
import TouchpointJOSE
import TouchpointCollectorSQLite

@Suite("Collector storage (SQLite and PostgreSQL)")
struct CollectorStorageTests {
    let key = KioskKey.generate()
    let now = Fixtures.start.addingTimeInterval(86_400)

    /// Verified items for `responses`, as the verifier would produce them.
    func items(_ responses: [SurveyResponse], key: KioskKey? = nil, from index: Int = 0) throws -> [VerifiedItem] {
        try Fixtures.verified(responses, key: key ?? self.key, from: index)
    }

    @Test(arguments: StorageBackend.available) func enrolListAndRevoke(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let kid = try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, tokenHash: nil, at: Fixtures.start)
            #expect(kid == key.keyID)
            var record = try #require(try await storage.kiosk("kiosk-1"))
            #expect(record.site == "malmo" && record.kid == kid && record.revokedAt == nil && !record.hasToken)
            #expect(record.enrolledAt == Fixtures.start)
            #expect(try await storage.key(kid: kid)?.isActive == true)
            // The key carries its kiosk's site, which the verifier holds responses to.
            #expect(try await storage.key(kid: kid)?.site == "malmo")

            let second = KioskKey.generate()
            await #expect(throws: CollectorError.self) {
                try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: second.publicJWK)
            }
            await #expect(throws: CollectorError.self) {
                try await storage.enroll(kiosk: "kiosk-2", site: "lund", jwk: key.publicJWK)
            }
            // Enrolling the same key again updates site and token.
            try await storage.enroll(kiosk: "kiosk-1", site: "lund", jwk: key.publicJWK, tokenHash: CollectorToken.hash("t"))
            record = try #require(try await storage.kiosk("kiosk-1"))
            #expect(record.site == "lund" && record.hasToken)
            #expect(try await storage.key(kid: kid)?.site == "lund")
            #expect(try await storage.tokenHash(for: "kiosk-1") == CollectorToken.hash("t"))

            let revokedAt = Fixtures.start.addingTimeInterval(60)
            #expect(try await storage.revoke(kiosk: "kiosk-1", at: revokedAt) == kid)
            record = try #require(try await storage.kiosk("kiosk-1"))
            #expect(record.revokedAt == revokedAt)
            #expect(try await storage.key(kid: kid)?.isActive == false)
            do {
                try await storage.revoke(kiosk: "kiosk-1")
                Issue.record("revoking twice should fail")
            } catch let error as CollectorError {
                #expect(error.code == .notFound)
            }
            do {
                try await storage.enroll(kiosk: "kiosk-1", site: "lund", jwk: key.publicJWK)
                Issue.record("a revoked key must not come back")
            } catch let error as CollectorError {
                #expect(error.code == .conflict)
            }

            try await storage.enroll(kiosk: "kiosk-1", site: "lund", jwk: second.publicJWK)
            record = try #require(try await storage.kiosk("kiosk-1"))
            #expect(record.kid == second.keyID && record.revokedAt == nil)
            #expect(try await storage.kiosks().map(\.id) == ["kiosk-1"])
        }
    }

    @Test(arguments: StorageBackend.available) func enrolRefusesAKidThatIsNotTheThumbprint(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            var jwk = key.publicJWK
            jwk.kid = "my-key"
            do {
                try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: jwk)
                Issue.record("expected invalidKey")
            } catch let error as CollectorError {
                #expect(error.code == .invalidKey)
            }
            #expect(try await storage.kiosks().isEmpty)
        }
    }

    @Test(arguments: StorageBackend.available) func enrolRefusesKioskAndSiteIDsThatBreakTheIDRule(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            let refused: [(kiosk: String, site: String, message: String)] = [
                ("", "malmo", "kiosk id must be a non-empty name"),
                ("x' OR 1=1 --", "malmo", "kiosk id 'x' OR 1=1 --' may hold only lowercase letters, digits, '-', '_' and '.'"),
                ("a/../b", "malmo", "kiosk id 'a/../b' may hold only"),
                ("Kiosk-1", "malmo", "kiosk id 'Kiosk-1' may hold only"),
                ("kiosk-1", "", "site id must be a non-empty name"),
                ("kiosk-1", "=HYPERLINK(\"x\")", "site id '=HYPERLINK(\"x\")' may hold only"),
            ]
            for (kiosk, site, message) in refused {
                do {
                    try await storage.enroll(kiosk: kiosk, site: site, jwk: key.publicJWK)
                    Issue.record("enrolled kiosk '\(kiosk)' at site '\(site)'")
                } catch let error as CollectorError {
                    #expect(error.code == .invalidID)
                    #expect(error.message.hasPrefix(message), "\(error.message)")
                    #expect(error.message.hasSuffix("(the rule for survey ids)"))
                }
            }
            #expect(try await storage.kiosks().isEmpty)
            // Ids that follow the rule are enrolled as before.
            try await storage.enroll(kiosk: "kiosk-1.b_2", site: "malmo-city", jwk: key.publicJWK)
            #expect(try await storage.kiosks().map(\.id) == ["kiosk-1.b_2"])
        }
    }

    @Test(arguments: StorageBackend.available) func storedThenDuplicateThenSameIDWithOtherContent(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK)
            let first = Fixtures.response(sequence: 1)
            let stored = try await storage.ingest(try items([first]), health: Fixtures.health, kiosk: "kiosk-1", at: now)
            #expect(stored == [ItemResult(index: 0, id: first.id, status: .stored)])

            let again = try await storage.ingest(try items([first]), health: Fixtures.health, kiosk: "kiosk-1", at: now)
            #expect(again == [ItemResult(index: 0, id: first.id, status: .duplicate)])

            var changed = first
            changed.answers[0].value = .number(2)
            let conflicting = try await storage.ingest(try items([changed]), health: Fixtures.health, kiosk: "kiosk-1", at: now)
            #expect(conflicting.first?.status == .rejected)
            #expect(conflicting.first?.reason?.hasPrefix("same id with different content") == true)

            let reused = Fixtures.response(sequence: 1, seed: 99)
            #expect(reused.id != first.id)
            let clash = try await storage.ingest(try items([reused]), health: Fixtures.health, kiosk: "kiosk-1", at: now)
            #expect(clash.first?.status == .rejected)
            #expect(clash.first?.reason == "sequence 1 of kiosk kiosk-1 is already used by response \(first.id)")

            let record = try #require(try await storage.kiosk("kiosk-1"))
            #expect(record.responseCount == 1 && record.highestSequence == 1)
        }
    }

    @Test(arguments: StorageBackend.available) func repeatsWithinOneBatchAreClassifiedInOrder(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK)
            let response = Fixtures.response(sequence: 1)
            var changed = response
            changed.suspect = true
            let results = try await storage.ingest(
                try items([response, response, changed]), health: Fixtures.health, kiosk: "kiosk-1", at: now)
            #expect(results.map(\.status) == [.stored, .duplicate, .rejected])
            #expect(results.map(\.index) == [0, 1, 2])
        }
    }

    @Test(arguments: StorageBackend.available) func gapsCountsHealthAndLastSeen(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK)
            let never = try #require(try await storage.kiosk("kiosk-1"))
            #expect(never.lastSeenAt == nil && never.health == nil && never.gaps.isEmpty && never.highestSequence == 0)

            let responses = [1, 2, 5, 9].map { Fixtures.response(sequence: $0) }
            _ = try await storage.ingest(try items(responses), health: Fixtures.health, kiosk: "kiosk-1", at: now)
            let record = try #require(try await storage.kiosk("kiosk-1"))
            #expect(record.responseCount == 4)
            #expect(record.highestSequence == 9)
            #expect(record.gaps == [3...4, 6...8])
            #expect(record.missingCount == 5)
            #expect(record.lastSeenAt == now)
            #expect(record.health == Fixtures.health)
            #expect(record.healthReportedAt == now)

            let later = now.addingTimeInterval(3600)
            // What the kiosk says of its configuration is kept with the rest of its report.
            let emptyHealth = BufferHealth(
                pending: 0, rejected: 1, lastSequence: 9, configVersion: "sha256:ab12", configProblem: "not a document: line 3",
                defaults: ["site", "kiosk"])
            _ = try await storage.ingest(try items([3, 4].map { Fixtures.response(sequence: $0) }), health: emptyHealth, kiosk: "kiosk-1", at: later)
            let after = try #require(try await storage.kiosk("kiosk-1"))
            #expect(after.gaps == [6...8])
            #expect(after.health == emptyHealth && after.lastSeenAt == later)
        }
    }

    @Test(arguments: StorageBackend.available) func missingFirstSequenceIsAGap(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK)
            _ = try await storage.ingest(try items([Fixtures.response(sequence: 3)]), health: Fixtures.health, kiosk: "kiosk-1", at: now)
            #expect(try await storage.kiosk("kiosk-1")?.gaps == [1...2])
        }
    }

    @Test(arguments: StorageBackend.available) func storedResponsesSurviveReopening(backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            let response = Fixtures.response(sequence: 1)
            do {
                let storage = try await location.open()
                try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK)
                _ = try await storage.ingest(try items([response]), health: Fixtures.health, kiosk: "kiosk-1", at: now)
                try await storage.close()
            }
            try await location.withOpened { reopened in
                let results = try await reopened.ingest(try items([response]), health: Fixtures.health, kiosk: "kiosk-1", at: now)
                #expect(results.map(\.status) == [.duplicate])
                #expect(try await reopened.kiosk("kiosk-1")?.responseCount == 1)
            }
        }
    }

    @Test(arguments: StorageBackend.available) func aFailedBatchStoresNothing(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK)
            // The second item names a key that is not enrolled: the foreign key fails the whole transaction.
            let stranger = KioskKey.generate()
            let batch = try items([Fixtures.response(sequence: 1)]) + items([Fixtures.response(sequence: 2)], key: stranger, from: 1)
            await #expect(throws: CollectorError.self) {
                try await storage.ingest(batch, health: Fixtures.health, kiosk: "kiosk-1", at: now)
            }
            let record = try #require(try await storage.kiosk("kiosk-1"))
            #expect(record.responseCount == 0 && record.lastSeenAt == nil)
            let retry = try await storage.ingest(try items([Fixtures.response(sequence: 1)]), health: Fixtures.health, kiosk: "kiosk-1", at: now)
            #expect(retry.map(\.status) == [.stored])
        }
    }

    @Test(arguments: StorageBackend.available) func checkWritableWritesAndFailsWhenTheStorageCannotBeWritten(backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            let storage = try await location.open()
            try await storage.checkWritable()
            try await storage.checkWritable()
            // A write that fails (here the probe's table is gone behind the storage's back; in production a full
            // disk or a read-only database) is `.unavailable`.
            try await location.execute("DROP TABLE health_probe")
            do {
                try await storage.checkWritable()
                Issue.record("the probe was written to a table that is gone")
            } catch let error as CollectorError {
                #expect(error.code == .unavailable, "\(error)")
            }
            try await storage.close()
            await #expect(throws: CollectorError.self) { try await storage.checkWritable() }
        }
        // A fresh open migrates an empty database with the probe table again.
        try await withStorage(backend) { storage, _ in try await storage.checkWritable() }
    }

    /// SQLite only: a file path that cannot be created.
    @Test func openingAnUnwritablePathIsUnavailable() throws {
        do {
            _ = try SQLiteCollectorStorage(path: "/nonexistent-dir-\(UUID().uuidString)/c.sqlite", logger: quietLogger)
            Issue.record("expected an error")
        } catch let error as CollectorError {
            #expect(error.code == .unavailable)
        }
    }
}
