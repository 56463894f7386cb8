import Foundation
import Testing
import TouchpointCollector
import TouchpointJOSE

/// A collector never uses a database a newer collector migrated (issue 16: upgrades that lose nothing).
@Suite("Databases from a newer collector")
struct SchemaVersionTests {
    @Test(arguments: StorageBackend.available) func aDatabaseMigratedByANewerCollectorIsRefusedUntouched(backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            _ = try await location.withOpened { storage in
                try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: KioskKey.generate().publicJWK, tokenHash: nil, at: Fixtures.start)
            }
            let table = backend == .sqlite ? "grdb_migrations (identifier)" : "schema_migrations (name)"
            try await location.execute("INSERT INTO \(table) VALUES ('v99: from a later release')")
            do {
                _ = try await location.open()
                Issue.record("a database from a newer collector was opened")
            } catch let error as CollectorError {
                #expect(error.message.contains("migrated by a newer collector") && error.message.contains("v99: from a later release"), "\(error)")
            }
            // Nothing was changed: once the newer migration is gone again, the data is there.
            try await location.execute("DELETE FROM \(backend == .sqlite ? "grdb_migrations WHERE identifier" : "schema_migrations WHERE name") = 'v99: from a later release'")
            let kiosks = try await location.withOpened { storage in try await storage.kiosks().map(\.id) }
            #expect(kiosks == ["kiosk-1"])
        }
    }
}
