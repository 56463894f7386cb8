import Foundation
import Testing
import TouchpointTesting
#if canImport(Glibc)
import Glibc
#endif

/// `collector serve --tls-cert --tls-key` and `touchpoint sync` trusting a private CA (`collectorCA`), with the real
/// binary; and the sync's label coming from the files, so a missing `--kiosk-id` rejects nothing.
@Suite("HTTPS and sync labels", .serialized)
struct HTTPSCollectorTests {
    /// A CA, and a certificate for 127.0.0.1 and localhost it issued, written into `site`'s workspace as
    /// `ca.pem`, `server.crt` and `server.key` (0600).
    static func certificates(in site: SyncSite) throws -> TestCertificateAuthority {
        let authority = try TestCertificateAuthority()
        try authority.writeCertificate(to: site.workspace.url("ca.pem"))
        try authority.issueServerCertificate().write(to: site.root)
        return authority
    }

    static let tlsFlags = ["--tls-cert", "server.crt", "--tls-key", "server.key"]

    /// Writes a touchpoint.yaml naming `collectorCA`.
    static func writeConfig(_ site: SyncSite, collectorCA: String) throws {
        try Data("collectorCA: \(collectorCA)\n".utf8).write(to: site.workspace.url("touchpoint.yaml"))
    }

    @Test("touchpoint sync over HTTPS with collectorCA in touchpoint.yaml stores every response")
    func syncOverHTTPS() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        _ = try Self.certificates(in: site)
        let collector = try site.startCollector(extra: Self.tlsFlags)
        #expect(collector.url.hasPrefix("https://"))
        try site.enroll()
        try site.writeResponses(4)
        try Self.writeConfig(site, collectorCA: "ca.pem")

        let sync = try site.syncOnce(collector, ["--config", "touchpoint.yaml"])
        #expect(sync.status == 0, "\(site.logs)")
        #expect(sync.stdout.contains(SyncCollectorTests.summary(stored: 4)), "\(sync)")
        #expect(site.files("sent").count == 4)
        #expect(site.files("pending").isEmpty && site.files("rejected").isEmpty)
        #expect(try site.fleetEntry().responseCount == 4)
    }

    @Test("a collector certificate from another CA: a clear error naming the collector, nothing moved, no retries")
    func otherCA() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        _ = try Self.certificates(in: site)
        try TestCertificateAuthority(name: "Another CA").writeCertificate(to: site.workspace.url("other-ca.pem"))
        let collector = try site.startCollector(extra: Self.tlsFlags)
        try site.enroll()
        try site.writeResponses(3)
        try Self.writeConfig(site, collectorCA: "other-ca.pem")

        let sync = try site.syncOnce(collector, ["--config", "touchpoint.yaml"])
        #expect(sync.status == 1, "\(site.logs)")
        #expect(sync.stderr.contains("the collector at \(collector.url) presented a TLS certificate that does not verify"),
                "\(sync)")
        #expect(sync.stderr.contains("not signed by a CA this kiosk trusts (the collectorCA other-ca.pem)"), "\(sync)")
        #expect(!sync.stdout.contains("retr"), "a certificate failure was retried\n\(sync)")
        #expect(site.files("pending").count == 3)
        #expect(site.files("rejected").isEmpty && site.files("sent").isEmpty)
        #expect(try site.fleetEntry().responseCount == 0)

        // A missing CA file stops the sync before it sends anything.
        try Self.writeConfig(site, collectorCA: "missing.pem")
        let missing = try site.syncOnce(collector, ["--config", "touchpoint.yaml"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("collectorCA: there is no file missing.pem"), "\(missing)")
        #expect(site.files("pending").count == 3)
    }

    @Test("serve refuses plain HTTP on a non-loopback address, half a TLS pair and a key others can read")
    func serveRefusals() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        _ = try Self.certificates(in: site)
        let serve = ["collector", "serve", "--port", "0", "--database", "c.sqlite", "--surveys", "surveys"]

        let anyAddress = try site.run(serve + ["--host", "0.0.0.0"])
        #expect(anyAddress.status != 0, "\(anyAddress)")
        #expect(anyAddress.stderr.contains("refusing to serve plain HTTP on 0.0.0.0"), "\(anyAddress)")
        #expect(anyAddress.stderr.contains("--tls-cert FILE --tls-key FILE") && anyAddress.stderr.contains("--allow-plain-http"),
                "\(anyAddress)")
        #expect(!FileManager.default.fileExists(atPath: site.workspace.url("c.sqlite").path), "it opened the database first")

        let half = try site.run(serve + ["--tls-cert", "server.crt"])
        #expect(half.status != 0)
        #expect(half.stderr.contains("--tls-cert and --tls-key go together"), "\(half)")

        chmod(site.workspace.url("server.key").path, 0o644)
        let readable = try site.run(serve + Self.tlsFlags)
        #expect(readable.status != 0)
        #expect(readable.stderr.contains("chmod 600 server.key"), "\(readable)")
        #expect(!readable.stderr.contains("PRIVATE KEY"), "the key's text was printed")
    }

    @Test("sync without --kiosk-id labels batches with the files' kiosk: stored, none rejected")
    func labelFromFiles() throws {
        let site = try SyncSite(kiosk: "kiosk-a")
        defer { site.stopAll() }
        let collector = try site.startCollector()
        try site.enroll()
        try site.writeResponses(3)

        let sync = try site.run(
            ["sync", "--once", "--responses", "responses", "--collector", collector.url, "--token", try #require(site.uploadToken)])
        #expect(sync.status == 0, "\(site.logs)")
        #expect(sync.stdout.contains(SyncCollectorTests.summary(stored: 3)), "\(sync)")
        #expect(site.files("rejected").isEmpty, "\(site.logs)")
        #expect(site.files("sent").count == 3)
        #expect(try site.fleetEntry().responseCount == 3)
    }

    @Test("responses of two kiosks in one directory: a clear error, nothing sent or moved")
    func mixedKiosks() throws {
        let site = try SyncSite(kiosk: "kiosk-a")
        defer { site.stopAll() }
        let collector = try site.startCollector()
        try site.enroll()
        try site.writeResponses(2)
        let other = try SyncSite(kiosk: "kiosk-b")
        for stored in try other.writeResponses(2) {
            let file = try #require(stored.file)
            try FileManager.default.copyItem(
                at: file, to: site.workspace.url("responses/pending/\(file.lastPathComponent)"))
        }

        let sync = try site.syncOnce(collector)
        #expect(sync.status == 1, "\(site.logs)")
        #expect(sync.stderr.contains("holds responses of kiosk") && sync.stderr.contains("belongs to one kiosk"), "\(sync)")
        #expect(site.files("pending").count == 4)
        #expect(site.files("sent").isEmpty && site.files("rejected").isEmpty)
        #expect(try site.fleetEntry().responseCount == 0)
    }
}
