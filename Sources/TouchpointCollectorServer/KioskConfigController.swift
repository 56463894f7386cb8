import Foundation
import Hummingbird
import Logging
import TouchpointCollector
import TouchpointCore
import TouchpointProtocol

/// `GET /v1/kiosk/config` (issue 13): what a kiosk is to run — the surveys assigned to it, as published, and its
/// site's settings — as a ``KioskConfigDocument``, with the document's version as its ETag.
///
/// The kiosk names itself (`?kiosk=`) and, if it has one, its touchpoint (`&touchpoint=`), and sends its upload
/// token. `If-None-Match` with the current version is answered 304 with no body: an unchanged configuration costs
/// one small request.
struct KioskConfigController: Sendable {
    let storage: any CollectorStorage
    let authentication: KioskAuthentication
    let logger: Logger
    let now: @Sendable () -> Date

    init(storage: any CollectorStorage, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.storage = storage
        self.authentication = KioskAuthentication(storage: storage, logger: logger)
        self.logger = logger
        self.now = now
    }

    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get(RouterPath(KioskConfigDocument.path)) { request, _ in
            await configuration(request)
        }
    }

    func configuration(_ request: Request) async -> Response {
        let query = request.queryValues
        guard let kiosk = query["kiosk"], !kiosk.isEmpty else {
            return UploadController.error(.badRequest, "malformed", "kiosk: name the kiosk, as ?kiosk=ID")
        }
        let touchpoint = query["touchpoint"].flatMap { $0.isEmpty ? nil : $0 }
        for (name, value) in [("kiosk", kiosk), ("touchpoint", touchpoint)] {
            if let value, let problem = Identifier.problem(value, name: name) {
                return UploadController.error(.badRequest, "malformed", problem)
            }
        }
        do {
            if let refusal = try await authentication.refusal(kiosk: kiosk, request: request, what: "configuration request") {
                return refusal
            }
            // A revoked kiosk has no token hash, so it was refused above.
            guard let target = try await storage.configTarget(kiosk: kiosk) else {
                return UploadController.error(.unauthorized, "unauthorized", "kiosk \(kiosk) is not enrolled here")
            }
            let document = try await storage.fleetPlan().document(site: target.site, kiosk: kiosk, touchpoint: touchpoint)
            let date = now()
            // Recorded a moment ago: a kiosk asking every sync pass does not write a row each time.
            let recordedJustNow = target.served.map { served in
                served.version == document.version && served.touchpoint == touchpoint
                    && date.timeIntervalSince(served.fetchedAt) < Self.fetchRecordInterval
            } ?? false
            if !recordedJustNow {
                try await storage.recordConfigServed(kiosk: kiosk, touchpoint: touchpoint, version: document.version, at: date)
            }
            var headers = HTTPFields()
            headers[.eTag] = document.entityTag
            headers[.cacheControl] = "no-cache"
            if let match = request.headers[.ifNoneMatch], Self.matches(match, document.entityTag) {
                return Response(status: .notModified, headers: headers)
            }
            return UploadController.json(.ok, document, headers: headers)
        } catch {
            logger.error("configuration request failed", metadata: ["kiosk.id": "\(kiosk)", "error": "\(error)"])
            var headers = HTTPFields()
            headers[.retryAfter] = String(UploadController.retryAfterSeconds)
            return UploadController.error(
                .serviceUnavailable, "unavailable", "the collector cannot read the configuration now; retry later", headers: headers)
        }
    }

    /// The least time between two records of the same configuration served to a kiosk, in seconds.
    static let fetchRecordInterval: TimeInterval = 60

    /// Whether an `If-None-Match` value names `tag` (a list of tags, or `*`; a weak tag matches too).
    static func matches(_ header: String, _ tag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let trimmed = candidate.trimmingCharacters(in: .whitespaces)
            return trimmed == "*" || trimmed == tag || trimmed == "W/" + tag
        }
    }
}
