import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import TouchpointCollector

/// Authenticates programs by `Authorization: Bearer TOKEN` against the API tokens (stored as SHA-256 hashes).
///
/// A token that is unknown or revoked leaves the caller unauthenticated (the policy then answers 401); a kiosk's
/// upload token is not an API token and is checked by the kiosk routes instead (``KioskAuthentication``). Last use is recorded at most once
/// a minute per token.
struct APITokenAuthenticator: AuthenticatorMiddleware {
    typealias Context = CollectorRequestContext
    typealias Identity = Caller

    let storage: any CollectorStorage
    let now: @Sendable () -> Date

    func authenticate(request: Request, context: Context) async throws -> Caller? {
        guard context.identity == nil, AccessPolicy.requirement(method: request.method, path: request.uri.path) != .kiosk,
            let header = request.headers[.authorization], let token = CollectorToken.bearerToken(fromAuthorization: header)
        else { return nil }
        let found: APITokenRecord?
        do {
            found = try await storage.apiToken(hash: CollectorToken.hash(token))
        } catch {
            throw AccessUnavailable(error: error)
        }
        guard let record = found, record.revokedAt == nil else {
            context.logger.notice("API token refused: unknown or revoked", metadata: ["path": "\(request.uri.path)"])
            return nil
        }
        let date = now()
        if record.lastUsedAt.map({ date.timeIntervalSince($0) >= 60 }) ?? true {
            try? await storage.recordAPITokenUse(named: record.name, at: date)
        }
        return Caller(kind: .token, name: record.name, role: record.role)
    }
}

/// hummingbird-auth's session storage over the collector's database, so every collector process sees every session.
///
/// Session ids are kept only as SHA-256 hashes: a copy of the database does not let anyone sign in.
struct StorageSessionDriver: PersistDriver {
    let storage: any CollectorStorage
    let now: @Sendable () -> Date

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        try await set(key: key, value: value, expires: expires)
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let idHash = CollectorToken.hash(key)
        let expiresAt: Date
        if let expires {
            expiresAt = now().addingTimeInterval(Double(expires.components.seconds))
        } else if let current = try await storage.session(idHash: idHash, now: now()) {
            expiresAt = current.expiresAt
        } else {
            throw PersistError.invalidConversion
        }
        let user = (value as? LoginSession)?.user ?? ""
        let json = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        try await storage.putSession(idHash: idHash, user: user, value: json, expiresAt: expiresAt)
    }

    func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: type)?.object
    }

    func getWithTTL<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        let date = now()
        guard let stored = try await storage.session(idHash: CollectorToken.hash(key), now: date) else { return nil }
        do {
            let object = try JSONDecoder().decode(type, from: Data(stored.value.utf8))
            return (object, .seconds(max(0, stored.expiresAt.timeIntervalSince(date))))
        } catch {
            throw PersistError.invalidConversion
        }
    }

    func remove(key: String) async throws {
        try await storage.removeSession(idHash: CollectorToken.hash(key))
    }
}

/// The database could not say who the caller is: 503 with Retry-After, as for every other storage failure.
struct AccessUnavailable: HTTPResponseError {
    var error: any Error

    var status: HTTPResponse.Status { .serviceUnavailable }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        context.logger.error("cannot check the caller's credentials", metadata: ["error": "\(error)"])
        var headers = HTTPFields()
        headers[.retryAfter] = String(UploadController.retryAfterSeconds)
        if AccessPolicyMiddleware.wantsHTML(request) {
            return DashboardController.html(
                .serviceUnavailable,
                DashboardPage.unavailable("The collector cannot read its database now; retry in a moment.", generatedAt: Date()),
                headers: headers)
        }
        return UploadController.error(
            .serviceUnavailable, "unavailable", "the collector cannot read its database now; retry in a moment", headers: headers)
    }
}
