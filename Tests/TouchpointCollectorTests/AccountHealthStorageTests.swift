import Foundation
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointJOSE
import TouchpointCollectorSQLite

@Suite("Account health from a real database")
struct AccountHealthStorageTests {
    let key = KioskKey.generate()
    let now = Fixtures.start.addingTimeInterval(86_400)

    /// A response to `retail-visit` from `account` with an NPS and a CSAT answer.
    func response(_ sequence: UInt64, account: String?, nps: Int, csat: Int, status: ResponseStatus = .complete, suspect: Bool = false) -> SurveyResponse {
        var response = Fixtures.response(sequence: sequence, answers: [
            Answer(question: "recommend", type: .nps, value: .number(nps)),
            Answer(question: "visit-satisfaction", type: .csat, value: .number(csat)),
        ], status: status)
        response.account = account
        response.suspect = suspect
        return response
    }

    /// Stores `responses` through the real ingest path, as verified items.
    func ingest(_ responses: [SurveyResponse], into storage: any TestStorage) async throws {
        let items = try Fixtures.verified(responses, key: key)
        let results = try await storage.ingest(items, health: Fixtures.health, kiosk: "kiosk-1", at: now)
        #expect(results.allSatisfy { $0.status == .stored })
    }

    @Test(arguments: StorageBackend.available) func scoresZonesMovesAndActionsFromAccountsAndResponses(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            _ = try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, tokenHash: nil, at: Fixtures.start)
            let csv = "id,name,mrr,owner,interactions\nacme,Acme AB,1000,Anna Berg,3\nglobex,Globex,250,Bo Ek,0\nquiet,Quiet Ltd,90,,0\n"
            _ = try await storage.importAccounts(try AccountCSV.parse(text: csv, file: "accounts.csv"), at: Fixtures.start)
            try await ingest([
                response(1, account: "acme", nps: 10, csat: 5),
                response(2, account: "acme", nps: 10, csat: 5),
                response(3, account: "acme", nps: 9, csat: 4),
                response(4, account: "acme", nps: 0, csat: 1, suspect: true),   // left out
                response(5, account: "acme", nps: 0, csat: 1, status: .partial), // left out
                response(6, account: "globex", nps: 2, csat: 1),
                response(7, account: "initech", nps: 8, csat: 4),                // not imported: still counted
                response(8, account: nil, nps: 0, csat: 1),                      // anonymous
            ], into: storage)

            let inputs = try await storage.healthInputs(answersSince: nil, recentSince: Fixtures.start)
            #expect(Set(inputs.keys) == ["acme", "globex", "initech"])
            #expect(inputs["acme"]?.nps == NPSResult(count: 3, promoters: 3, passives: 0, detractors: 0))
            #expect(inputs["acme"]?.csat == CSATResult(count: 3, satisfied: 3))
            #expect(inputs["acme"]?.responses == 3 && inputs["acme"]?.recentResponses == 3)
            #expect(inputs["acme"]?.lastResponseAt == Fixtures.start.addingTimeInterval(180))

            let model = HealthModel.builtIn
            let first = try await storage.recordAccountHealth(model: model, at: now)
            // Red first, lowest score first; an account with no data at all is not scored and comes last.
            #expect(first.map(\.id) == ["globex", "initech", "acme", "quiet"])
            let acme = try #require(first.first { $0.id == "acme" })
            // NPS 100 → 100, CSAT 100, no CES (renormalised), engagement: recency 100·0.5^(days/30)
            // with days = (86400 − 180) / 86400, frequency (3 responses + 3 interactions) / 6 = 100.
            let days = (86_400.0 - 180) / 86_400
            let engagement = (100 * pow(0.5, days / 30) + 100) / 2
            let expected = (0.35 * 100 + 0.2 * 100 + 0.3 * engagement) / 0.85
            #expect(abs((acme.score ?? 0) - expected) < 1e-6)
            #expect(acme.zone == .green && acme.previousZone == nil && acme.move == nil)
            #expect(acme.name == "Acme AB" && acme.mrr == 1000 && acme.arr == 12_000 && acme.imported)
            #expect(acme.actions.map(\.reason) == ["zone green"])
            #expect(acme.actions.first?.owner == "Anna Berg")

            let globex = try #require(first.first { $0.id == "globex" })
            #expect(globex.zone == .red)
            #expect(globex.actions.map(\.owner) == ["Bo Ek", "CX lead"])
            let quiet = try #require(first.first { $0.id == "quiet" })
            #expect(quiet.zone == nil && quiet.score == nil && quiet.responses == 0)
            #expect(quiet.actions.isEmpty)
            let initech = try #require(first.first { $0.id == "initech" })
            #expect(initech.name == "initech" && initech.mrr == nil && !initech.imported && initech.responses == 1)

            // Acme's customers turn: 9 detractors. The dashboard's view (not recorded) sees the move first.
            try await ingest((10..<19).map { response($0, account: "acme", nps: 0, csat: 1) }, into: storage)
            let later = now.addingTimeInterval(3600)
            let preview = try await storage.accountHealth(model: model, at: later)
            #expect(preview.first { $0.id == "acme" }?.move == ZoneMove(from: .green, to: .yellow))
            #expect(try await storage.latestHealthSnapshots()["acme"]?.at == now)

            let second = try await storage.recordAccountHealth(model: model, at: later)
            let moved = try #require(second.first { $0.id == "acme" })
            #expect(moved.zone == .yellow && moved.previousZone == .green && moved.move == ZoneMove(from: .green, to: .yellow))
            #expect(moved.actions.map(\.reason) == ["move green -> yellow", "zone yellow"])
            #expect(moved.actions.first?.action == "Find out what changed since the last review")
            #expect(moved.actions.allSatisfy { $0.owner == "Anna Berg" })
            #expect(second.first { $0.id == "globex" }?.move == nil)

            // Recorded: the next run compares against the yellow, so no move is due again.
            let third = try await storage.recordAccountHealth(model: model, at: later.addingTimeInterval(60))
            #expect(third.first { $0.id == "acme" }?.move == nil)
            #expect(third.first { $0.id == "acme" }?.previousZone == .yellow)
        }
    }

    @Test(arguments: StorageBackend.available) func aggregatesAgreeWithRawRowsAcrossRefreshes(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            _ = try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, tokenHash: nil, at: Fixtures.start)
            var generator = SeededGenerator(state: 7)
            let accounts = ["acme", "globex", "initech", nil]
            func batch(_ sequences: Range<UInt64>) -> [SurveyResponse] {
                sequences.map { sequence in
                    var item = response(
                        sequence, account: accounts[Int(generator.next() % 4)], nps: Int(generator.next() % 11),
                        csat: 1 + Int(generator.next() % 5), status: generator.next() % 9 == 0 ? .partial : .complete,
                        suspect: generator.next() % 11 == 0)
                    item.answers.append(Answer(question: "effort", type: .ces, value: .number(1 + Int(generator.next() % 7))))
                    // Spread over ten days, so the windows cut through them.
                    item.completedAt = Fixtures.start.addingTimeInterval(Double(generator.next() % 10) * 86_400 + Double(sequence))
                    return item
                }
            }
            let windows: [(Date?, Date)] = [
                (nil, Fixtures.start),
                (Fixtures.start.addingTimeInterval(3 * 86_400 + 5), Fixtures.start.addingTimeInterval(7 * 86_400)),
            ]
            for round in 0..<3 {
                let first = UInt64(1 + round * 40)
                try await ingest(batch(first..<(first + 40)), into: storage)
                for (answersSince, recentSince) in windows {
                    let aggregated = try await storage.healthInputs(answersSince: answersSince, recentSince: recentSince)
                    let raw = try await storage.healthInputsFromRawRows(answersSince: answersSince, recentSince: recentSince)
                    #expect(aggregated == raw, "round \(round)")
                    #expect(aggregated.count == 3)
                }
            }
            // A resent batch is stored as duplicates: nothing changes.
            let before = try await storage.healthInputs(answersSince: nil, recentSince: Fixtures.start)
            let resent = try await storage.ingest(
                try Fixtures.verified([response(1, account: "acme", nps: 10, csat: 5)], key: key), health: Fixtures.health, kiosk: "kiosk-1", at: now)
            #expect(resent.first?.status != .stored)
            #expect(try await storage.healthInputs(answersSince: nil, recentSince: Fixtures.start) == before)
        }
    }

    @Test(arguments: StorageBackend.available) func referencesMatchAccountsIgnoringCaseAndSpaces(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            _ = try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, tokenHash: nil, at: Fixtures.start)
            let csv = "id,name,owner\nACME,Acme AB,Anna Berg\n"
            _ = try await storage.importAccounts(try AccountCSV.parse(text: csv, file: "accounts.csv"), at: Fixtures.start)
            try await ingest([
                response(1, account: "ACME", nps: 10, csat: 5),
                response(2, account: "acme", nps: 0, csat: 1),     // staff typed it in lowercase
                response(3, account: " Acme ", nps: 8, csat: 4),   // a customer typed it at an account question
                response(4, account: "Blue  Sky", nps: 9, csat: 5),
                response(5, account: "blue sky", nps: 9, csat: 5),
            ], into: storage)
            let health = try await storage.accountHealth(model: HealthModel.builtIn, at: now)
            #expect(health.map(\.id).sorted() == ["ACME", "Blue  Sky"])
            let acme = try #require(health.first { $0.id == "ACME" })
            #expect(acme.responses == 3 && acme.imported && acme.name == "Acme AB")
            #expect(acme.components.first { $0.kind == .nps }?.count == 3)
            let sky = try #require(health.first { $0.id == "Blue  Sky" })
            #expect(sky.responses == 2 && !sky.imported)
        }
    }

    @Test(arguments: StorageBackend.available) func cesScaleComesFromTheDatabase(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            _ = try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, tokenHash: nil, at: Fixtures.start)
            let catalog = try Fixtures.catalog()
            let service = try #require(catalog.survey("service-visit"))
            let question = try #require(service.questions.first { $0.type == .ces })
            #expect(question.kind.scale == 1...5)
            var answer = Fixtures.response(sequence: 1, answers: [Answer(question: question.id, type: .ces, value: .number(4))])
            answer.survey = SurveyReference(id: service.id, version: service.version, digest: answer.survey.digest)
            answer.account = "acme"
            // As the ingestor stores it: with the scales of the survey version the collector checked it against.
            var item = try #require(try Fixtures.verified([answer], key: key).first)
            item.cesPoints = VerifiedItem.cesPoints(of: service)
            #expect(try await storage.ingest([item], health: Fixtures.health, kiosk: "kiosk-1", at: now).map(\.status) == [.stored])
            var model = HealthModel.builtIn
            model.nps.weight = 0
            model.csat.weight = 0
            model.engagement.weight = 0
            // The scale recorded at ingest, whatever folder the command runs in: (4 − 1) / (5 − 1), not the model's
            // 7-point (4 − 1) / 6.
            let health = try await storage.accountHealth(model: model, at: now)
            #expect(health.first?.score == 75)
            #expect(try await storage.healthInputs(answersSince: nil, recentSince: now)["acme"]?.ces.first?.points == 5)
            #expect(try await storage.healthInputsFromRawRows(answersSince: nil, recentSince: now)["acme"]?.ces.first?.points == 5)
        }
    }

    @Test(arguments: StorageBackend.available) func theAnswerWindowCountsExactlyItsDays(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage, _ in
            _ = try await storage.enroll(kiosk: "kiosk-1", site: "malmo", jwk: key.publicJWK, tokenHash: nil, at: Fixtures.start)
            // With a 2-day window at `now`, the day before `now` and `now`'s day count; the day before that does not.
            var old = response(1, account: "acme", nps: 0, csat: 1)
            old.completedAt = now.addingTimeInterval(-2 * 86_400)
            old.startedAt = old.completedAt.addingTimeInterval(-30)
            var inside = response(2, account: "acme", nps: 10, csat: 5)
            inside.completedAt = now.addingTimeInterval(-86_400)
            inside.startedAt = inside.completedAt.addingTimeInterval(-30)
            try await ingest([old, inside], into: storage)
            let since = HealthModel.windowStart(days: 2, now: now)
            let inputs = try await storage.healthInputs(answersSince: since, recentSince: since)
            #expect(inputs["acme"]?.nps == NPSResult(count: 1, promoters: 1, passives: 0, detractors: 0))
            #expect(try await storage.healthInputsFromRawRows(answersSince: since, recentSince: since)["acme"]?.nps.count == 1)
            // `resp` counts the same days as the components; without a window, all time.
            #expect(inputs["acme"]?.responses == 1)
            #expect(try await storage.healthInputsFromRawRows(answersSince: since, recentSince: since)["acme"]?.responses == 1)
            #expect(try await storage.healthInputs(answersSince: nil, recentSince: since)["acme"]?.responses == 2)
            #expect(try await storage.healthInputsFromRawRows(answersSince: nil, recentSince: since)["acme"]?.responses == 2)
        }
    }
}
