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
    /// What checks them.
    public let verifier: ResponseVerifier
    private let logger: Logger

    /// Creates an ingestor over `storage`, checking answers against `surveys`.
    public init(storage: any CollectorStorage, surveys: CollectorSurveys, logger: Logger) {
        self.storage = storage
        self.verifier = ResponseVerifier(surveys: surveys)
        self.logger = logger
    }

    /// Verifies and stores `batch` received at `date` (the clock responses' times are checked against),
    /// returning one result per item in batch order.
    ///
    /// Throws only storage failures (`CollectorError` `.overloaded`/`.unavailable`), in which case
    /// nothing of the batch was stored and the kiosk should retry.
    public func ingest(_ batch: UploadBatch, at date: Date) async throws -> UploadResult {
        let keys = try await storage.keys(ResponseVerifier.keyIDs(in: batch.responses))
        let outcomes = await verifier.verify(batch, keys: keys, at: date)
        var results: [ItemResult?] = Array(repeating: nil, count: batch.responses.count)
        var verified: [VerifiedItem] = []
        verified.reserveCapacity(outcomes.count)
        for outcome in outcomes {
            switch outcome {
            case .verified(let item): verified.append(item)
            case .refused(let result): results[result.index] = result
            }
        }
        for result in try await storage.ingest(verified, health: batch.health, kiosk: batch.kiosk, at: date) {
            results[result.index] = result
        }
        let answered = results.enumerated().map { index, result in
            result ?? ItemResult(index: index, id: nil, status: .deferred, reason: "not processed; send it again")
        }
        log(batch: batch, results: answered)
        return UploadResult(results: answered)
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
