import Foundation
import Testing

/// `touchpoint collector enroll` refusing what it must not store: ids that break the id rule and private keys.
@Suite("collector enroll checks its input")
struct EnrollCommandTests {
    /// A workspace with a kiosk key and its exported public JWK in `kiosk.jwk`.
    func workspaceWithKey() throws -> Workspace {
        let workspace = try Workspace()
        let created = try workspace.run(["keys", "init", "--key", "keys/kiosk.key.jwk"])
        try #require(created.status == 0, "\(created)")
        let export = try workspace.run(["keys", "export", "--key", "keys/kiosk.key.jwk"])
        try #require(export.status == 0, "\(export)")
        try Data(export.stdout.utf8).write(to: workspace.url("kiosk.jwk"))
        return workspace
    }

    @Test("kiosk and site ids that break the survey id rule are refused, naming the argument, before the database is opened")
    func badIDsAreRefused() throws {
        let workspace = try workspaceWithKey()
        let cases: [(kiosk: String, site: String, expected: String)] = [
            ("", "demo-site", "--kiosk must be a non-empty name"),
            ("x' OR 1=1 --", "demo-site", "--kiosk 'x' OR 1=1 --' may hold only lowercase letters, digits, '-', '_' and '.'"),
            ("a/../b", "demo-site", "--kiosk 'a/../b' may hold only"),
            ("kiosk-1", "Demo Site", "--site 'Demo Site' may hold only"),
        ]
        for (kiosk, site, expected) in cases {
            let result = try workspace.run(
                ["collector", "enroll", "--database", "collector.sqlite", "--kiosk", kiosk, "--site", site, "--jwk", "kiosk.jwk"])
            #expect(result.status != 0, "\(result)")
            #expect(result.stderr.contains(expected), "\(result)")
            #expect(result.stderr.contains("kiosk and site ids follow the rule for survey ids"), "\(result)")
        }
        #expect(!FileManager.default.fileExists(atPath: workspace.url("collector.sqlite").path))

        let good = try workspace.run(
            ["collector", "enroll", "--database", "collector.sqlite", "--kiosk", "kiosk-1", "--site", "demo-site", "--jwk", "kiosk.jwk"])
        #expect(good.status == 0, "\(good)")
        #expect(good.stdout.contains("Enrolled kiosk kiosk-1 (site demo-site)"), "\(good)")
    }

    @Test("a private JWK (from a file or standard input) is refused with the command that exports the public key")
    func privateJWKIsRefused() throws {
        let workspace = try workspaceWithKey()
        let privateJWK = try String(contentsOf: workspace.keyFile, encoding: .utf8)
        let arguments = ["collector", "enroll", "--database", "collector.sqlite", "--kiosk", "kiosk-1", "--site", "demo-site"]
        for result in [
            try workspace.run(arguments + ["--jwk", "keys/kiosk.key.jwk"]),
            try workspace.run(arguments + ["--jwk", "-"], input: privateJWK),
        ] {
            #expect(result.status != 0, "\(result)")
            #expect(result.stderr.contains("holds the kiosk's private key (member d)"), "\(result)")
            #expect(result.stderr.contains("touchpoint keys export > kiosk.jwk"), "\(result)")
        }
        let kiosks = try workspace.run(["collector", "kiosks", "--database", "collector.sqlite"])
        #expect(kiosks.stdout.contains("No kiosks enrolled."), "\(kiosks)")
    }
}
