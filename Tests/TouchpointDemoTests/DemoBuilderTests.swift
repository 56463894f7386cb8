import Foundation
import Logging
import Testing
import TouchpointCollector
import TouchpointCore
import TouchpointStore
@testable import TouchpointDemo
import TouchpointJOSE
import TouchpointCollectorSQLite

let quietLogger = Logger(label: "touchpoint-demo-tests") { _ in SwiftLogNoOpLogHandler() }

/// A fresh directory under the system temp directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("touchpoint-demo-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url)
}

@Suite("Demo builder")
struct DemoBuilderTests {
    @Test("a small demo goes through the kiosk store, sync and collector: every response stored, no gaps")
    func smallDemo() async throws {
        try await withTemporaryDirectory { directory in
            let output = directory.appendingPathComponent("demo", isDirectory: true)
            let configuration = DemoConfiguration(responses: 150, months: 2, seed: 3)
            let options = DemoBuilder.Options(output: output, surveysDirectory: bundledSurveys, generation: configuration)
            let summary = try await DemoBuilder(options: options, logger: quietLogger, now: { fixedNow }).build()
            #expect(summary.generated == 150)
            #expect(summary.stored == 150)
            #expect(summary.kiosks.allSatisfy { $0.sync.stored == $0.generated && $0.sync.rejected == 0 })

            let expected = try DemoDataSet.generate(surveys: try bundledCatalog(), configuration: configuration, now: fixedNow)
            let storage = try SQLiteCollectorStorage(path: options.database.path, logger: quietLogger)
            defer { try? storage.close() }
            let records = try await storage.kiosks()
            #expect(records.map(\.id) == expected.kiosks.map(\.id).sorted())
            for record in records {
                let count = try #require(expected.drafts[record.id]).count
                #expect(record.responseCount == count)
                #expect(record.highestSequence == UInt64(count))
                #expect(record.gaps.isEmpty)
            }

            // The kiosk files: all sent, ids time-ordered by completion and numbered in that order.
            for kiosk in expected.kiosks {
                let responses = options.kioskDirectory(kiosk.id).appendingPathComponent("responses")
                #expect(try ResponseFile.scan(responses.appendingPathComponent("pending")).isEmpty)
                let sent = try ResponseFile.scan(responses.appendingPathComponent("sent"))
                let payloads = try sent.map { try SurveyResponse.decode(try FlattenedJWS.parse(Data(contentsOf: $0)).unverifiedPayload()) }
                #expect(payloads.map(\.sequence) == Array(1...UInt64(payloads.count)))
                for payload in payloads {
                    let idTime = try #require(UUIDv7.date(of: payload.id))
                    #expect(abs(idTime.timeIntervalSince(payload.completedAt)) < 0.002)
                }
                #expect(payloads.map(\.completedAt) == expected.drafts[kiosk.id]?.map { Timestamp.date(Timestamp.string($0.completedAt)) ?? $0.completedAt })
            }

            let csv = try String(contentsOf: options.accountsFile, encoding: .utf8)
            #expect(csv.split(separator: "\n").count == 26)
            #expect(summary.importedAccounts == 25)
            let accounts = try await storage.accounts()
            #expect(accounts.map(\.id) == DemoAccount.all.map(\.id))
            #expect(accounts.first?.mrr == 84_000)

            // The directory exists now: refused without force.
            await #expect(throws: DemoError.self) {
                _ = try await DemoBuilder(options: options, logger: quietLogger, now: { fixedNow }).build()
            }
        }
    }

    @Test("force never replaces a directory that is not a demo directory")
    func forceRefusesForeignDirectory() async throws {
        try await withTemporaryDirectory { directory in
            let output = directory.appendingPathComponent("precious", isDirectory: true)
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            try Data("keep me".utf8).write(to: output.appendingPathComponent("notes.txt"))
            let options = DemoBuilder.Options(
                output: output, surveysDirectory: bundledSurveys, force: true,
                generation: DemoConfiguration(responses: 10, months: 1))
            do {
                _ = try await DemoBuilder(options: options, logger: quietLogger, now: { fixedNow }).build()
                Issue.record("the build replaced a foreign directory")
            } catch let error as DemoError {
                #expect(error.code == .outputExists)
            }
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("notes.txt").path))
        }
    }
}
