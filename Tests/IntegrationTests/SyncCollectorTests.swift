import Foundation
import Testing
import TouchpointCore
import TouchpointStore
import TouchpointJOSE
#if canImport(Glibc)
import Glibc
#endif

/// `touchpoint sync` against a real `touchpoint collector serve` on 127.0.0.1 with a real SQLite file:
/// every buffered response arrives exactly once, whatever fails on the way.
@Suite("Sync and the collector", .serialized)
struct SyncCollectorTests {
    /// Staff input for `sessions` complete test-drive-booking sessions (effort 6, not booked online, no
    /// comment), then `quit`.
    static func kioskScript(sessions: Int) -> String {
        String(repeating: "start test-drive-booking en\n6\nn\n\n", count: sessions) + "quit\n"
    }

    /// Where a sync summary says what happened, e.g. `25 stored, 0 duplicate, 0 rejected, 0 deferred in 3 batches`.
    static func summary(stored: Int, duplicate: Int = 0, rejected: Int = 0, deferred: Int = 0) -> String {
        "\(stored) stored, \(duplicate) duplicate, \(rejected) rejected, \(deferred) deferred"
    }

    @Test("25 kiosk responses go in 3 batches of 10; the collector has sequence 1–25 once, no gaps")
    func severalBatches() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        let collector = try site.startCollector()
        try site.enroll()
        let kiosk = try site.run(["kiosk"] + Workspace.kioskFlags, input: Self.kioskScript(sessions: 25))
        try #require(kiosk.status == 0, "\(kiosk)")
        try #require(site.files("pending").count == 25, "\(site.logs)")

        let sync = try site.syncOnce(collector, ["--batch-count", "10"])
        #expect(sync.status == 0, "\(site.logs)")
        #expect(sync.stdout.contains(Self.summary(stored: 25) + " in 3 batches"), "\(sync)")
        #expect(site.files("pending").isEmpty, "\(site.logs)")
        #expect(site.files("sent").count == 25)
        #expect(site.files("rejected").isEmpty)

        let entry = try site.fleetEntry()
        #expect(entry.responseCount == 25)
        #expect(entry.highestSequence == 25)
        #expect(entry.gaps.isEmpty, "gaps \(entry.gaps)")
        #expect(entry.health?.lastSequence == 25)
    }

    @Test("sync --watch started while the collector is down drains as soon as it comes up; SIGINT exits 0")
    func collectorDownAtFirst() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        try site.enroll()
        try site.writeResponses(30)
        let port = try reserveFreePort()
        // At debug level it logs every failed probe to standard error (unbuffered).
        let watch = try site.start(
            "sync-watch",
            site.syncArguments("http://127.0.0.1:\(port)", ["--watch", "--batch-count", "10", "--log-level", "debug"]))
        func failedProbes() -> Int { watch.stderr.components(separatedBy: "collector not reachable").count - 1 }
        try site.wait("two failed probes (or the exit of watch mode)", timeout: 60) {
            failedProbes() >= 2 || !watch.isRunning
        }
        #expect(watch.isRunning, "watch mode gave up while the collector was down\n\(site.logs)")
        #expect(site.files("pending").count == 30)

        let collector = try site.startCollector(port: port)
        try site.wait("watch mode to drain pending/ (or exit)", timeout: 60) {
            site.files("pending").isEmpty || !watch.isRunning
        }
        #expect(site.files("pending").isEmpty, "watch mode exited before draining pending/\n\(site.logs)")
        #expect(site.files("sent").count == 30)
        watch.send(SIGINT)
        let status = watch.waitForExit(timeout: 60)
        #expect(status == 0, "sync --watch after SIGINT\n\(site.logs)")

        let entry = try site.fleetEntry()
        #expect(entry.responseCount == 30, "\(collector.url)")
        #expect(entry.highestSequence == 30)
        #expect(entry.gaps.isEmpty, "gaps \(entry.gaps)")
    }

    @Test("the collector killed mid-sync and restarted on the same database: 2000 responses stored exactly once")
    func collectorKilledMidBatch() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        try site.enroll()
        try site.writeResponses(2000, staged: true)
        let collector = try site.startCollector()
        let sync = try site.start("sync-once", site.syncArguments(collector.url, ["--once", "--batch-count", "50"]))
        try site.wait("the first batches in sent/", timeout: 60) { site.files("sent").count >= 100 }
        collector.child.send(SIGKILL)
        try #require(collector.child.waitForExit(timeout: 60) != nil, "the collector survived SIGKILL")
        let sentAtKill = site.files("sent").count
        try #require(sentAtKill < 2000, "the sync finished before the collector was killed; nothing was tested")

        let restarted = try site.startCollector(port: collector.port)
        // The first sync either goes on into the restarted collector (exit 0: after retries, or with none at all when
        // it sent nothing while the port was closed, which a loaded machine makes possible) or gives up (exit 1);
        // both are fine as long as a second sync completes the job and everything is stored exactly once.
        let firstStatus = sync.waitForExit(timeout: 120)
        try #require(firstStatus != nil, "the interrupted sync neither finished nor gave up\n\(site.logs)")
        #expect(firstStatus == 0 || firstStatus == 1, "\(site.logs)")

        let second = try site.syncOnce(restarted, ["--batch-count", "50"])
        #expect(second.status == 0, "\(site.logs)")
        #expect(site.files("pending").isEmpty, "\(site.files("pending").count) still pending")
        #expect(site.files("sent").count == 2000)
        #expect(site.files("rejected").isEmpty, "rejected: \(site.files("rejected").prefix(5))\n\(site.logs)")

        let entry = try site.fleetEntry()
        #expect(entry.responseCount == 2000, "sent/ had \(sentAtKill) files at the kill\n\(site.logs)")
        #expect(entry.highestSequence == 2000)
        #expect(entry.gaps.isEmpty, "gaps \(entry.gaps)")
    }

    @Test("the same batch sent twice is answered duplicate: the count stays, the files go back to sent/")
    func sameBatchTwice() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        let collector = try site.startCollector()
        try site.enroll()
        try site.writeResponses(5)
        let first = try site.syncOnce(collector)
        try #require(first.status == 0 && first.stdout.contains(Self.summary(stored: 5)), "\(first)")

        let sent = site.workspace.url("responses/sent")
        let pending = site.workspace.url("responses/pending")
        for name in site.files("sent") {
            try FileManager.default.moveItem(at: sent.appendingPathComponent(name), to: pending.appendingPathComponent(name))
        }
        try #require(site.files("pending").count == 5)

        let second = try site.syncOnce(collector)
        #expect(second.status == 0, "\(site.logs)")
        #expect(second.stdout.contains(Self.summary(stored: 0, duplicate: 5)), "\(second)")
        #expect(site.files("pending").isEmpty)
        #expect(site.files("sent").count == 5)
        #expect(site.files("rejected").isEmpty)
        let entry = try site.fleetEntry()
        #expect(entry.responseCount == 5)
        #expect(entry.highestSequence == 5)
    }

    @Test("a file whose payload was altered after signing is rejected for its signature; the others are stored")
    func tamperedFile() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        let collector = try site.startCollector()
        try site.enroll()
        let stored = try site.writeResponses(5)
        // Sequence 3: raise the effort answer from 6 to 7, keep the signature.
        let victim = stored[2]
        var altered = victim.response
        altered.answers[0].value = .number(7)
        var envelope = victim.envelope
        envelope.payload = Base64URL.encode(try altered.canonicalJSON())
        let file = try #require(victim.file)
        try envelope.serialized().write(to: file)

        let sync = try site.syncOnce(collector)
        #expect(sync.status == 0, "\(site.logs)")
        #expect(sync.stdout.contains(Self.summary(stored: 4, rejected: 1)), "\(sync)")
        let name = file.lastPathComponent
        #expect(site.files("rejected") == [name])
        let reason = try #require(site.reason(for: name), "no .reason beside rejected/\(name)")
        #expect(reason.contains("signature"), "reason: \(reason)")
        #expect(site.files("sent").count == 4)
        #expect(site.files("pending").isEmpty)

        let entry = try site.fleetEntry()
        #expect(entry.responseCount == 4)
        #expect(entry.highestSequence == 5)
        #expect(entry.gaps == [[3, 3]], "the tampered response (sequence 3) should show as a gap")
    }

    @Test("responses signed by a key the collector never enrolled are rejected as an unknown key")
    func unknownKey() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        let collector = try site.startCollector()
        try site.enroll()
        try site.writeResponses(3)
        let stranger = KioskKey.generate()
        let forged = try site.writeResponses(2, key: stranger)

        let sync = try site.syncOnce(collector)
        #expect(sync.status == 0, "\(site.logs)")
        #expect(sync.stdout.contains(Self.summary(stored: 3, rejected: 2)), "\(sync)")
        let forgedNames = forged.compactMap { $0.file?.lastPathComponent }.sorted()
        #expect(site.files("rejected") == forgedNames)
        for name in forgedNames {
            let reason = site.reason(for: name) ?? "(no .reason file)"
            #expect(reason.contains("unknown key"), "reason: \(reason)")
        }
        #expect(site.files("sent").count == 3)
        let entry = try site.fleetEntry()
        #expect(entry.responseCount == 3)
        #expect(entry.highestSequence == 3)
    }

    @Test("after collector revoke, the kiosk's uploads are refused (401): its later responses stay pending, nothing is stored")
    func revokedKey() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        let collector = try site.startCollector()
        try site.enroll()
        try site.writeResponses(3)
        let before = try site.syncOnce(collector)
        try #require(before.status == 0 && before.stdout.contains(Self.summary(stored: 3)), "\(before)")

        let revoke = try site.run(["collector", "revoke", "--database", "c.sqlite", "--kiosk", SyncSite.kiosk])
        try #require(revoke.status == 0, "\(revoke)")
        try site.writeResponses(2)

        let after = try site.syncOnce(collector)
        #expect(after.status != 0, "\(site.logs)")
        #expect(after.stderr.contains("401"), "\(after)")
        #expect(site.files("pending").count == 2 && site.files("rejected").isEmpty, "\(site.logs)")
        let entry = try site.fleetEntry()
        #expect(entry.revokedAt != nil)
        #expect(entry.responseCount == 3)
        #expect(entry.highestSequence == 3)
    }

    @Test("a validly signed file reusing a stored id with other answers is rejected; the original stays stored once")
    func sameIDOtherContent() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        let collector = try site.startCollector()
        try site.enroll()
        let stored = try site.writeResponses(2)
        let first = try site.syncOnce(collector)
        try #require(first.status == 0 && first.stdout.contains(Self.summary(stored: 2)), "\(first)")
        let original = stored[0]
        let name = try #require(original.file?.lastPathComponent)
        let originalBytes = try Data(contentsOf: site.workspace.url("responses/sent/\(name)"))

        // Same id and sequence, effort 7 instead of 6, signed with the enrolled key.
        var changed = original.response
        changed.answers[0].value = .number(7)
        let forged = try FlattenedJWS.sign(payload: try changed.canonicalJSON(), key: site.key)
        try forged.serialized().write(to: site.workspace.url("responses/pending/\(name)"))

        let second = try site.syncOnce(collector)
        #expect(second.status == 0, "\(site.logs)")
        #expect(second.stdout.contains(Self.summary(stored: 0, rejected: 1)), "\(second)")
        #expect(site.files("rejected") == [name])
        let reason = site.reason(for: name) ?? "(no .reason file)"
        #expect(reason.contains("same id with different content"), "reason: \(reason)")
        #expect(try Data(contentsOf: site.workspace.url("responses/sent/\(name)")) == originalBytes,
                "the original file in sent/ was touched")

        let entry = try site.fleetEntry()
        #expect(entry.responseCount == 2)
        #expect(entry.highestSequence == 2)
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") {
            let query = "SELECT a.number_value FROM responses r JOIN answers a ON a.response_id = r.id "
                + "WHERE r.id = '\(original.response.id)' AND a.question = 'booking-effort';"
            let answer = try site.workspace.runProcess("/usr/bin/sqlite3", ["c.sqlite", query])
            #expect(answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "6", "\(answer)")
        }
    }

    @Test("over the collector's body limit the sync halves its batches; a file too large even alone is rejected locally")
    func bodyOverLimit() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        let collector = try site.startCollector(extra: ["--max-body-bytes", "4000"])
        try site.enroll()
        try site.writeResponses(100, staged: true)
        let big = try site.writeResponses(1, comment: String(repeating: "a long, long comment ", count: 300))
        try site.writeResponses(100, staged: true)
        let bigName = try #require(big.first?.file?.lastPathComponent)
        let bigSize = try #require(try FileManager.default.attributesOfItem(
            atPath: site.workspace.url("responses/pending/\(bigName)").path)[.size] as? Int)
        try #require(bigSize > 4000, "the big file is only \(bigSize) bytes")

        let sync = try site.syncOnce(collector)
        #expect(sync.status == 0, "\(site.logs)")
        #expect(sync.stdout.contains(Self.summary(stored: 200, rejected: 1)), "\(sync)")
        #expect(!sync.stdout.contains(" in 1 batch "), "the batch was not split\n\(sync)")
        #expect(site.files("pending").isEmpty, "\(site.logs)")
        #expect(site.files("sent").count == 200)
        #expect(site.files("rejected") == [bigName])
        let reason = site.reason(for: bigName) ?? "(no .reason file)"
        #expect(reason.contains("too large"), "reason: \(reason)")

        let entry = try site.fleetEntry()
        #expect(entry.responseCount == 200)
        #expect(entry.highestSequence == 201)
        #expect(entry.gaps == [[101, 101]], "only the oversized response (sequence 101) is missing")
    }

    @Test("the kiosk stores responses while sync --watch drains a backlog: every one arrives, no gaps")
    func kioskWritingDuringSync() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        let collector = try site.startCollector()
        try site.enroll()
        try site.writeResponses(600, staged: true)
        let kiosk = try site.start("kiosk", ["kiosk"] + Workspace.kioskFlags, keepInputOpen: true)
        let watch = try site.start("sync-watch", site.syncArguments(collector.url, ["--watch", "--batch-count", "5"]))
        // Customers answer once the sync is under way.
        try site.wait("the first batches in sent/", timeout: 60) { site.files("sent").count >= 10 }
        kiosk.write(Self.kioskScript(sessions: 10))
        kiosk.closeInput()
        #expect(kiosk.waitForExit(timeout: 60) == 0, "\(site.logs)")
        let backlogAtKioskExit = site.files("pending").count
        #expect(backlogAtKioskExit > 10, "the backlog was gone before the kiosk wrote: nothing ran concurrently")
        #expect(watch.isRunning, "\(site.logs)")

        try site.wait("all 610 responses in sent/", timeout: 60) {
            site.files("pending").isEmpty && site.files("sent").count == 610
        }
        watch.send(SIGINT)
        #expect(watch.waitForExit(timeout: 60) == 0, "\(site.logs)")
        #expect(site.files("rejected").isEmpty)

        let entry = try site.fleetEntry()
        #expect(entry.responseCount == 610, "\(backlogAtKioskExit) files were pending when the kiosk quit")
        #expect(entry.highestSequence == 610)
        #expect(entry.gaps.isEmpty, "gaps \(entry.gaps)")
    }

    @Test("a kiosk's upload token: sync without it or with a wrong one stops on 401 and moves nothing; with it, stores")
    func uploadToken() throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        let collector = try site.startCollector()
        try site.enroll()
        let token = try #require(site.uploadToken)
        try site.writeResponses(3)

        let without = try site.syncOnce(collector, token: false)
        #expect(without.status != 0, "\(without)")
        #expect(without.stderr.contains("token") && without.stderr.contains("401"), "\(without)")
        let wrong = try site.syncOnce(collector, ["--token", "not-the-token"])
        #expect(wrong.status != 0, "\(wrong)")
        #expect(site.files("pending").count == 3, "files moved without a token")
        #expect(site.files("sent").isEmpty)
        #expect(site.files("rejected").isEmpty)
        #expect(try site.fleetEntry().responseCount == 0)

        let with = try site.syncOnce(collector, ["--token", token])
        #expect(with.status == 0, "\(site.logs)")
        #expect(with.stdout.contains(Self.summary(stored: 3)), "\(with)")
        #expect(site.files("sent").count == 3)
        let entry = try site.fleetEntry()
        #expect(entry.hasToken)
        #expect(entry.responseCount == 3)
        #expect(!collector.child.stderr.contains(token), "the collector logged the token")
    }
}
