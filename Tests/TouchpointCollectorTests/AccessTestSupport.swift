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

/// A test client that sends `Authorization: Bearer TOKEN` with every request that carries no Authorization of its own.
struct SignedInClient: TestClientProtocol {
    let inner: any TestClientProtocol
    let token: String

    init(_ inner: any TestClientProtocol, token: String) {
        self.inner = inner
        self.token = token
    }

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        if headers[.authorization] == nil {
            headers[.authorization] = "Bearer \(token)"
        }
        return try await inner.executeRequest(uri: uri, method: method, headers: headers, body: body)
    }

    var port: Int? { inner.port }
}
