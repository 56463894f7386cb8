import Foundation
import TouchpointCollector
import TouchpointCore

extension FailingStorage {
    func cases(_ query: CaseQuery) async throws -> [FollowUpCase] { throw fail() }
    func followUpCase(_ id: String) async throws -> FollowUpCase? { throw fail() }
    func changeCase(_ id: String, _ change: CaseChange, by actor: String, at date: Date) async throws -> FollowUpCase { throw fail() }
    func noticeOverdueCases(rules: CaseRules, links: CaseLinks?, at date: Date) async throws -> [FollowUpCase] { throw fail() }
}

extension FailingStorage {
    func choiceReport(_ query: ReportQuery) async throws -> ChoiceReport { throw fail() }
}

extension FailingStorage {
    func responsesPerHour(_ selection: AnswerSelection) async throws -> [Date: Int] { throw fail() }
}

extension FailingStorage {
    func erase(_ request: ErasureRequest, by actor: String, at date: Date, dryRun: Bool) async throws -> ErasureSummary { throw fail() }
    func erasures() async throws -> [ErasureRecord] { throw fail() }
    func prune(_ horizons: RetentionHorizons, by actor: String, at date: Date, dryRun: Bool) async throws -> ErasureSummary { throw fail() }
    func retentionHorizons() async throws -> RetentionHorizons { throw fail() }
    func accountRecords(_ account: String) async throws -> AccountRecords { throw fail() }
    func accountKey(_ reference: String) -> String { Account.matchingKey(reference) }
    func personalDataCounts(_ selection: AnswerSelection) async throws -> [PersonalData.Kind: Int] { throw fail() }
}
