/// A health zone: red (at risk), yellow (watch) or green (healthy).
public enum HealthZone: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// In this order, worst first (`allCases` orders lists of accounts).
    case red, yellow, green

    /// The zone's name (`red`, `yellow`, `green`).
    public var description: String { rawValue }
}

/// A change of zone between two health computations, e.g. green → yellow.
public struct ZoneMove: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The zone before.
    public var from: HealthZone
    /// The zone now.
    public var to: HealthZone

    /// Creates a move.
    public init(from: HealthZone, to: HealthZone) {
        self.from = from
        self.to = to
    }

    /// `green -> yellow`, as written in a health model's playbook.
    public var description: String { "\(from) -> \(to)" }
}
