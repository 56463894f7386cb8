import Foundation
import Testing
import TouchpointTesting

/// The collector binary under 300 uploads that stall half-way: memory stays bounded, it keeps answering,
/// and the stalled connections are cut off at the read deadline (the default 30 s of `collector serve`).
@Suite("A collector under 300 stalled uploads")
struct StalledUploadsTests {
    /// The most resident memory (VmHWM) the collector may reach, in MiB; see the README's "Upload limits".
    /// Measured: 54 MiB idle, a peak of 155–158 MiB with the 300 stalled uploads (debug build, 2 cores).
    static let rssLimitMiB = 200

    /// `VmRSS` or `VmHWM` of process `pid`, in MiB.
    static func memory(_ field: String, of pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix(field + ":") }, "no \(field) in /proc/\(pid)/status")
        let kB = try #require(Int(line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces).dropLast(3)
            .trimmingCharacters(in: .whitespaces)), "cannot read \(line)")
        return kB / 1024
    }

    @Test("300 uploads that declare 8 MiB, send 1 MiB and stall: RSS stays bounded, the collector answers, all are cut off")
    func threeHundredStalledUploads() async throws {
        let site = try SyncSite()
        defer { site.stopAll() }
        try site.enroll()
        let collector = try site.startCollector()
        let pid = collector.child.pid
        #expect(try await LocalHTTP.get(collector.url + "/healthz").status == 200)
        let before = try Self.memory("VmRSS", of: pid)

        let started = Date()
        var stalled: [RawHTTPConnection] = []
        for _ in 0..<300 {
            let connection = try RawHTTPConnection(port: collector.port)
            try await connection.sendPartialUpload(path: "/v1/responses", contentLength: 8 * 1024 * 1024, sent: 1024 * 1024)
            stalled.append(connection)
        }
        // Still answering: the probe at once, an upload with 503 and Retry-After while the slots are held.
        #expect(try await LocalHTTP.get(collector.url + "/healthz").status == 200, "\(collector.child.log)")
        let refused = try await LocalHTTP.post(collector.url + "/v1/responses", body: "{}")
        #expect(refused.status == 503 || refused.status == 400, "\(refused)")
        let during = try Self.memory("VmRSS", of: pid)

        // Every stalled upload is cut off (408 or closed), none before the deadline.
        for connection in stalled {
            let answer = await connection.readUntilClosed(timeout: 180)
            #expect(answer != nil, "a stalled upload was still open 180 s later")
            if let answer, !answer.isEmpty {
                #expect(answer.hasPrefix("HTTP/1.1 408") || answer.hasPrefix("HTTP/1.1 503"), "\(answer.prefix(200))")
            }
        }
        let cutOff = Date().timeIntervalSince(started)
        #expect(cutOff >= 29, "the stalled uploads were cut off after \(cutOff) s, before the 30 s deadline")
        stalled.removeAll()

        // And a normal upload is stored.
        try site.writeResponses(1)
        let sync = try site.syncOnce(collector)
        #expect(sync.status == 0, "\(site.logs)")
        #expect(site.files("sent").count == 1, "\(site.logs)")

        let peak = try Self.memory("VmHWM", of: pid)
        print("stalled uploads: RSS \(before) MiB before, \(during) MiB with 300 stalled, peak \(peak) MiB; cut off after \(Int(cutOff)) s")
        #expect(peak < Self.rssLimitMiB, "the collector's RSS peaked at \(peak) MiB (limit \(Self.rssLimitMiB))")
    }
}
