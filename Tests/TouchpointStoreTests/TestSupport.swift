import Foundation
import Testing
import TouchpointCore
@testable import TouchpointStore
import TouchpointJOSE

/// A fresh directory under the system temp directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("touchpoint-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

/// The permission bits of the file at `url`.
func permissions(of url: URL) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// Names in `directory`, sorted.
func names(in directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
}

/// RFC 8037 Appendix A.1's Ed25519 key.
enum RFC8037 {
    static let d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
    static let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    static let thumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    static let payload = "Example of Ed25519 signing"
    static let protectedHeader = "eyJhbGciOiJFZERTQSJ9"
    static let encodedPayload = "RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
    static let signature = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"

    static func key() throws -> KioskKey {
        try KioskKey(rawRepresentation: #require(Base64URL.decode(d)))
    }
}

/// A deterministic random source (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A clock that starts at `start` and moves `step` seconds forward on every reading.
final class SteppingClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private let step: TimeInterval

    init(start: Date, step: TimeInterval) {
        current = start
        self.step = step
    }

    func now() -> Date {
        lock.lock()
        defer { lock.unlock() }
        let value = current
        current += step
        return value
    }
}

/// A completed retail draft with one answer of each kind.
func sampleDraft(comment: String = "Friendly staff / quick test drive") -> ResponseDraft {
    ResponseDraft(
        survey: SurveyReference(id: "retail-visit", version: 3, digest: "sha256:" + String(repeating: "ab", count: 32)),
        site: "sto-01", kiosk: "kiosk-7", touchpoint: "retail", stage: .shop, language: "sv",
        startedAt: Date(timeIntervalSince1970: 1_795_000_000.5),
        completedAt: Date(timeIntervalSince1970: 1_795_000_042.25),
        answers: [
            Answer(question: "nps", type: .nps, value: .number(9)),
            Answer(question: "reason", type: .text, value: .text(comment)),
            Answer(question: "model", type: .choice, value: .option("ev-suv")),
            Answer(question: "contact", type: .yesno, value: .bool(false)),
        ],
        status: .complete, suspect: false, mode: .unattended, account: "C-1042", appVersion: "1.0.0")
}

/// Runs `python3` with `arguments`; returns the exit status, stdout and stderr.
func runPython(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outData = output.fileHandleForReading.readDataToEndOfFile()
    let errData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
