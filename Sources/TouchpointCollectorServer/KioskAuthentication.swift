import Foundation
import Hummingbird
import Logging
import TouchpointCollector
import TouchpointCore
import TouchpointProtocol

/// The one check of a kiosk's own token, for every route a kiosk calls (``AccessPolicy/Requirement/kiosk``):
/// `Authorization: Bearer` must match the token hash stored at the kiosk's enrolment. A revoked or unknown kiosk
/// has none, so it is refused too.
struct KioskAuthentication: Sendable {
    let storage: any CollectorStorage
    let logger: Logger

    /// nil when `request` carries `kiosk`'s token; otherwise the 401 to answer. Storage errors are thrown.
    func refusal(kiosk: String, request: Request, what: String) async throws -> Response? {
        let expected = try await storage.tokenHash(for: kiosk)
        let token = request.headers[.authorization].flatMap(CollectorToken.bearerToken(fromAuthorization:))
        if let expected, let token, CollectorToken.matches(token, hash: expected) {
            return nil
        }
        logger.warning("\(what) refused: missing or wrong token", metadata: ["kiosk.id": "\(kiosk)"])
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Bearer"
        let message = if expected == nil {
            "kiosk \(kiosk) has no upload token here (not enrolled, revoked, or enrolled before tokens): "
                + "enrol it with touchpoint collector enroll and set collectorToken"
        } else if token == nil {
            "kiosk \(kiosk) needs its upload token (collectorToken) as a bearer token"
        } else {
            "wrong upload token for kiosk \(kiosk)"
        }
        return UploadController.error(.unauthorized, "unauthorized", message, headers: headers)
    }
}
