/// A health zone: red (at risk), yellow (watch) or green (healthy).
public enum HealthZone: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    case red, yellow, green

    /// Red < yellow < green.
    public static func < (lhs: HealthZone, rhs: HealthZone) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .red: 0
        case .yellow: 1
        case .green: 2
        }
    }

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

    /// Whether the account got healthier.
    public var isImprovement: Bool { to > from }

    /// `green -> yellow`, as written in a health model's playbook.
    public var description: String { "\(from) -> \(to)" }
}
