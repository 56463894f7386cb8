import Foundation
import Hummingbird
import Logging
import TouchpointCollector

/// `GET /v1/alerts` (admin): the fleet alerts open now, and those cleared in the last day.
struct AlertController {
    let storage: any CollectorStorage
    let logger: Logger
    let now: @Sendable () -> Date

    /// How far back cleared alerts are listed.
    static let clearedWindow: TimeInterval = 86_400

    /// Adds the route.
    func addRoutes(to router: Router<CollectorRequestContext>) {
        router.get("/v1/alerts") { _, _ in
            do {
                let alerts = try await storage.fleetAlerts(clearedSince: now().addingTimeInterval(-Self.clearedWindow))
                let list = AlertList(open: alerts.filter { $0.clearedAt == nil }, cleared: alerts.filter { $0.clearedAt != nil })
                return UploadController.json(.ok, list)
            } catch {
                logger.error("storage failed while reading fleet alerts", metadata: ["error": "\(error)"])
                var headers = HTTPFields()
                headers[.retryAfter] = String(UploadController.retryAfterSeconds)
                return UploadController.error(
                    .serviceUnavailable, "unavailable", "the collector cannot read the alerts now; retry later", headers: headers)
            }
        }
    }

    /// The body of `GET /v1/alerts`.
    struct AlertList: Encodable {
        /// Open alerts, oldest first.
        var open: [FleetAlert]
        /// Alerts cleared in the last day, oldest raised first.
        var cleared: [FleetAlert]
    }
}
