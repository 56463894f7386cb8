import Foundation
import Testing
import TouchpointCollector
import TouchpointCore

@Suite("Health scoring")
struct HealthScoringTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let model = HealthModel.builtIn

    func days(_ count: Double) -> Date { now.addingTimeInterval(-count * 86_400) }

    /// NPS 40 (n=10), CES mean 5.5 on 7 points (n=4), CSAT 80 % (n=5), last response 30 days ago, 2 recent responses + 1 interaction.
    var full: HealthInputs {
        HealthInputs(
            nps: NPSResult(count: 10, promoters: 6, passives: 2, detractors: 2),
            ces: [CESInput(points: 7, result: CESResult(count: 4, sum: 22))],
            csat: CSATResult(count: 5, satisfied: 4),
            responses: 12, recentResponses: 2, lastResponseAt: days(30), interactions: 1)
    }

    @Test func everyComponentAgainstHandComputedValues() throws {
        let health = model.score(full, now: now)
        // NPS 40 → (40 + 100) / 2 = 70; CES (5.5 − 1) / 6 = 75 %; CSAT 80; engagement: recency 50 (one
        // half-life), frequency 3 of 6 = 50 → 50. Weights .35/.15/.2/.3 sum to 1:
        // .35·70 + .15·75 + .2·80 + .3·50 = 24.5 + 11.25 + 16 + 15 = 66.75.
        let score = try #require(health.score)
        #expect(abs(score - 66.75) < 1e-9)
        #expect(health.zone == .yellow)
        let nps = try #require(health.component(.nps))
        #expect(nps.raw == 40)
        #expect(nps.value == 70)
        #expect(abs(nps.contribution - 24.5) < 1e-9)
        #expect(abs(nps.share - 0.35) < 1e-9)
        #expect(health.component(.ces)?.value == 75)
        #expect(health.component(.ces)?.raw == 5.5)
        #expect(abs((health.component(.csat)?.contribution ?? 0) - 16) < 1e-9)
        let engagement = try #require(health.component(.engagement))
        #expect(abs((engagement.value ?? 0) - 50) < 1e-9)
        #expect(engagement.count == 3)
        let sum = health.components.reduce(0) { $0 + $1.contribution }
        #expect(abs(sum - score) < 1e-9)
    }

    @Test func anAccountWithNoDataIsNotScoredButOneWithOnlyCRMInteractionsIs() throws {
        let nothing = model.score(HealthInputs(), now: now)
        #expect(nothing.score == nil && nothing.zone == nil)
        let onlyCRM = model.score(HealthInputs(interactions: 2, lastInteractionAt: days(1)), now: now)
        #expect(onlyCRM.score != nil && onlyCRM.zone != nil)
    }

    @Test func cesOverMixedScalesHasNoMeanOnlyItsValue() throws {
        // 4 of 1–5 is (4 − 1) / 4 = 75 %, 7 of 1–7 is 100 %: the value is their answer-weighted share, 87.5.
        let inputs = HealthInputs(ces: [
            CESInput(points: 5, result: CESResult(count: 1, sum: 4)), CESInput(points: 7, result: CESResult(count: 1, sum: 7)),
        ])
        let ces = try #require(model.score(inputs, now: now).component(.ces))
        #expect(ces.raw == nil)
        #expect(ces.value == 87.5)
        #expect(ces.detail == "CES 87.5/100 over 1–5 and 1–7 scales, no mean (n=2)")
        let single = try #require(model.score(HealthInputs(ces: [CESInput(points: 5, result: CESResult(count: 2, sum: 7))]), now: now)
            .component(.ces))
        #expect(single.raw == 3.5 && single.detail == "CES 3.5/5 (n=2)")
    }

    @Test func aWindowOfWDaysIsExactlyTheLastWDaysTodayIncluded() throws {
        let calendar = Calendar(identifier: .gregorian)
        var utc = calendar
        utc.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let evening = try #require(utc.date(from: DateComponents(year: 2026, month: 11, day: 30, hour: 18)))
        let start = HealthModel.windowStart(days: 90, now: evening)
        #expect(utc.dateComponents([.year, .month, .day], from: start) == DateComponents(year: 2026, month: 9, day: 2))
        // Counting days from the start's day through today gives exactly 90.
        let first = utc.startOfDay(for: start)
        #expect(utc.dateComponents([.day], from: first, to: utc.startOfDay(for: evening)).day == 89)
        #expect(HealthModel.windowStart(days: 1, now: evening) == evening)
    }

    @Test func missingComponentsAreRenormalisedOverThePresentOnes() throws {
        var inputs = full
        inputs.ces = []
        inputs.csat = Scoring.csat([])
        let health = model.score(inputs, now: now)
        // (.35·70 + .3·50) / .65 = 39.5 / .65
        let score = try #require(health.score)
        #expect(abs(score - 39.5 / 0.65) < 1e-9)
        #expect(health.zone == .yellow)
        let ces = try #require(health.component(.ces))
        #expect(ces.value == nil)
        #expect(ces.share == 0)
        #expect(ces.contribution == 0)
        #expect(abs((health.component(.nps)?.share ?? 0) - 0.35 / 0.65) < 1e-9)
    }

    @Test func aMissingComponentCanHaveAStandInValue() throws {
        var inputs = full
        inputs.ces = []
        inputs.csat = Scoring.csat([])
        var standIn = model
        standIn.missing = .value(50)
        let health = standIn.score(inputs, now: now)
        // .35·70 + .15·50 + .2·50 + .3·50 = 24.5 + 7.5 + 10 + 15
        #expect(abs((health.score ?? 0) - 57) < 1e-9)
        #expect(health.component(.ces)?.substituted == true)
        #expect(health.component(.nps)?.substituted == false)
    }

    @Test func tooFewAnswersCountAsMissing() {
        var strict = model
        strict.minimumAnswers = 11
        let health = strict.score(full, now: now)
        #expect(health.component(.nps)?.value == nil)
        #expect(health.component(.csat)?.value == nil)
        #expect(health.component(.engagement)?.value != nil)
        #expect(abs((health.score ?? 0) - 50) < 1e-9)  // engagement alone
    }

    @Test func cesOnMixedScalesUsesEachQuestionsScale() {
        let inputs = HealthInputs(ces: [
            CESInput(points: 5, result: CESResult(count: 2, sum: 8)),     // (8 − 2) / 4 = 1.5 answers' worth
            CESInput(points: nil, result: CESResult(count: 2, sum: 14)),  // model scale 7: (14 − 2) / 6 = 2
        ])
        let health = model.score(inputs, now: now)
        #expect(health.component(.ces)?.value == 87.5)
    }

    @Test func zoneThresholdsAreInclusiveLowerBounds() {
        let zones = model.zones
        #expect(zones.green == 70 && zones.yellow == 45)
        #expect(zones.zone(of: 100) == .green)
        #expect(zones.zone(of: 70) == .green)
        #expect(zones.zone(of: 69.99) == .yellow)
        #expect(zones.zone(of: 45) == .yellow)
        #expect(zones.zone(of: 44.99) == .red)
        #expect(zones.zone(of: 0) == .red)
    }

    @Test func rangesClampAndEngagementUsesTheLatestActivity() throws {
        var narrow = model
        narrow.nps = HealthModel.RangeComponent(weight: 1, low: 0, high: 50)
        narrow.ces.weight = 0
        narrow.csat.weight = 0
        narrow.engagement.weight = 0
        #expect(narrow.score(full, now: now).score == 80)  // NPS 40 of 0…50
        var inputs = full
        inputs.nps = NPSResult(count: 1, promoters: 1, passives: 0, detractors: 0)
        #expect(narrow.score(inputs, now: now).score == 100)  // NPS 100, clamped

        // A CRM interaction yesterday is more recent than the response 30 days ago.
        inputs.lastInteractionAt = days(0)
        let engagement = try #require(model.score(inputs, now: now).component(.engagement))
        #expect(abs((engagement.value ?? 0) - 75) < 1e-9)  // recency 100, frequency 50
    }

    @Test func noDataAndNoEngagementWeightMeansNoScore() {
        var surveysOnly = model
        surveysOnly.engagement.weight = 0
        let health = surveysOnly.score(HealthInputs(), now: now)
        #expect(health.score == nil && health.zone == nil)
    }
}
