import Foundation

/// A seeded, deterministic random number generator (SplitMix64): the same seed gives the same demo data.
///
/// Not for cryptography: key material never comes from it.
public struct DemoRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A new generator whose stream depends on this one's seed and `label` only (not on how much was drawn).
    public static func derived(seed: UInt64, label: String) -> DemoRandom {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
        for byte in label.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        var mixer = DemoRandom(seed: seed ^ hash)
        return DemoRandom(seed: mixer.next())
    }

    /// True with probability `probability`.
    public mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < probability
    }

    /// One of `items`, picked with the given relative weights (all weights ≥ 0, at least one > 0).
    public mutating func pick<T>(_ items: [(T, Double)]) -> T {
        let total = items.reduce(0) { $0 + max($1.1, 0) }
        var point = Double.random(in: 0..<max(total, .leastNonzeroMagnitude), using: &self)
        for (item, weight) in items {
            point -= max(weight, 0)
            if point < 0 { return item }
        }
        return items[items.count - 1].0
    }

    /// A standard normal draw (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
