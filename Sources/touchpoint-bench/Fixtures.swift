import Foundation
import TouchpointCore
import TouchpointStore
import TouchpointJOSE

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The surveys, the kiosk identity and the response every benchmark writes.
struct Fixtures: Sendable {
    static let site = "sto-service"
    static let kiosk = "bench-kiosk-1"
    /// The upload token every bench kiosk is enrolled with (and sends).
    static let uploadToken = "bench-upload-token-0123456789abcdef"

    /// The kiosk these fixtures sign for (``kiosk`` unless made with ``kiosk(_:)``).
    let kioskID: String
    /// The surveys directory used.
    let surveysDirectory: URL
    /// The surveys in it.
    let catalog: SurveyCatalog
    /// The kiosk's signing key.
    let key: KioskKey
    /// A service-visit response: NPS, CSAT, CES, yes/no and a comment.
    let draft: ResponseDraft

    init(surveys: String?) throws {
        surveysDirectory = try Self.findSurveys(surveys)
        catalog = SurveyDirectory.load(surveysDirectory)
        guard let survey = catalog.survey("service-visit") else {
            throw BenchError("no service-visit survey in \(surveysDirectory.path) (problems: \(catalog.problems))")
        }
        kioskID = Self.kiosk
        key = KioskKey.generate()
        let completed = Date()
        draft = ResponseDraft(
            survey: SurveyReference(id: survey.id, version: survey.version, digest: try SurveyDigest.digest(of: survey)),
            site: Self.site, kiosk: Self.kiosk, touchpoint: "service", stage: .own, language: "sv",
            startedAt: completed.addingTimeInterval(-47.3), completedAt: completed,
            answers: [
                Answer(question: "recommend", type: .nps, value: .number(9)),
                Answer(question: "service-satisfaction", type: .csat, value: .number(4)),
                Answer(question: "service-effort", type: .ces, value: .number(2)),
                Answer(question: "ready-on-time", type: .yesno, value: .bool(true)),
                Answer(
                    question: "comment", type: .text,
                    value: .text("Bilen var klar i tid och verkstaden förklarade arbetet tydligt. "
                        + "Kaffet i väntrummet kunde vara bättre.")),
            ],
            status: .complete, suspect: false, mode: .unattended, appVersion: "0.1.0-bench")
    }

    private init(kioskID: String, surveysDirectory: URL, catalog: SurveyCatalog, key: KioskKey, draft: ResponseDraft) {
        self.kioskID = kioskID
        self.surveysDirectory = surveysDirectory
        self.catalog = catalog
        self.key = key
        self.draft = draft
    }

    /// The same surveys and response for another kiosk, with a key of its own.
    func kiosk(_ id: String) -> Fixtures {
        var draft = self.draft
        draft.kiosk = id
        return Fixtures(kioskID: id, surveysDirectory: surveysDirectory, catalog: catalog, key: KioskKey.generate(), draft: draft)
    }

    /// `--surveys`, else `./surveys`, else a `surveys/` directory above the executable (the package root).
    static func findSurveys(_ given: String?) throws -> URL {
        let marker = "service-visit.yaml"
        if let given {
            let url = URL(fileURLWithPath: given, isDirectory: true)
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent(marker).path) else {
                throw BenchError("--surveys \(given): no \(marker) there")
            }
            return url.standardizedFileURL
        }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)]
        var directory = URL(fileURLWithPath: executablePath()).deletingLastPathComponent()
        while directory.path != "/" {
            candidates.append(directory)
            directory = directory.deletingLastPathComponent()
        }
        for candidate in candidates {
            let surveys = candidate.appendingPathComponent("surveys", isDirectory: true)
            if FileManager.default.fileExists(atPath: surveys.appendingPathComponent(marker).path) {
                return surveys.standardizedFileURL
            }
        }
        throw BenchError("cannot find surveys/\(marker) here or above the executable; pass --surveys DIR")
    }

    /// Writes `count` pending files with `FileResponseStore.record` (the kiosk's own path, fsyncs and all).
    func recordWithStore(count: Int, into root: URL) throws {
        let store = try FileResponseStore(root: root, key: key)
        for _ in 0..<count {
            _ = try store.record(draft)
        }
    }

    /// Writes `count` pending files byte-for-byte like `FileResponseStore.record` (UUIDv7 ids in time order,
    /// sequence 1…count, signed envelopes), but signed on all cores and without a per-file fsync; one
    /// `sync(2)` at the end. Only for building a large backlog quickly.
    func recordInBulk(count: Int, into root: URL) async throws {
        let store = try FileResponseStore(root: root, key: key)
        let pending = store.pendingDirectory.path
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = (count + workers - 1) / workers
        // A backlog built up over time: one response a second, ending now.
        let start = Date().addingTimeInterval(-Double(count))
        let key = self.key
        let draft = self.draft
        try await withThrowingTaskGroup(of: Void.self) { group in
            for first in stride(from: 0, to: count, by: chunk) {
                let range = first..<min(first + chunk, count)
                group.addTask {
                    var generator = SystemRandomNumberGenerator()
                    for index in range {
                        let id = UUIDv7.make(at: start.addingTimeInterval(Double(index)), using: &generator)
                        let response = SurveyResponse(draft: draft, id: id, sequence: UInt64(index + 1))
                        let bytes = try FlattenedJWS.sign(payload: try response.canonicalJSON(), key: key).serialized()
                        try writePlain(bytes, to: pending + "/" + id + ".json")
                    }
                }
            }
            try await group.waitForAll()
        }
        try DurableFile.write(Data("\(count)\n".utf8), to: root.appendingPathComponent("sequence"))
        sync()
    }
}

/// open(O_CREAT|O_EXCL) + write + close, no fsync.
private func writePlain(_ data: Data, to path: String) throws {
    let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw BenchError.system("create", path) }
    defer { close(fd) }
    try writeAll(fd, data, path: path)
}

/// Writes every byte of `data` to `fd`.
func writeAll(_ fd: Int32, _ data: Data, path: String) throws {
    try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            #if canImport(Glibc)
            let written = Glibc.write(fd, base + offset, buffer.count - offset)
            #else
            let written = Darwin.write(fd, base + offset, buffer.count - offset)
            #endif
            if written < 0 {
                if errno == EINTR { continue }
                throw BenchError.system("write", path)
            }
            offset += written
        }
    }
}

/// This executable's path (for re-executing it as a child).
func executablePath() -> String {
    if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        return resolved
    }
    return Bundle.main.executablePath ?? CommandLine.arguments[0]
}
