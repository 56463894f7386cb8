import Foundation

/// The demo period and when customers visit: opening hours, fewer visits on Sundays, a growing volume.
struct DemoCalendar: Sendable {
    let calendar: Calendar
    /// The oldest possible visit.
    let start: Date
    /// The clock's now; every visit ends before it.
    let now: Date

    /// How far through the period `date` is: 0 at the start, 1 now.
    func progress(_ date: Date) -> Double {
        let span = now.timeIntervalSince(start)
        guard span > 0 else { return 1 }
        return min(max(date.timeIntervalSince(start) / span, 0), 1)
    }

    /// The calendar month (1–12) of `date`.
    func month(_ date: Date) -> Int {
        calendar.component(.month, from: date)
    }

    /// The start of the month `months` months before now's.
    func monthsAgo(_ months: Int) -> Date {
        calendar.date(byAdding: .month, value: -months, to: now) ?? now
    }

    /// A visit time: a day in the period (later days a little busier), during opening hours (07–18 UTC),
    /// at least an hour before now.
    func randomVisit(using random: inout DemoRandom) -> Date {
        let dayStart = calendar.startOfDay(for: start)
        let days = max(1, Int(now.timeIntervalSince(dayStart) / 86_400))
        var candidate = start
        for _ in 0..<8 {
            // Volume grows by about 40% over the period: accept later days more often.
            var fraction = Double.random(in: 0..<1, using: &random)
            while !random.chance((1 + 0.4 * fraction) / 1.4) {
                fraction = Double.random(in: 0..<1, using: &random)
            }
            let day = dayStart.addingTimeInterval(Double(Int(fraction * Double(days))) * 86_400)
            candidate = day.addingTimeInterval(7 * 3600 + Double.random(in: 0..<(11 * 3600), using: &random))
            while candidate > now.addingTimeInterval(-3600) { candidate.addTimeInterval(-86_400) }
            if candidate < start { continue }
            if calendar.component(.weekday, from: candidate) == 1, random.chance(0.7) { continue }  // Sunday
            return candidate
        }
        return max(candidate, start)
    }
}
