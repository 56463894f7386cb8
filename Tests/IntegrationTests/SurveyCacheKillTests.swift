import Foundation
import Testing
import TouchpointSync
#if canImport(Glibc)
import Glibc
#endif

/// The kiosk's survey cache under `kill -9` (issue 13): a process installing two configurations one after the other
/// as fast as it can, killed at random moments, again and again on one cache directory.
@Suite("Survey cache killed while installing")
struct SurveyCacheKillTests {
    static let kills = 60

    @Test("a process killed while installing leaves the old set or the new one, never a mix and never none")
    func killedInstalls() async throws {
        try await offTheCooperativePool { try killDuringInstalls() }
    }

    private func killDuringInstalls() throws {
        let workspace = try Workspace()
        let bench = URL(fileURLWithPath: try TouchpointBinary.require()).deletingLastPathComponent()
            .appendingPathComponent("touchpoint-bench").path
        try #require(FileManager.default.isExecutableFile(atPath: bench), "no touchpoint-bench beside \(bench)")
        let cache = workspace.url("survey-cache")
        var random = SystemRandomNumberGenerator()
        var seen: [String: Int] = [:]
        for run in 0..<Self.kills {
            let child = try ChildProcess(
                name: "cache-child", executable: bench, arguments: ["cache-child", cache.path], directory: workspace.root,
                logs: workspace.url("logs"))
            // Wait for the first install, then let it run a random while (each install is a few fsyncs) and kill it.
            let deadline = Date().addingTimeInterval(60)
            while !child.stdout.hasPrefix("ready"), child.isRunning, Date() < deadline { usleep(2_000) }
            let ready = child.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
            try #require(ready.count == 3, "run \(run): the child did not start: \(child.stderr)")
            usleep(UInt32.random(in: 0...100_000, using: &random))
            child.send(SIGKILL)
            _ = child.waitForExit(timeout: 30)

            let installed = try #require(SurveyCache(directory: cache).current(), "run \(run): no set after a kill")
            #expect(ready[1...].contains(installed.version), "run \(run): \(installed.version) is neither set")
            // Each set is whole: its survey and its settings belong together.
            let version = try #require(installed.surveys.first?.version)
            #expect(installed.document.settings?.idleTimeout == Double(60 * version), "run \(run): a mix of sets")
            seen[installed.version, default: 0] += 1
        }
        // Temporary files of a cut-off write are cleared when the cache is read.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("sets").path)
            .filter { $0.hasPrefix(".tmp-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        // Which set each kill found depends on the machine's fsync times, so it is only reported.
        print("survey cache kills: \(seen.values.sorted()) of \(Self.kills) found each set installed")
    }
}
