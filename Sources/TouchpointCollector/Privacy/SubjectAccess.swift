import Foundation
import TouchpointCore

/// What the collector's tables hold about one account: its responses (with every answer) and its health history.
public struct AccountRecords: Sendable, Hashable {
    /// The responses carrying the account reference (any case and spacing), oldest first.
    public var responses: [SurveyResponse]
    /// The account's health snapshots, oldest first.
    public var health: [HealthSnapshot]

    /// Creates the records.
    public init(responses: [SurveyResponse] = [], health: [HealthSnapshot] = []) {
        self.responses = responses
        self.health = health
    }
}

/// The answer to a subject-access request about an account (`touchpoint collector subject-access --account ACC`):
/// everything held about it, unmasked (it goes to the data subject).
public struct SubjectAccessReport: Sendable, Encodable {
    /// A comment (free-text answer) of one of the account's responses.
    public struct Comment: Sendable, Hashable, Encodable {
        /// The response.
        public var responseID: String
        /// When it was written.
        public var completedAt: Date
        /// The question's id.
        public var question: String
        /// What was written.
        public var text: String
    }

    /// The account reference asked about.
    public var account: String
    /// When this was written.
    public var generatedAt: Date
    /// The account's row from the CRM import, if any.
    public var crm: Account?
    /// Every response carrying the account reference, with all its answers.
    public var responses: [SurveyResponse]
    /// The comments of those responses (also among their answers), for reading.
    public var comments: [Comment]
    /// The account's health history (zone and score per `touchpoint health` run).
    public var healthHistory: [HealthSnapshot]
    /// The follow-up cases opened for those responses, with their history and notes.
    public var cases: [FollowUpCase]
    /// What the retention policy has already removed, if anything ("comments before …").
    public var removedByRetention: String?

    /// Gathers everything `storage` holds about `account`.
    public static func gather(account: String, from storage: any CollectorStorage, at date: Date) async throws -> SubjectAccessReport {
        let key = Account.matchingKey(account)
        let records = try await storage.accountRecords(account)
        var cases: [FollowUpCase] = []
        for response in records.responses {
            if let followUp = try await storage.followUpCase(response.id) { cases.append(followUp) }
        }
        let comments = records.responses.flatMap { response in
            response.answers.compactMap { answer -> Comment? in
                guard case .text(let text) = answer.value else { return nil }
                return Comment(responseID: response.id, completedAt: response.completedAt, question: answer.question, text: text)
            }
        }
        let horizons = try await storage.retentionHorizons()
        return SubjectAccessReport(
            account: account, generatedAt: date,
            crm: try await storage.accounts().first { Account.matchingKey($0.id) == key },
            responses: records.responses, comments: comments, healthHistory: records.health, cases: cases,
            removedByRetention: horizons.isEmpty ? nil : horizons.description)
    }
}
