import Foundation
import Testing
import TouchpointCore
import TouchpointProtocol
import TouchpointStore
@testable import TouchpointSync
import TouchpointTesting

/// The kiosk's cache of the collector's configuration, the checks before anything is installed, and the fetch
/// with an ETag (issue 13).
@Suite("Survey cache and the kiosk's configuration fetch")
struct SurveyCacheTests {
    static func survey(_ id: String = "visit", version: Int, title: String = "Visit") -> String {
        """
        id: \(id)
        version: \(version)
        title: {en: \(title)}
        touchpoint: retail
        stage: shop
        languages: [en]
        questions:
          - id: recommend
            type: nps
            text: {en: Recommend us?}
        """
    }

    static func directory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("survey-cache-\(UUID().uuidString)", isDirectory: true)
    }

    @Test func aSetIsInstalledWholeAndFoundAgainAfterARestart() throws {
        let root = Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = SurveyCache(directory: root)
        #expect(cache.current() == nil)
        let first = try TestConfigDocument.make(site: "malmo", yamls: [Self.survey(version: 1)])
        try cache.install(first)
        #expect(SurveyCache(directory: root).current()?.document == first)
        #expect(SurveyCache(directory: root).current()?.surveys.map(\.version) == [1])
        var info = stat()
        #expect(stat(root.path, &info) == 0 && info.st_mode & 0o777 == 0o700)

        let second = try TestConfigDocument.make(
            site: "malmo", yamls: [Self.survey(version: 2)], settings: KioskSettings(language: "sv"))
        try cache.install(second)
        #expect(cache.current()?.document == second)
        // Both sets are kept until pruned; nothing pending refers to version 1, so it goes.
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.setsDirectory.path).count == 2)
        #expect(try cache.prune(keeping: []) == 1)
        #expect(cache.current()?.document == second)
    }

    @Test func aCutOffInstallLeavesTheOldSetOrTheNewOneNeverAMix() throws {
        let root = Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = SurveyCache(directory: root)
        let old = try TestConfigDocument.make(site: "malmo", yamls: [Self.survey(version: 1)])
        try cache.install(old)
        let new = try TestConfigDocument.make(site: "malmo", yamls: [Self.survey(version: 2)])
        // Killed after the new set was written, before the pointer moved: the old set.
        try DurableFile.write(try TestConfigDocument.body(new), to: cache.setsDirectory.appendingPathComponent(SurveyCache.fileName(new.version)))
        // … and a temporary file of a write cut off half way: ignored and removed.
        try Data("{\"format\":1,\"sur".utf8).write(to: cache.setsDirectory.appendingPathComponent(".tmp-1234"))
        #expect(cache.current()?.document == old)
        #expect(!FileManager.default.fileExists(atPath: cache.setsDirectory.appendingPathComponent(".tmp-1234").path))

        // A set file changed on disk (a survey's text, not its digest): it does not check out, so the newest good set.
        let tampered = String(decoding: try TestConfigDocument.body(new), as: UTF8.self)
            .replacingOccurrences(of: "Recommend us?", with: "Recommend them?")
        try Data(tampered.utf8).write(to: cache.setsDirectory.appendingPathComponent(SurveyCache.fileName(new.version)))
        try DurableFile.write(Data((SurveyCache.fileName(new.version) + "\n").utf8), to: cache.currentFile)
        #expect(cache.current()?.document == old)
    }

    @Test func setsThatPendingResponsesReferToAreKept() throws {
        let root = Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = SurveyCache(directory: root)
        let old = try TestConfigDocument.make(site: "malmo", yamls: [Self.survey(version: 1), Self.survey("other", version: 1)])
        try cache.install(old)
        try cache.install(try TestConfigDocument.make(site: "malmo", yamls: [Self.survey(version: 2)]))
        let entry = try #require(old.surveys.first { $0.id == "other" })
        #expect(try cache.prune(keeping: [SurveyReference(id: "other", version: 1, digest: entry.digest)]) == 0)
        #expect(try cache.prune(keeping: [SurveyReference(id: "other", version: 1, digest: "sha256:else")]) == 1)
    }

    @Test func everyDocumentThatDoesNotCheckOutIsRefusedSayingWhy() throws {
        let good = try TestConfigDocument.make(site: "malmo", yamls: [Self.survey(version: 2)])
        let goodBody = String(decoding: try TestConfigDocument.body(good), as: UTF8.self)
        func problem(_ data: Data, site: String = "malmo") -> String? {
            do {
                _ = try KioskConfigCheck.check(data, site: site)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(problem(Data(goodBody.utf8)) == nil)
        #expect(problem(Data("<html>".utf8))?.hasPrefix("not a configuration document") == true)
        #expect(problem(Data(goodBody.utf8), site: "lund")?.contains("it is for site malmo, but this kiosk is configured for site lund") == true)
        var future = good
        future.format = 2
        #expect(problem(try TestConfigDocument.body(try future.sealed()))?.contains("format 2 is not the one this kiosk reads") == true)
        // A newer format is named as such, even when the rest no longer decodes here.
        #expect(problem(Data(#"{"format":7,"surveys":"elsewhere"}"#.utf8)) == "format 7 is not the one this kiosk reads (1); upgrade the kiosk")
        var twice = good
        twice.surveys.append(good.surveys[0])
        #expect(problem(try TestConfigDocument.body(try twice.sealed())) == "survey visit is in it twice")
        // Changed on the way: the version no longer matches the content.
        #expect(problem(Data(goodBody.replacingOccurrences(of: "Recommend us?", with: "Recommend?").utf8))?.contains("not the digest of its content") == true)
        // Sealed, but a survey whose digest is not that of its definition.
        var wrongDigest = good
        wrongDigest.surveys[0].digest = "sha256:00"
        #expect(problem(try TestConfigDocument.body(try wrongDigest.sealed()))?.contains("has digest sha256:") == true)
        var invalid = good
        invalid.surveys[0].yaml = "id: visit\nversion: 2\n"
        #expect(problem(try TestConfigDocument.body(try invalid.sealed()))?.contains("survey visit v2 from the collector does not validate") == true)
        let badSettings = try KioskConfigDocument(site: "malmo", surveys: good.surveys, settings: KioskSettings(idleTimeout: -1)).sealed()
        #expect(problem(try TestConfigDocument.body(badSettings))?.contains("settings: idleTimeout: must be above 0") == true)
        let badHash = try KioskConfigDocument(site: "malmo", surveys: good.surveys, settings: KioskSettings(staffPinHash: "1234")).sealed()
        #expect(problem(try TestConfigDocument.body(badHash))?.contains("staffPinHash") == true)
    }

    @Test func theFetchSendsTheInstalledVersionKeepsTheLastGoodOneAndReportsProblems() async throws {
        let root = Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let transport = InMemoryUploadTransport()
        let sync = KioskConfigSync(
            cache: SurveyCache(directory: root), kiosk: "k-7", site: "malmo", touchpoint: nil, transport: transport,
            logger: testLogger())
        // No configuration from this collector (an older one): nothing changes.
        try await sync.refresh()
        #expect(sync.status.installed == nil && sync.status.lastError == "HTTP 404")

        let first = try TestConfigDocument.make(site: "malmo", yamls: [Self.survey(version: 1)])
        transport.configuration = (try TestConfigDocument.body(first), first.entityTag)
        try await sync.refresh()
        #expect(sync.status.installed?.document == first && sync.status.lastChecked != nil && sync.status.lastError == nil)
        // Unchanged: the request names the installed version and gets a 304.
        try await sync.refresh()
        #expect(transport.configRequests == [nil, nil, first.entityTag])
        #expect(sync.status.installed?.document == first)

        // A document that does not check out: the last good one stays, and the problem goes into the health report.
        var broken = try TestConfigDocument.make(site: "malmo", yamls: [Self.survey(version: 2)])
        broken.surveys[0].yaml += "\n  - id: extra\n"
        transport.configuration = (try TestConfigDocument.body(broken), "\"other\"")
        try await sync.refresh()
        #expect(sync.status.installed?.document == first)
        let problem = try #require(sync.status.problem)
        sync.markRunning(first.version)
        var health = BufferHealth(pending: 0, rejected: 0)
        sync.annotate(&health)
        #expect(health.configVersion == first.version && health.configProblem == problem)

        // A kiosk started later runs the cached set, offline too.
        transport.reachable = false
        let restarted = KioskConfigSync(
            cache: SurveyCache(directory: root), kiosk: "k-7", site: "malmo", touchpoint: nil, transport: transport,
            logger: testLogger())
        try await restarted.refresh()
        #expect(restarted.status.installed?.document == first)
    }
}
