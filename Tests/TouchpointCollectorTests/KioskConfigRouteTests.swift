import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TouchpointCollector
import TouchpointCollectorServer
import TouchpointCore
import TouchpointJOSE
import TouchpointProtocol

/// `GET /v1/kiosk/config` (issue 13): a kiosk's surveys and site settings, authenticated by its own token, with an
/// ETag so an unchanged configuration is one small 304.
@Suite("The kiosk configuration route")
struct KioskConfigRouteTests {
    let key = KioskKey.generate()
    let token = CollectorToken.generate()
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    func withApp(
        _ body: @escaping @Sendable (any TestClientProtocol, any CollectorStorage) async throws -> Void
    ) async throws {
        try await withStorage { storage, _ in
            try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, tokenHash: CollectorToken.hash(token))
            let app = buildApplication(
                configuration: CollectorConfiguration(), storage: storage, surveys: try Fixtures.catalog(), logger: quietLogger)
            try await app.test(.router) { client in try await body(client, storage) }
        }
    }

    func survey(_ id: String, _ version: Int) -> PublishedSurvey {
        PublishedSurvey(
            id: id, version: version, digest: "sha256:\(id)-\(version)", source: "id: \(id)\nversion: \(version)\n",
            publishedAt: start, publishedBy: "cli:eva")
    }

    func get(
        _ client: any TestClientProtocol, _ query: String = "kiosk=kiosk-1", token: String? = nil, ifNoneMatch: String? = nil
    ) async throws -> (status: HTTPResponse.Status, document: KioskConfigDocument?, etag: String?, body: String) {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token ?? self.token)"
        if let ifNoneMatch { headers[.ifNoneMatch] = ifNoneMatch }
        let response = try await client.execute(uri: "/v1/kiosk/config?\(query)", method: .get, headers: headers)
        let data = Data(response.body.readableBytesView)
        return (
            response.status, response.status == .ok ? try JSONDecoder().decode(KioskConfigDocument.self, from: data) : nil,
            response.headers[.eTag], String(decoding: data, as: UTF8.self))
    }

    @Test func theAssignedSurveysAndSettingsWithAnETagAndA304WhenUnchanged() async throws {
        try await withApp { client, storage in
            // Nothing assigned: an empty document (the kiosk runs its local surveys), sealed, its version the ETag.
            let empty = try await get(client)
            #expect(empty.status == .ok)
            let nothing = try #require(empty.document)
            #expect(nothing.surveys.isEmpty && nothing.site == "malmo" && nothing.isSealed)
            #expect(empty.etag == nothing.entityTag)

            _ = try await storage.publish([survey("retail-visit", 1), survey("service-visit", 1)])
            _ = try await storage.assign(SurveyAssignment(survey: "retail-visit", site: "malmo"), at: start, by: "cli:eva")
            _ = try await storage.assign(SurveyAssignment(survey: "service-visit", touchpoint: "service"), at: start, by: "cli:eva")
            _ = try await storage.setSiteSettings(KioskSettings(language: "sv"), site: "malmo", at: start, by: "cli:eva")
            let first = try await get(client)
            let document = try #require(first.document)
            #expect(document.surveys.map { "\($0.id)@\($0.version)" } == ["retail-visit@1"])
            #expect(document.surveys.first?.yaml == survey("retail-visit", 1).source)
            #expect(document.settings == KioskSettings(language: "sv"))
            #expect(document.isSealed && first.etag == document.entityTag && document.version != nothing.version)
            // The collector keeps what it told the kiosk.
            #expect(try await storage.kiosk("kiosk-1")?.config?.version == document.version)

            // Unchanged: 304, no body.
            let again = try await get(client, ifNoneMatch: document.entityTag)
            #expect(again.status == .notModified && again.body.isEmpty && again.etag == document.entityTag)
            // A kiosk at the service touchpoint also gets the survey assigned to that touchpoint.
            let atService = try await get(client, "kiosk=kiosk-1&touchpoint=service", ifNoneMatch: document.entityTag)
            #expect(atService.document?.surveys.map(\.id) == ["retail-visit", "service-visit"])
            #expect(try await storage.kiosk("kiosk-1")?.config?.touchpoint == "service")

            // A new version published: the unpinned assignment follows it, so the old ETag no longer matches.
            _ = try await storage.publish([survey("retail-visit", 2)])
            let newer = try await get(client, ifNoneMatch: document.entityTag)
            #expect(newer.status == .ok && newer.document?.surveys.map(\.version) == [2])
        }
    }

    @Test func onlyTheKiosksOwnTokenAndNeverARevokedKiosk() async throws {
        try await withApp { client, storage in
            #expect(try await get(client, token: CollectorToken.generate()).status == .unauthorized)
            let noKiosk = try await get(client, "")
            #expect(noKiosk.status == .badRequest && noKiosk.body.contains("kiosk: name the kiosk"), "\(noKiosk.body)")
            let badTouchpoint = try await get(client, "kiosk=kiosk-1&touchpoint=Service%20desk")
            #expect(badTouchpoint.status == .badRequest && badTouchpoint.body.contains("touchpoint"), "\(badTouchpoint.body)")
            let other = try await get(client, "kiosk=kiosk-2")
            #expect(other.status == .unauthorized && other.body.contains("kiosk kiosk-2 has no upload token"), "\(other.body)")
            _ = try await storage.revoke(kiosk: "kiosk-1")
            let revoked = try await get(client)
            #expect(revoked.status == .unauthorized && revoked.document == nil)
        }
    }
}
