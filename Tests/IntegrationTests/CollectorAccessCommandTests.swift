import Foundation
import Testing

/// `touchpoint collector user|token|audit` and a served collector that lets no one in without credentials, with
/// the real binary.
@Suite("collector users, tokens and the audit log from the command line")
struct CollectorAccessCommandTests {
    @Test("a fresh collector serves only /healthz, /livez and the sign-in page; users and tokens let people in by role")
    func usersTokensAndAudit() async throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        let collector = try site.startCollector()

        // Without credentials: nothing but the probes and the sign-in page.
        for open in ["/healthz", "/livez", "/login"] {
            #expect(try await LocalHTTP.get(collector.url + open).status == 200, "\(open)")
        }
        for closed in ["/v1/reports/nps", "/v1/comments", "/v1/export.csv", "/v1/kiosks", "/v1/feed/status"] {
            let answer = try await LocalHTTP.get(collector.url + closed)
            #expect(answer.status == 401, "\(closed): \(answer)")
        }

        // A user from standard input; a short password and an unknown role are refused.
        let short = try site.run(["collector", "user", "add", "eva", "--role", "admin", "--database", "c.sqlite"], input: "short\n")
        #expect(short.status != 0 && short.stderr.contains("at least 10 characters"), "\(short)")
        let badRole = try site.run(["collector", "user", "add", "eva", "--role", "boss", "--database", "c.sqlite"], input: "x\n")
        #expect(badRole.status != 0, "\(badRole)")
        let added = try site.run(
            ["collector", "user", "add", "eva", "--role", "analyst", "--database", "c.sqlite"], input: "a long password\n")
        #expect(added.status == 0 && added.stdout.contains("Added user eva (analyst)"), "\(added)")
        let again = try site.run(
            ["collector", "user", "add", "eva", "--role", "admin", "--database", "c.sqlite"], input: "a long password\n")
        #expect(again.status != 0 && again.stderr.contains("already a user eva"), "\(again)")
        let users = try site.run(["collector", "user", "list", "--database", "c.sqlite"])
        #expect(users.stdout.contains("eva") && users.stdout.contains("analyst") && users.stdout.contains("never"), "\(users)")
        #expect(!users.stdout.contains("$2"), "the password hash was printed")

        // A viewer token reads reports, not comments; revoked, it reads nothing.
        let token = try site.apiToken(role: "viewer", name: "powerbi")
        #expect(try await LocalHTTP.get(collector.url + "/v1/reports/nps", token: token).status == 200)
        #expect(try await LocalHTTP.get(collector.url + "/v1/comments", token: token).status == 403)
        let tokens = try site.run(["collector", "token", "list", "--database", "c.sqlite"])
        #expect(tokens.stdout.contains("powerbi") && tokens.stdout.contains("viewer") && !tokens.stdout.contains(token), "\(tokens)")
        let revoked = try site.run(["collector", "token", "revoke", "powerbi", "--database", "c.sqlite"])
        #expect(revoked.status == 0, "\(revoked)")
        #expect(try await LocalHTTP.get(collector.url + "/v1/reports/nps", token: token).status == 401)

        // Eva signs in through the form; the audit log has it, and the commands, never a secret.
        let login = try await LocalHTTP.post(
            collector.url + "/login", body: "name=eva&password=a+long+password&next=%2F",
            contentType: "application/x-www-form-urlencoded")
        // (The client follows the redirect without a cookie jar, so it ends on the sign-in page again.)
        #expect(login.status == 200, "\(login)")
        let audit = try site.run(["collector", "audit", "--database", "c.sqlite"])
        #expect(audit.stdout.contains("user:eva") && audit.stdout.contains("127.0.0.1"), "\(audit)")
        for action in ["user-added", "token-created", "token-revoked", "login"] {
            #expect(audit.stdout.contains(action), "no \(action) in\n\(audit)")
        }
        #expect(!audit.stdout.contains("a long password") && !audit.stdout.contains(token), "\(audit)")
    }
}

extension CollectorAccessCommandTests {
    @Test("enroll --token-file writes the upload token (0600, never over another file); collectorTokenFile sends it")
    func tokenFile() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        let collector = try site.startCollector()
        let export = try site.run(["keys", "export", "--key", "keys/kiosk.key.jwk"])
        try #require(export.status == 0, "\(export)")
        try Data(export.stdout.utf8).write(to: site.workspace.url("kiosk.jwk"))
        let enroll = ["collector", "enroll", "--database", "c.sqlite", "--kiosk", site.kioskID, "--site", SyncSite.site,
                      "--jwk", "kiosk.jwk", "--token-file", "kiosk.token"]
        let enrolled = try site.run(enroll)
        try #require(enrolled.status == 0, "\(enrolled)")
        let path = site.workspace.url("kiosk.token").path
        let printed = enrolled.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(try String(contentsOfFile: path, encoding: .utf8) == printed + "\n")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600, "mode \(String(mode, radix: 8))")
        let again = try site.run(enroll)
        #expect(again.status != 0 && again.stderr.contains("exists"), "\(again)")

        try "collectorTokenFile: kiosk.token\n".write(to: site.workspace.url("touchpoint.yaml"), atomically: true, encoding: .utf8)
        try site.writeResponses(2)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let readable = try site.syncOnce(collector, ["--config", "touchpoint.yaml"], token: false)
        #expect(readable.status != 0 && readable.stderr.contains("chmod 600"), "\(readable)")
        #expect(site.files("pending").count == 2)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let sync = try site.syncOnce(collector, ["--config", "touchpoint.yaml"], token: false)
        #expect(sync.status == 0 && site.files("sent").count == 2, "\(sync)\n\(site.logs)")
    }
}
