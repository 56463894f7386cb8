import Foundation
import Logging
import TouchpointCore
import TouchpointProtocol

/// Takes one upload batch from decoded body to per-item results: look up keys, verify, store.
///
/// The HTTP route is a thin shell around ``ingest(_:at:)``, so the whole path is testable without HTTP.
public struct ResponseIngestor: Sendable {
    /// Where responses are stored.
    public let storage: any CollectorStorage
    /// What checks them: the collector's own surveys and those published in the storage.
    private let surveys: PublishedSurveySet
    /// Which stored responses open follow-up cases, and whose they are.
    private let caseRules: CaseRules
    private let logger: Logger

    /// Creates an ingestor over `storage`, checking answers against `surveys` and the survey versions published
    /// in `storage` (``FleetStorage``), which win over a local one of the same id and version; a stored response
    /// that `caseRules` say needs follow-up opens a case in the same transaction.
    public init(storage: any CollectorStorage, surveys: CollectorSurveys, caseRules: CaseRules = .standard, logger: Logger) {
        self.storage = storage
        self.surveys = PublishedSurveySet(local: surveys.all)
        self.caseRules = caseRules
        self.logger = logger
    }

    /// Verifies and stores `batch` received at `date` (the clock responses' times are checked against),
    /// returning one result per item in batch order.
    ///
    /// Throws only storage failures (`CollectorError` `.overloaded`/`.unavailable`), in which case
    /// nothing of the batch was stored and the kiosk should retry.
    public func ingest(_ batch: UploadBatch, at date: Date) async throws -> UploadResult {
        let keys = try await storage.keys(ResponseVerifier.keyIDs(in: batch.responses))
        var outcomes = await surveys.verifier.verify(batch, keys: keys, at: date)
        let deferred = outcomes.indices.filter {
            if case .refused(let result) = outcomes[$0], result.status == .deferred { true } else { false }
        }
        // A survey version unknown here may have been published since (by this process or another): read the
        // published versions again, and check those items once more.
        if !deferred.isEmpty, let wider = try await surveys.reload(from: storage) {
            for index in deferred {
                outcomes[index] = wider.check(
                    index: index, jws: batch.responses[index], batchKiosk: batch.kiosk, keys: keys, at: date)
            }
        }
        var results: [ItemResult?] = Array(repeating: nil, count: batch.responses.count)
        var verified: [VerifiedItem] = []
        verified.reserveCapacity(outcomes.count)
        for outcome in outcomes {
            switch outcome {
            case .verified(let item): verified.append(item)
            case .refused(let result): results[result.index] = result
            }
        }
        try await openCases(&verified, at: date)
        for result in try await storage.ingest(verified, health: batch.health, kiosk: batch.kiosk, at: date) {
            results[result.index] = result
        }
        let answered = results.enumerated().map { index, result in
            result ?? ItemResult(index: index, id: nil, status: .deferred, reason: "not processed; send it again")
        }
        log(batch: batch, results: answered)
        return UploadResult(results: answered)
    }

    /// Gives each item that needs follow-up its case opening; reads the accounts' owners only when a rule takes the
    /// owner from the account and some such item has an account.
    private func openCases(_ items: inout [VerifiedItem], at date: Date) async throws {
        var needing: [Int] = []
        for index in items.indices where caseRules.trigger(for: items[index].response, cesPoints: items[index].cesPoints) != nil {
            needing.append(index)
        }
        guard !needing.isEmpty else { return }
        var owners: [String: String] = [:]
        if caseRules.needsAccountOwners, needing.contains(where: { items[$0].response.account != nil }) {
            for account in try await storage.accounts() {
                if let owner = account.owner { owners[Account.matchingKey(account.id)] = owner }
            }
        }
        for index in needing {
            items[index].followUp = caseRules.opening(
                for: items[index].response, cesPoints: items[index].cesPoints, at: date,
                accountOwner: { owners[Account.matchingKey($0)] })
        }
    }

    private func log(batch: UploadBatch, results: [ItemResult]) {
        var counts: [ItemStatus: Int] = [:]
        for result in results {
            counts[result.status, default: 0] += 1
        }
        logger.info("batch received", metadata: [
            "kiosk.id": "\(batch.kiosk)",
            "batch.items": "\(results.count)",
            "batch.stored": "\(counts[.stored, default: 0])",
            "batch.duplicate": "\(counts[.duplicate, default: 0])",
            "batch.rejected": "\(counts[.rejected, default: 0])",
            "batch.deferred": "\(counts[.deferred, default: 0])",
            "health.pending": "\(batch.health.pending)",
        ])
        for result in results where result.status == .rejected || result.status == .deferred {
            logger.log(level: result.status == .rejected ? .notice : .debug, "response \(result.status.rawValue)", metadata: [
                "kiosk.id": "\(batch.kiosk)",
                "response.id": "\(result.id ?? "-")",
                "reason": "\(result.reason ?? "")",
            ])
        }
    }
}

/// The surveys an ingestor checks answers against: the collector's own (`--surveys`) and the versions published
/// in its storage, read again whenever a batch holds a response to a version not known here.
actor PublishedSurveySet {
    private let local: [Survey]
    /// The verifier over the local surveys and the published ones last read.
    private(set) var verifier: ResponseVerifier
    /// The published versions (`id@version`) last read.
    private var published: Set<String> = []

    init(local: [Survey]) {
        self.local = local
        verifier = ResponseVerifier(surveys: CollectorSurveys(surveys: local))
    }

    /// Reads the published versions again; the new verifier if they changed, nil if not.
    ///
    /// A published source that no longer parses to its id, version and digest (a build with another survey model)
    /// is left out, so responses to it stay deferred rather than being checked against something else.
    func reload(from storage: any FleetStorage) async throws -> ResponseVerifier? {
        let versions = try await storage.publishedSurveys()
        let keys = Set(versions.map { "\($0.id)@\($0.version)" })
        guard keys != published else { return nil }
        var surveys = local
        for version in versions {
            guard case .success(let survey) = SurveyParser.parse(yaml: version.source, file: "published \(version.id) v\(version.version)"),
                survey.id == version.id, survey.version == version.version,
                (try? SurveyDigest.digest(of: survey)) == version.digest
            else { continue }
            // After the local ones: a published version replaces a local one with the same id and version.
            surveys.append(survey)
        }
        verifier = ResponseVerifier(surveys: CollectorSurveys(surveys: surveys))
        published = keys
        return verifier
    }
}
