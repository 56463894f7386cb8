import Foundation
import TouchpointCore
import TouchpointStore

/// The demo data set: the kiosks, and every kiosk's responses as drafts, oldest first.
///
/// Pure: ``generate(surveys:configuration:now:)`` depends only on its arguments, so the same seed, clock and
/// surveys give the same drafts. Writing, enrolling and syncing them is ``DemoBuilder``'s job.
public struct DemoDataSet: Sendable {
    /// The app version recorded in demo responses (the kiosk's).
    public static let appVersion = "0.1.0"

    /// The kiosks, in site order.
    public var kiosks: [DemoKiosk]
    /// The drafts per kiosk id, sorted by completion time (so sequence numbers follow time).
    public var drafts: [String: [ResponseDraft]]
    /// The accounts responses refer to.
    public var accounts: [DemoAccount]
    /// The oldest time a response may have.
    public var periodStart: Date
    /// The clock's "now" the data set was generated at.
    public var now: Date

    /// How many drafts there are in total.
    public var count: Int { drafts.values.reduce(0) { $0 + $1.count } }

    /// All drafts, kiosk by kiosk.
    public var allDrafts: [ResponseDraft] { kiosks.flatMap { drafts[$0.id] ?? [] } }

    /// Generates `configuration.responses` responses over the last `configuration.months` calendar months up
    /// to `now` (the current month included),
    /// answering `surveys` (one per touchpoint: the first survey whose touchpoint is the kiosk's).
    ///
    /// Every draft comes out of a real ``SurveySession`` fed typed input, so it respects `when:` branching,
    /// required questions and scales exactly as a kiosk's would. Throws ``DemoError`` if the configuration is
    /// out of range, no survey matches a demo touchpoint, or a survey asks something the generator cannot answer.
    public static func generate(surveys: [Survey], configuration: DemoConfiguration, now: Date) throws -> DemoDataSet {
        try configuration.validate()
        var references: [String: SurveyReference] = [:]
        var kiosks: [DemoKiosk] = []
        for site in configuration.sites {
            for touchpoint in site.touchpoints {
                guard let survey = surveys.first(where: { $0.touchpoint == touchpoint }) else { continue }
                if references[survey.id] == nil {
                    references[survey.id] = SurveyReference(id: survey.id, version: survey.version, digest: try SurveyDigest.digest(of: survey))
                }
                kiosks.append(DemoKiosk(id: "\(site.id)-\(touchpoint)", site: site, touchpoint: touchpoint, survey: survey.id))
            }
        }
        guard !kiosks.isEmpty else {
            let wanted = Set(configuration.sites.flatMap(\.touchpoints)).sorted().joined(separator: ", ")
            throw DemoError(.invalidConfiguration, "no survey has one of the demo touchpoints (\(wanted))")
        }
        let surveysByID = Dictionary(surveys.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        // The current month and the months - 1 before it, from the first of the month: whole months in reports.
        let thisMonth = calendar.date(from: calendar.dateComponents([.year, .month], from: now)) ?? now
        let firstDay = calendar.date(byAdding: .month, value: 1 - configuration.months, to: thisMonth)
            ?? now.addingTimeInterval(-Double(configuration.months) * 30.44 * 86_400)
        // Early on the first of a month, one month would leave no time for visits: reach back two days at least.
        let start = min(firstDay, now.addingTimeInterval(-2 * 86_400))
        let clock = DemoCalendar(calendar: calendar, start: start, now: now)

        var random = DemoRandom(seed: configuration.seed)
        let kioskWeights = kiosks.map { ($0, $0.site.traffic * Self.traffic[$0.touchpoint, default: 1]) }
        var drafts: [String: [ResponseDraft]] = [:]
        for _ in 0..<configuration.responses {
            let kiosk = random.pick(kioskWeights)
            guard let survey = surveysByID[kiosk.survey], let reference = references[kiosk.survey] else { continue }
            let startedAt = clock.randomVisit(using: &random)
            let respondent = DemoRespondent.make(
                kiosk: kiosk, at: startedAt, clock: clock, accounts: configuration.accounts, using: &random)
            let draft = try respondent.answer(survey, reference: reference, kiosk: kiosk, startedAt: startedAt, using: &random)
            drafts[kiosk.id, default: []].append(draft)
        }
        for (kiosk, list) in drafts {
            // A stable sort keeps generation order for equal times, so the result is deterministic.
            drafts[kiosk] = list.enumerated().sorted {
                ($0.element.completedAt, $0.offset) < ($1.element.completedAt, $1.offset)
            }.map(\.element)
        }
        return DemoDataSet(
            kiosks: kiosks.filter { drafts[$0.id] != nil }, drafts: drafts, accounts: configuration.accounts,
            periodStart: start, now: now)
    }

    /// Relative traffic per touchpoint: service visits are the most frequent, deliveries the least.
    static let traffic: [String: Double] = ["retail": 1.0, "service": 1.3, "test-drive": 0.55, "delivery": 0.4]

    private init(kiosks: [DemoKiosk], drafts: [String: [ResponseDraft]], accounts: [DemoAccount], periodStart: Date, now: Date) {
        self.kiosks = kiosks
        self.drafts = drafts
        self.accounts = accounts
        self.periodStart = periodStart
        self.now = now
    }
}
