import Foundation

/// Retry delays: exponential growth with full jitter, capped, and a server's `Retry-After` when it sends one.
///
/// Attempt `n` (1-based) waits a uniformly random time in `0 … min(cap, base × factorⁿ⁻¹)` ("full jitter"),
/// so many kiosks coming back online at once spread their retries. The random source is injected so
/// that tests can replay a schedule.
public struct Backoff: Sendable {
    /// The ceiling of the first attempt's delay.
    public var base: Duration
    /// How much the ceiling grows per attempt.
    public var factor: Double
    /// The largest computed delay.
    public var cap: Duration
    /// The longest `Retry-After` honoured; longer ones are cut to this.
    public var retryAfterCap: Duration

    private var random: any RandomNumberGenerator & Sendable

    /// Creates a schedule; the defaults are 1 s, ×2, capped at 300 s, `Retry-After` up to an hour.
    public init(
        base: Duration = .seconds(1), factor: Double = 2, cap: Duration = .seconds(300),
        retryAfterCap: Duration = .seconds(3600),
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) {
        self.base = base
        self.factor = factor
        self.cap = cap
        self.retryAfterCap = retryAfterCap
        self.random = random
    }

    /// The largest delay attempt `attempt` (1-based) may wait: `min(cap, base × factor^(attempt−1))`.
    public func ceiling(forAttempt attempt: Int) -> Duration {
        let exponent = Double(max(attempt, 1) - 1)
        let grown = base.seconds * pow(max(factor, 1), exponent)
        return .seconds(min(cap.seconds, grown.isFinite ? grown : cap.seconds))
    }

    /// The delay before retry number `attempt` (1-based): `retryAfter` (capped at ``retryAfterCap``) when the
    /// server sent one, otherwise a random time up to ``ceiling(forAttempt:)``.
    public mutating func delay(forAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        if let retryAfter {
            return max(.zero, min(retryAfter, retryAfterCap))
        }
        let ceiling = ceiling(forAttempt: attempt).seconds
        guard ceiling > 0 else { return .zero }
        // 53 random bits scaled to 0 ..< ceiling.
        let jittered = Double(random.next() >> 11) * 0x1.0p-53 * ceiling
        return .milliseconds(Int64((jittered * 1000).rounded()))
    }

    /// Parses an HTTP `Retry-After` value: delay seconds (`120`) or an HTTP-date
    /// (`Sun, 06 Nov 1994 08:49:37 GMT`, or the obsolete RFC 850 and asctime forms), relative to `now`.
    ///
    /// A date in the past gives zero; anything else unreadable gives nil.
    public static func retryAfter(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // More digits than fit are "a very long time"; the cap applies later.
            return .seconds(Int64(text.prefix(15)) ?? 0)
        }
        for format in httpDateFormats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) {
                let seconds = date.timeIntervalSince(now)
                return seconds > 0 ? .milliseconds(Int64((seconds * 1000).rounded())) : .zero
            }
        }
        return nil
    }

    /// IMF-fixdate, RFC 850 and asctime (RFC 9110 §5.6.7).
    private static let httpDateFormats = [
        "EEE, dd MMM yyyy HH:mm:ss 'GMT'",
        "EEEE, dd-MMM-yy HH:mm:ss 'GMT'",
        "EEE MMM d HH:mm:ss yyyy",
    ]
}

extension Duration {
    /// The duration in seconds as a `Double`.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
