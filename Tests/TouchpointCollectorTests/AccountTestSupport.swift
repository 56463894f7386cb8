import Foundation
import TouchpointCollector
import TouchpointCore
import TouchpointStore

/// The accounts' part of the always-failing storage (declared in CollectorRouterTests.swift).
extension FailingStorage {
    func importAccounts(_ accounts: AccountImport, at date: Date) async throws -> AccountImportSummary { throw fail() }
    func accounts() async throws -> [Account] { throw fail() }
    func healthInputs(answersSince: Date?, recentSince: Date) async throws -> [String: HealthInputs] { throw fail() }
    func recordHealthSnapshots(_ snapshots: [HealthSnapshot]) async throws { throw fail() }
    func latestHealthSnapshots() async throws -> [String: HealthSnapshot] { throw fail() }
}
