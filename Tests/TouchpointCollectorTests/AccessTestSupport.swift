import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import TouchpointCollector

/// API tokens for the route tests: the tests call the routes the way a program does, with a bearer token.
enum TestAccess {
    /// Creates an API token with `role` (named after it unless `name` is given) and returns the token.
    static func token(in storage: any CollectorStorage, role: Role = .admin, name: String? = nil) async throws -> String {
        let token = CollectorToken.generate()
        try await storage.addAPIToken(APITokenRecord(
            name: name ?? "test-\(role.rawValue)", tokenHash: CollectorToken.hash(token), role: role, createdAt: Date()))
        return token
    }
}

/// The upload token the test kiosks are enrolled with (``Fixtures``' kiosk-1 and the others), as a kiosk sends it.
enum TestKiosk {
    static let uploadToken = "test-kiosk-upload-token-0123456789"
    static let uploadTokenHash = CollectorToken.hash(uploadToken)
}

/// A test client that sends `Authorization: Bearer TOKEN` with every request that carries no Authorization of its own:
/// the API token, or for uploads the kiosk's upload token.
struct SignedInClient: TestClientProtocol {
    let inner: any TestClientProtocol
    let token: String
    let uploadToken: String

    init(_ inner: any TestClientProtocol, token: String, uploadToken: String = TestKiosk.uploadToken) {
        self.inner = inner
        self.token = token
        self.uploadToken = uploadToken
    }

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        if headers[.authorization] == nil {
            headers[.authorization] = "Bearer \(uri.hasPrefix("/v1/responses") || uri.hasPrefix("/v1/kiosk/") ? uploadToken : token)"
        }
        return try await inner.executeRequest(uri: uri, method: method, headers: headers, body: body)
    }

    var port: Int? { inner.port }
}
