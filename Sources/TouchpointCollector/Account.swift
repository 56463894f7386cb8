import Foundation

/// A customer account as imported from the CRM (`touchpoint collector import-accounts`).
public struct Account: Sendable, Hashable, Codable {
    /// The account reference responses carry (`start SURVEY @ACCOUNT` at the kiosk).
    public var id: String
    /// The account's name.
    public var name: String
    /// Monthly recurring revenue, if known.
    public var mrr: Double?
    /// Annual recurring revenue (12 × ``mrr`` when only one was given), if known.
    public var arr: Double?
    /// The account's owner (a person), if known.
    public var owner: String?
    /// Meaningful interactions recorded in the CRM.
    public var interactions: Int
    /// The CRM's last interaction with the account, if known.
    public var lastInteractionAt: Date?

    /// Creates an account; `name` defaults to the id.
    public init(
        id: String, name: String? = nil, mrr: Double? = nil, arr: Double? = nil, owner: String? = nil,
        interactions: Int = 0, lastInteractionAt: Date? = nil
    ) {
        self.id = id
        self.name = name ?? id
        self.mrr = mrr
        self.arr = arr
        self.owner = owner
        self.interactions = interactions
        self.lastInteractionAt = lastInteractionAt
    }
}

extension Account {
    /// The form account references are matched in: surrounding spaces dropped, inner runs of spaces made one,
    /// lowercased. `ACME`, `acme` and ` Acme ` (typed by a customer at an account question) are one account.
    public static func matchingKey(_ reference: String) -> String {
        reference.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
    }
}

/// The parts of an account an import file gives; an upsert changes only these.
public enum AccountField: String, Sendable, Hashable, CaseIterable {
    /// ``Account/name``.
    case name
    /// ``Account/mrr`` and ``Account/arr`` (one derives the other).
    case revenue
    /// ``Account/owner``.
    case owner
    /// ``Account/interactions``.
    case interactions
    /// ``Account/lastInteractionAt``.
    case lastInteraction
}

/// Accounts read from a file, with the fields its columns gave.
public struct AccountImport: Sendable, Hashable {
    /// The accounts, in file order.
    public var accounts: [Account]
    /// The fields the file has columns for; other fields of existing accounts are kept.
    public var fields: Set<AccountField>

    /// Creates an import.
    public init(accounts: [Account], fields: Set<AccountField> = Set(AccountField.allCases)) {
        self.accounts = accounts
        self.fields = fields
    }
}

/// What an import changed.
public struct AccountImportSummary: Sendable, Hashable, Codable {
    /// Accounts that were not there before.
    public var inserted: Int
    /// Accounts that were there and were updated.
    public var updated: Int

    /// Creates a summary.
    public init(inserted: Int, updated: Int) {
        self.inserted = inserted
        self.updated = updated
    }
}
