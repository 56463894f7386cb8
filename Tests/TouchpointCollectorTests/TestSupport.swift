import Foundation
import Logging
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointProtocol
import TouchpointJOSE
import TouchpointCollectorSQLite

/// A logger that prints nothing.
let quietLogger = Logger(label: "touchpoint-collector-tests") { _ in SwiftLogNoOpLogHandler() }

/// A fresh directory under the system temp directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("touchpoint-collector-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url)
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

/// The repository's bundled surveys, and helpers to make signed responses to `retail-visit`.
enum Fixtures {
    /// `surveys/` at the repository root.
    static let surveysDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("surveys", isDirectory: true)

    /// The bundled surveys.
    static func catalog() throws -> SurveyCatalog {
        let catalog = SurveyDirectory.load(surveysDirectory)
        #expect(catalog.problems.isEmpty, "\(catalog.problems)")
        _ = try #require(catalog.survey("retail-visit"))
        return catalog
    }

    static func surveys() throws -> CollectorSurveys {
        CollectorSurveys(catalog: try catalog())
    }

    /// The digest of bundled survey `id` at `version`, as a kiosk writes it; zeros for a version not bundled.
    static func digest(_ id: String, version: Int = 1) -> String {
        bundledDigests[id + "@\(version)"] ?? "sha256:" + String(repeating: "0", count: 64)
    }

    private static let bundledDigests: [String: String] = {
        var digests: [String: String] = [:]
        for survey in SurveyDirectory.load(surveysDirectory).surveys {
            digests[survey.id + "@\(survey.version)"] = try? SurveyDigest.digest(of: survey)
        }
        return digests
    }()

    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    /// When the verifier receives fixture responses in tests that give it a clock: 30 days after ``start``.
    static let receivedAt = start.addingTimeInterval(30 * 86_400)

    /// A response to `retail-visit` version 1 with valid answers unless `answers` says otherwise.
    static func response(
        kiosk: String = "kiosk-1", sequence: UInt64, id: String? = nil, version: Int = 1,
        answers: [Answer]? = nil, status: ResponseStatus = .complete, seed: UInt64? = nil
    ) -> SurveyResponse {
        let given = answers ?? [
            Answer(question: "recommend", type: .nps, value: .number(9)),
            Answer(question: "visit-satisfaction", type: .csat, value: .number(4)),
            Answer(question: "purpose", type: .choice, value: .option("offer")),
        ]
        let completed = start.addingTimeInterval(Double(sequence) * 60)
        let draft = ResponseDraft(
            survey: SurveyReference(id: "retail-visit", version: version, digest: digest("retail-visit", version: version)),
            site: "malmo", kiosk: kiosk, touchpoint: "retail", stage: .shop, language: "en",
            startedAt: completed.addingTimeInterval(-30), completedAt: completed, answers: given,
            status: status, suspect: false, mode: .attended, appVersion: "0.1.0")
        var generator = SeededGenerator(state: seed ?? sequence &* 7919)
        return SurveyResponse(draft: draft, id: id ?? UUIDv7.make(at: completed, using: &generator), sequence: sequence)
    }

    /// `response` signed with `key`, as a kiosk writes it.
    static func signed(_ response: SurveyResponse, key: KioskKey) throws -> FlattenedJWS {
        try FlattenedJWS.sign(payload: response.canonicalJSON(), key: key)
    }

    /// `responses` signed with `key` as verified items, as the verifier would produce them (batch indexes from `first`).
    static func verified(_ responses: [SurveyResponse], key: KioskKey, from first: Int = 0) throws -> [VerifiedItem] {
        try responses.enumerated().map { offset, response in
            let payload = try response.canonicalJSON()
            return VerifiedItem(
                index: first + offset, response: response, jws: try FlattenedJWS.sign(payload: payload, key: key),
                kid: key.keyID, contentHash: CollectorToken.hash(String(decoding: payload, as: UTF8.self)))
        }
    }

    /// `count` signed responses with sequences `first…`.
    static func batch(kiosk: String = "kiosk-1", key: KioskKey, sequences: some Sequence<UInt64>) throws -> [FlattenedJWS] {
        try sequences.map { try signed(response(kiosk: kiosk, sequence: $0), key: key) }
    }

    static let health = BufferHealth(pending: 3, rejected: 1, oldestPendingAt: start, lastSequence: 5)
}

extension ResponseVerifier.Outcome {
    /// The refusal, if the item was refused.
    var refusal: ItemResult? {
        if case .refused(let result) = self { return result }
        return nil
    }

    /// The verified item, if it verified.
    var item: VerifiedItem? {
        if case .verified(let item) = self { return item }
        return nil
    }
}
