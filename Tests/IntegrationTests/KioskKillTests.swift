import Foundation
import Testing
import TouchpointStore
#if canImport(Glibc)
import Glibc
#endif

/// The one-durable-write commit under `kill -9`: the real `touchpoint kiosk`, fed scripted sessions on a pipe,
/// killed at random moments (many of them inside a commit), again and again on one responses directory.
@Suite("Kiosk killed at random moments")
struct KioskKillTests {
    /// Kiosk runs, each killed once.
    static let kills = 200
    /// Customer sessions in each run's script.
    static let sessionsPerRun = 8

    /// What one killed run showed before it died.
    struct Seen {
        /// `response stored` log lines (written after the response file is durable, before the thank-you):
        /// id → sequence.
        var stored: [String: UInt64] = [:]
        /// Thank-you pages shown.
        var thankYous = 0
        /// The temporary files in `pending/` after the kill (one left by this run: it died inside a response
        /// file's write; the next start removes them).
        var temporaryFiles: Set<String> = []
    }

    @Test("200 kiosks killed at random moments: every confirmed response is on disk, every file verifies, no number twice")
    func killedKiosks() async throws {
        try await offTheCooperativePool { try killAtRandomMoments() }
    }

    private func killAtRandomMoments() throws {
        let workspace = try Workspace()
        let binary = try TouchpointBinary.require()
        let pending = workspace.url("responses/pending")
        let script = (0..<Self.sessionsPerRun).map { session in
            ["start retail-visit en", "9", "kill test comment \(session)", "5", "2"].joined(separator: "\n")
        }.joined(separator: "\n") + "\n"

        // One run to the end: creates the key, and gives the time a run takes, which the kills are spread over.
        let started = Date()
        let first = try workspace.run(["kiosk"] + Workspace.kioskFlags, input: script + "quit\n", timeout: 60)
        try #require(first.status == 0, "\(first)")
        let runTime = Date().timeIntervalSince(started)
        try #require(try workspace.pendingFiles().count == Self.sessionsPerRun, "\(first)")

        var random = SystemRandomNumberGenerator()
        var confirmed: [String: UInt64] = [:]
        var thankYous = 0
        var temporaryFiles: Set<String> = []
        for run in 0..<Self.kills {
            // Up to 1.2 runs: mostly while it starts or commits, sometimes idle after the last session.
            let delay = Double.random(in: 0...(runTime * 1.2), using: &random)
            let seen = try Self.killedRun(binary: binary, in: workspace, script: script, after: delay)
            for (id, sequence) in seen.stored {
                #expect(confirmed.updateValue(sequence, forKey: id) == nil, "run \(run): response \(id) confirmed twice")
            }
            #expect(seen.thankYous <= seen.stored.count, "run \(run): a thank-you without a stored response")
            thankYous += seen.thankYous
            temporaryFiles.formUnion(seen.temporaryFiles)
        }

        // A last run to the end: it clears leftover temp files, and its number must be above every stored one.
        let last = try workspace.run(["kiosk"] + Workspace.kioskFlags, input: "start retail-visit en\n9\nlast\n5\n2\nquit\n",
                                     timeout: 60)
        try #require(last.status == 0, "\(last)")
        let key = try KeyFile.load(at: workspace.keyFile).publicJWK
        var sequences: [UInt64] = []
        var byID: [String: UInt64] = [:]
        let files = try workspace.pendingFiles()
        for file in files {
            let check = ResponseFile.read(file, key: key)
            #expect(check.problem == nil, "\(check.problem ?? "")")
            guard let response = check.response else { continue }
            sequences.append(response.sequence)
            byID[response.id] = response.sequence
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: pending.path).allSatisfy { !DurableFile.isTemporary($0) })
        #expect(Set(sequences).count == sequences.count,
                "sequence numbers used twice: \(Dictionary(grouping: sequences, by: { $0 }).filter { $1.count > 1 }.keys.sorted())")
        for (id, sequence) in confirmed {
            #expect(byID[id] == sequence, "confirmed response \(id) (sequence \(sequence)) is \(byID[id].map { "stored as \($0)" } ?? "missing")")
        }
        #expect(files.count >= Self.sessionsPerRun + thankYous + 1)
        let lastSequence = try #require(byID.max { $0.value < $1.value })
        #expect(sequences.sorted().dropLast().allSatisfy { $0 < lastSequence.value })
        let lastResponse = try ResponseEnvelope(file: workspace.url("responses/pending/\(lastSequence.key).json"))
        #expect(lastResponse.answer("loved") as? String == "last", "the newest number does not belong to the last run's response")
        #expect(try SequenceCounter(file: workspace.url("responses/sequence")).last == lastSequence.value)

        let verify = try workspace.run(["responses", "verify"] + Workspace.kioskFlags, timeout: 60)
        #expect(verify.status == 0, "\(verify)")
        // For the log: how the kills fell.
        let highest = sequences.max() ?? 0
        print("kill test: \(Self.kills) kills, \(confirmed.count) responses confirmed before a kill, \(thankYous) thank-yous, "
              + "\(files.count) files, \(highest - UInt64(files.count)) numbers taken by a commit that was killed, "
              + "\(temporaryFiles.count) kills inside the response file's write")
    }

    /// Starts the kiosk (directly, stdin a pipe that stays open, output to files), kills it with SIGKILL after
    /// `delay` seconds, and returns what it printed.
    static func killedRun(binary: String, in workspace: Workspace, script: String, after delay: Double) throws -> Seen {
        let output = try CapturedOutput()
        defer { output.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["kiosk"] + Workspace.kioskFlags + ["--log-level", "info"]
        process.currentDirectoryURL = workspace.root
        process.standardOutput = output.out
        process.standardError = output.err
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(script.utf8))
        usleep(useconds_t(delay * 1_000_000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? stdin.fileHandleForWriting.close()
        let (stdout, stderr) = try output.finish()

        var seen = Seen()
        if process.terminationReason != .uncaughtSignal {
            Issue.record("the kiosk exited (status \(process.terminationStatus)) before it was killed\n\(stdout)\n\(stderr)")
        }
        seen.thankYous = stdout.components(separatedBy: "Thank you for your answers!").count - 1
        // Only whole lines: the message comes last, so a line cut by the kill never matches.
        for line in stderr.split(separator: "\n") where line.hasSuffix(" response stored") {
            guard let id = line.firstMatch(of: #/response\.id=([0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12})/#),
                  let sequence = line.firstMatch(of: #/response\.sequence=([0-9]+)/#).flatMap({ UInt64($0.output.1) })
            else { continue }
            seen.stored[String(id.output.1)] = sequence
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: workspace.url("responses/pending").path)) ?? []
        seen.temporaryFiles = Set(names.filter(DurableFile.isTemporary))
        return seen
    }
}
