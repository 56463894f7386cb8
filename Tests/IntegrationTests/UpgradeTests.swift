import Foundation
import Testing

/// Replacing the binary loses nothing (issue 16): a kiosk buffer an older release wrote (Tests/Fixtures/kiosk-0.1.0,
/// never regenerated) is read, continued and sent by this one.
@Suite("Upgrades keep every pending response")
struct UpgradeTests {
    static let fixture = Repository.root.appendingPathComponent("Tests/Fixtures/kiosk-0.1.0", isDirectory: true)

    @Test("pending files, key and sequence from 0.1.0: verified, continued at the next number, all stored by the collector")
    func aBufferFromAnOlderReleaseIsSentWhole() throws {
        let site = try SyncSite(kiosk: "kiosk-0-1-0")
        defer { site.stopAll() }
        let workspace = site.workspace
        // The field kiosk's files in place of this workspace's: key, counter, pending responses, and its surveys.
        let manager = FileManager.default
        for item in ["keys", "responses", "surveys"] {
            try? manager.removeItem(at: workspace.url(item))
            try manager.copyItem(at: Self.fixture.appendingPathComponent(item), to: workspace.url(item))
        }
        try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: workspace.keyFile.path)
        for directory in ["responses/sent", "responses/rejected"] {
            try manager.createDirectory(at: workspace.url(directory), withIntermediateDirectories: true)
        }
        let old = workspace.pendingNames
        #expect(old.count == 3)
        let verify = try site.run(["responses", "verify", "--responses", "responses", "--key", "keys/kiosk.key.jwk"])
        #expect(verify.status == 0 && verify.stdout.contains("3 valid, 0 bad"), "\(verify)")

        // This release's kiosk goes on from the old counter.
        let script = ["start retail-visit en", "10", "after the upgrade", "5", "2", "quit"].joined(separator: "\n") + "\n"
        let kiosk = try site.run(
            ["kiosk", "--site", SyncSite.site, "--kiosk-id", "kiosk-0-1-0", "--surveys", "surveys", "--responses", "responses",
             "--key", "keys/kiosk.key.jwk", "--history", "staff-history", "--thank-you-seconds", "0"], input: script)
        #expect(kiosk.status == 0, "\(kiosk)")
        let sequences = try workspace.pendingResponses().compactMap(\.sequence).sorted()
        #expect(sequences == [1, 2, 3, 4], "\(sequences)")

        // And the collector of this release stores every one of them.
        try site.enroll()
        let collector = try site.startCollector()
        let sync = try site.syncOnce(collector)
        #expect(sync.status == 0 && sync.stdout.contains("4 stored"), "\(sync)")
        #expect(workspace.pendingNames.isEmpty)
        let entry = try site.fleetEntry()
        #expect(entry.responseCount == 4 && entry.gaps.isEmpty, "\(entry)")
    }
}
