import Foundation

/// An account's zone and score as recorded by one `touchpoint health` run; the next run compares against it.
public struct HealthSnapshot: Sendable, Hashable, Codable {
    /// The account id.
    public var account: String
    /// The zone then.
    public var zone: HealthZone
    /// The score then (0–100).
    public var score: Double
    /// When it was computed.
    public var at: Date

    /// Creates a snapshot.
    public init(account: String, zone: HealthZone, score: Double, at: Date) {
        self.account = account
        self.zone = zone
        self.score = score
        self.at = at
    }
}
