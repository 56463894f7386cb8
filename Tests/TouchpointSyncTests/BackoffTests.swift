import Foundation
import Testing
@testable import TouchpointSync
import TouchpointProtocol

@Suite("Backoff")
struct BackoffTests {
    @Test("the ceiling doubles from 1 s and stops at the 300 s cap")
    func ceilingGrowsToCap() {
        let backoff = Backoff()
        #expect(backoff.ceiling(forAttempt: 1) == .seconds(1))
        #expect(backoff.ceiling(forAttempt: 2) == .seconds(2))
        #expect(backoff.ceiling(forAttempt: 3) == .seconds(4))
        #expect(backoff.ceiling(forAttempt: 9) == .seconds(256))
        #expect(backoff.ceiling(forAttempt: 10) == .seconds(300))
        #expect(backoff.ceiling(forAttempt: 100) == .seconds(300))
        #expect(backoff.ceiling(forAttempt: 100_000) == .seconds(300))
        #expect(backoff.ceiling(forAttempt: 0) == .seconds(1))
    }

    @Test("a configured base, factor and cap are used")
    func configuredSchedule() {
        let backoff = Backoff(base: .milliseconds(500), factor: 3, cap: .seconds(10))
        #expect(backoff.ceiling(forAttempt: 1) == .milliseconds(500))
        #expect(backoff.ceiling(forAttempt: 2) == .milliseconds(1500))
        #expect(backoff.ceiling(forAttempt: 3) == .milliseconds(4500))
        #expect(backoff.ceiling(forAttempt: 4) == .seconds(10))
    }

    @Test("every jittered delay lies between zero and its attempt's ceiling")
    func delaysWithinBounds() {
        var backoff = Backoff(random: SeededGenerator(state: 7))
        for attempt in 1...20 {
            for _ in 0..<200 {
                let delay = backoff.delay(forAttempt: attempt)
                #expect(delay >= .zero)
                #expect(delay <= backoff.ceiling(forAttempt: attempt))
            }
        }
    }

    @Test("delays grow with the attempt on average (full jitter: mean is half the ceiling), then level at the cap")
    func delaysGrow() {
        var backoff = Backoff(random: SeededGenerator(state: 11))
        var means: [Double] = []
        for attempt in 1...12 {
            let samples = (0..<2000).map { _ in backoff.delay(forAttempt: attempt).seconds }
            let mean = samples.reduce(0, +) / Double(samples.count)
            let half = backoff.ceiling(forAttempt: attempt).seconds / 2
            #expect(abs(mean - half) < half * 0.08, "attempt \(attempt): mean \(mean), expected about \(half)")
            means.append(mean)
        }
        for index in 1..<9 {
            #expect(means[index] > means[index - 1] * 1.6)
        }
        #expect(means[11] < 160)
    }

    @Test("the same seed gives the same schedule; another seed another one")
    func jitterIsDeterministic() {
        var first = Backoff(random: SeededGenerator(state: 42))
        var second = Backoff(random: SeededGenerator(state: 42))
        var other = Backoff(random: SeededGenerator(state: 43))
        let a = (1...10).map { first.delay(forAttempt: $0) }
        let b = (1...10).map { second.delay(forAttempt: $0) }
        let c = (1...10).map { other.delay(forAttempt: $0) }
        #expect(a == b)
        #expect(a != c)
    }

    @Test("a Retry-After replaces the computed delay, capped at an hour")
    func retryAfterWins() {
        var backoff = Backoff(random: SeededGenerator(state: 1))
        #expect(backoff.delay(forAttempt: 1, retryAfter: .seconds(7)) == .seconds(7))
        #expect(backoff.delay(forAttempt: 9, retryAfter: .zero) == .zero)
        #expect(backoff.delay(forAttempt: 1, retryAfter: .seconds(7200)) == .seconds(3600))
        var short = Backoff(retryAfterCap: .seconds(30))
        #expect(short.delay(forAttempt: 1, retryAfter: .seconds(31)) == .seconds(30))
    }

    @Test("Retry-After in seconds")
    func retryAfterSeconds() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(Backoff.retryAfter("120", now: now) == .seconds(120))
        #expect(Backoff.retryAfter(" 5 ", now: now) == .seconds(5))
        #expect(Backoff.retryAfter("0", now: now) == .zero)
        #expect((Backoff.retryAfter("99999999999999999999999", now: now) ?? .zero) > .seconds(3600))
        #expect(Backoff.retryAfter("-5", now: now) == nil)
        #expect(Backoff.retryAfter("1.5", now: now) == nil)
        #expect(Backoff.retryAfter("soon", now: now) == nil)
        #expect(Backoff.retryAfter("", now: now) == nil)
    }

    @Test("Retry-After as an HTTP-date, in all three forms; a past date means now")
    func retryAfterDate() throws {
        // Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
        let date = Date(timeIntervalSince1970: 784_111_777)
        let now = date.addingTimeInterval(-30)
        #expect(Backoff.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(30))
        #expect(Backoff.retryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == .seconds(30))
        #expect(Backoff.retryAfter("Sun Nov  6 08:49:37 1994", now: now) == .seconds(30))
        #expect(Backoff.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: date.addingTimeInterval(60)) == .zero)
        #expect(Backoff.retryAfter("Sun, 06 Nov 1994 08:49 GMT", now: now) == nil)
    }
}
