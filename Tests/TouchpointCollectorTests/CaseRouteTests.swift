import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOCore
import Testing
import TouchpointCollector
import TouchpointCollectorServer

/// The follow-up case pages through the router: who may see and change them, the forms, post/redirect/get, refusals.
extension AccessControlTests {
    @Test("case pages: analysts and up; a signed-in analyst marks a case contacted and resolved with the page's forms",
          arguments: StorageBackend.available)
    func casePagesAndForms(backend: StorageBackend) async throws {
        try await withCollector(backend) { client, storage, callers, _ in
            let cases = try await storage.cases(CaseQuery())
            // The fixture's detractors: NPS 6 (service, globex), 3 (retail, with a comment) and 6 (service, globex).
            #expect(cases.map(\.trigger).sorted() == ["NPS 3", "NPS 6", "NPS 6"])
            let detractor = try #require(cases.first { $0.trigger == "NPS 3" })
            let page = "/cases/\(detractor.id)"
            for uri in ["/cases", page] {
                let anonymous = try await client.execute(uri: uri, method: .get, headers: [.accept: "text/html"])
                #expect(anonymous.status == .seeOther && anonymous.headers[.location]?.hasPrefix("/login?next=") == true, "\(uri)")
                #expect(try await client.execute(uri: uri, method: .get, headers: bearer(callers.viewer)).status == .forbidden, "\(uri)")
                #expect(try await client.execute(uri: uri, method: .get, headers: bearer(callers.analyst)).status == .ok, "\(uri)")
            }
            let list = text(try await client.execute(uri: "/cases", method: .get, headers: bearer(callers.analyst)))
            #expect(list.contains("<h2>3 cases</h2>") && list.contains("href=\"/cases/\(detractor.id)\""), "\(list)")
            #expect(list.contains("<tr class=\"strong\" data-group=\"\"><td>All</td><td class=\"num\">3</td><td class=\"num\">3</td>"), "\(list)")
            #expect(try await client.execute(uri: "/cases?show=everything", method: .get, headers: bearer(callers.analyst)).status == .badRequest)
            #expect(try await client.execute(uri: "/cases?colour=red", method: .get, headers: bearer(callers.analyst)).status == .badRequest)
            #expect(try await client.execute(uri: "/cases/not-a-case", method: .get, headers: bearer(callers.analyst)).status == .notFound)

            // A signed-in analyst, as a browser: the case page, its forms, post/redirect/get.
            let login = try await signIn(client, name: "ana", password: Self.password, next: page)
            #expect(login.headers[.location] == page)
            let cookie = try sessionCookie(login).pair
            let shown = text(try await client.execute(uri: page, method: .get, headers: [.cookie: cookie]))
            #expect(shown.contains("&lt;b&gt;Too slow&lt;/b&gt; &amp; nobody said hello"), "the comment, escaped")
            #expect(shown.contains("id=\"case-status\">open<") && shown.contains("id=\"case-contacted\""))
            let token = try csrf(in: shown)
            func post(_ form: String, csrf: String? = nil) async throws -> TestResponse {
                try await client.execute(
                    uri: page, method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "csrf=\(csrf ?? token)&" + form))
            }
            #expect(try await post("action=contacted&text=Called", csrf: "guess").status == .forbidden)
            let contacted = try await post("action=contacted&text=Called%2C+apologised")
            #expect(contacted.status == .seeOther && contacted.headers[.location] == page)
            let resolved = try await post("action=resolve&text=Voucher+sent")
            #expect(resolved.status == .seeOther)
            let again = try await post("action=resolve")
            #expect(again.status == .conflict && text(again).contains("is resolved"), "\(text(again))")
            #expect(try await post("action=reopen").status == .badRequest)
            let after = text(try await client.execute(uri: page, method: .get, headers: [.cookie: cookie]))
            #expect(after.contains("id=\"case-status\">resolved<") && !after.contains("id=\"case-contacted\""))
            #expect(after.contains("<b>ana</b> contacted: Called, apologised") && after.contains("<b>ana</b> resolved: Voucher sent"), "\(after)")
            // Closing without action needs a reason (another case).
            let other = try #require(cases.first { $0.id != detractor.id })
            let noReason = try await client.execute(
                uri: "/cases/\(other.id)", method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(token)&action=no-action&text=+"))
            #expect(noReason.status == .badRequest && text(noReason).contains("reason: must not be empty"))
            // The figures moved: one of three closed, contacted in no time, within its SLA.
            let figures = text(try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]))
            #expect(figures.contains(
                "<tr class=\"strong\" data-group=\"\"><td>All</td><td class=\"num\">3</td><td class=\"num\">2</td><td class=\"num\">0</td><td class=\"num\">0.0</td><td class=\"num\">100% of 1</td></tr>"),
                "\(figures)")
            // Who read a case's comments is in the audit log.
            let audit = try await storage.auditLog(since: nil, limit: 100).map { "\($0.actor) \($0.action) \($0.target ?? "")" }
            #expect(audit.contains("user:ana case-read \(detractor.id)"), "\(audit)")
        }
    }
}
