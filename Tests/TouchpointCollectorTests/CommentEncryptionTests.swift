import Crypto
import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointJOSE

/// Comments encrypted at rest (`--comment-key`, issue 15): what is sealed, what works without the key, on both backends.
@Suite("Comments encrypted at rest")
struct CommentEncryptionTests {
    let key = KioskKey.generate()
    let cipher = CommentCipher(key: SymmetricKey(size: .bits256))
    static let secret = "Ring Sven Berg på 070-123 45 67"

    @Test func sealedValuesRoundTripWithAFreshNonceAndFailWithAnotherKey() throws {
        let sealed = try cipher.seal(Self.secret)
        #expect(CommentCipher.isSealed(sealed) && !sealed.contains("Sven"))
        #expect(try cipher.seal(Self.secret) != sealed, "the same text sealed twice looks the same")
        #expect(try cipher.open(sealed) == Self.secret)
        #expect(try cipher.open("stored before encryption") == "stored before encryption")
        let other = CommentCipher(key: SymmetricKey(size: .bits256))
        #expect(throws: CollectorError.self) { try other.open(sealed) }
        #expect(throws: CollectorError.self) { try CommentCipher.open(sealed, with: nil) }
        #expect(try CommentCipher.openOrPlaceholder(sealed, with: nil) == CommentCipher.sealedPlaceholder)
        // Account tokens: one per account whatever the spelling, keyed (another key gives another), lowercase.
        let token = cipher.accountToken(" Acme  AB ")
        #expect(token == cipher.accountToken("ACME AB") && token != other.accountToken("ACME AB") && token != cipher.accountToken("ACME"))
        #expect(CommentCipher.isToken(token) && token == token.lowercased() && cipher.accountToken(token) == token && !token.contains("acme"))
        #expect(CommentCipher.accountKey(" Acme  AB ", with: nil) == "acme ab")
        var damaged = sealed
        damaged.removeLast(2)
        #expect(throws: CollectorError.self) { try cipher.open(damaged + "AA") }
    }

    @Test func aKeyFileIsNewReadableByItsOwnerOnlyAndNeverReplaced() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("comment.key").path
            try CommentCipher.createKeyFile(at: path)
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let loaded = try CommentCipher.load(path: path)
            #expect(try loaded.open(try loaded.seal("hej")) == "hej")
            #expect(throws: CollectorError.self) { try CommentCipher.createKeyFile(at: path) }
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            #expect(throws: CollectorError.self) { try CommentCipher.load(path: path) }
            let bad = directory.appendingPathComponent("bad.key").path
            try Data("not a key".utf8).write(to: URL(fileURLWithPath: bad))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: bad)
            #expect(throws: CollectorError.self) { try CommentCipher.load(path: bad) }
        }
    }

    @Test(arguments: StorageBackend.available) func commentsAreSealedAtRestAndReportsWorkWithoutTheKey(backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            let responses = [
                FeedFixtures.response(sequence: 1, nps: 3, comment: Self.secret, account: "ACME"),
                FeedFixtures.response(service: true, sequence: 2, nps: 8, comment: "Snabbt och trevligt"),
                FeedFixtures.response(sequence: 3, nps: 10),
            ]
            let hook = Webhook(name: "all", url: try #require(URL(string: "https://hooks.example.com/x")), detractors: true)
            let (report, plainExport) = try await location.withOpened(commentCipher: cipher) { storage in
                try await FeedFixtures.enroll(storage, key: key)
                _ = try await storage.importAccounts(AccountImport(accounts: [Account(id: "Acme", owner: "per")]), at: Fixtures.start)
                #expect(try await storage.fanOut(to: [hook], at: Fixtures.start, limit: 10).started)
                #expect(try await FeedFixtures.ingest(responses, into: storage, key: key).allSatisfy { $0 == .stored })
                #expect(try await storage.fanOut(to: [hook], at: FeedFixtures.receivedAt, limit: 100).queued > 0)
                // With the key everything reads as written: comments, search, the export, the feed, cases, access.
                #expect(Set(try await storage.comments(CommentQuery()).map(\.text)) == [Self.secret, "Snabbt och trevligt"])
                #expect(try await storage.comments(CommentQuery(text: "SVEN")).map(\.text) == [Self.secret])
                let post = try #require(try await storage.nextPending(webhook: "all"))
                #expect(post.body?.contains("Sven Berg") == true)
                #expect(try await storage.followUpCase(responses[0].id)?.comments.map(\.text) == [Self.secret])
                #expect(try await SubjectAccessReport.gather(account: "acme", from: storage, at: FeedFixtures.receivedAt)
                    .comments.map(\.text) == [Self.secret])
                let export = try await storage.exportAnswers(AnswerSelection(), after: nil, limit: 100)
                #expect(export.contains { $0.value == Self.secret })
                // The account reference reads as written, and the health of the CRM's account counts its response.
                #expect(export.first { $0.responseID == responses[0].id }?.account == "ACME")
                #expect(try await storage.comments(CommentQuery()).first { $0.responseID == responses[0].id }?.account == "ACME")
                #expect(try await storage.followUpCase(responses[0].id)?.account == "ACME")
                let health = try await storage.accountHealth(model: .builtIn, at: FeedFixtures.receivedAt)
                #expect(health.first { $0.id == "Acme" }?.responses == 1, "\(health.map(\.id))")
                return (try await storage.report(ReportQuery(metric: .nps, groupBy: [.site], minimumCount: 1)), export)
            }
            // Without the key: reports and aggregates work; comments, the export and the feed say they need it.
            try await location.withOpened { storage in
                #expect(try await storage.report(ReportQuery(metric: .nps, groupBy: [.site], minimumCount: 1)) == report)
                #expect(try await storage.reportFromRawRows(ReportQuery(metric: .nps, groupBy: [.site], minimumCount: 1)) == report)
                await #expect(throws: CollectorError.self) { try await storage.comments(CommentQuery()) }
                await #expect(throws: CollectorError.self) { try await storage.exportAnswers(AnswerSelection(), after: nil, limit: 100) }
                await #expect(throws: CollectorError.self) { try await storage.nextPending(webhook: "all") }
                // A case stays workable, its comment shown as sealed.
                let followUp = try #require(try await storage.followUpCase(responses[0].id))
                #expect(followUp.comments.map(\.text) == [CommentCipher.sealedPlaceholder])
                #expect(followUp.account == CommentCipher.sealedPlaceholder)
                // The health aggregates hold the account's token, not its name: without the key it is not tied to the CRM.
                let health = try await storage.accountHealth(model: .builtIn, at: FeedFixtures.receivedAt)
                #expect(health.first { $0.id == "Acme" }?.responses == 0)
                #expect(health.contains { CommentCipher.isToken($0.id) && $0.responses == 1 })
                // Personal data was counted at ingest: reports count it without the key.
                #expect(try await storage.personalDataCounts(AnswerSelection()) == [.phone: 1])
                try await storage.changeCase(responses[0].id, .note("Called"), by: "per", at: FeedFixtures.receivedAt)
                // Looking an account up by its reference needs the key: without it nothing would be found, wrongly.
                await #expect(throws: CollectorError.self) { try await storage.accountRecords("ACME") }
                await #expect(throws: CollectorError.self) {
                    try await storage.erase(.account("ACME"), by: "cli:dpo", at: FeedFixtures.receivedAt, dryRun: true)
                }
            }
            // With the key again (another process): erasure by comment text matches the opened text.
            try await location.withOpened(commentCipher: cipher) { storage in
                let summary = try await storage.erase(.comments(matching: "sven berg", site: "malmo"), by: "cli:dpo", at: FeedFixtures.receivedAt, dryRun: false)
                #expect(summary.comments == 1)
                #expect(try await storage.personalDataCounts(AnswerSelection()).isEmpty, "an erased comment still counts")
                #expect(try await storage.comments(CommentQuery()).map(\.text) == ["Snabbt och trevligt"])
                #expect(try await storage.exportAnswers(AnswerSelection(), after: nil, limit: 100).count == plainExport.count - 1)
                // Erasure and access by account find it through its token, whatever the spelling.
                #expect(try await SubjectAccessReport.gather(account: " acme", from: storage, at: FeedFixtures.receivedAt).responses.count == 1)
                let erased = try await storage.erase(.account("Acme"), by: "cli:dpo", at: FeedFixtures.receivedAt, dryRun: false)
                #expect(erased.accountReferences == 1 && erased.cases == 1)
                #expect(try await storage.accountRecords("ACME").responses.isEmpty)
            }
            if backend == .sqlite {
                // Nowhere in the database file (the write-ahead log is merged into it on close) is the text.
                let bytes = try Data(contentsOf: location.directory.appendingPathComponent("collector.sqlite"))
                #expect(bytes.range(of: Data("Snabbt och trevligt".utf8)) == nil)
                #expect(bytes.range(of: Data("Sven Berg".utf8)) == nil)
                #expect(bytes.range(of: Data("ACME".utf8)) == nil)
            }
        }
    }
}
