import Foundation
import TouchpointCore

/// One demo customer: how they feel about the visit and how they answer, decided before the survey starts.
struct DemoRespondent: Sendable {
    /// Promoter, passive or detractor: drives every score and comment.
    enum Mood: Sendable { case promoter, passive, detractor }

    var mood: Mood
    var nps: Int
    var csat: Int
    /// How easy the visit felt, 0 (very hard) to 1 (very easy).
    var ease: Double
    var language: String
    var account: String?
    /// Answers much faster than a person reads (the kiosk marks the response suspect).
    var hurried: Bool
    /// Walks away after this many answers (nil: finishes).
    var abandonsAfter: Int?
    /// How far through the demo period the visit is (0–1).
    var progress: Double
    /// The kiosk's touchpoint: picks the comments.
    var touchpoint: String

    /// Base quality per touchpoint: retail does well, service less so.
    static let baseQuality: [String: Double] = ["retail": 0.35, "test-drive": 0.3, "delivery": 0.4, "service": -0.3]

    /// The improvement every site shares over the period (a company-wide programme), on top of each site's trend.
    static let companyTrend = 0.35

    /// Draws a respondent for a visit to `kiosk` at `date`.
    static func make(kiosk: DemoKiosk, at date: Date, clock: DemoCalendar, accounts: [DemoAccount],
                     using random: inout DemoRandom) -> DemoRespondent {
        let progress = clock.progress(date)
        let language = random.chance(0.7) ? "sv" : "en"
        var account: DemoAccount?
        let accountShare = ["service": 0.45, "delivery": 0.3, "retail": 0.22, "test-drive": 0.3][kiosk.touchpoint, default: 0.25]
        if random.chance(accountShare) {
            let active = accounts.filter { $0.silentMonths == 0 || date < clock.monthsAgo($0.silentMonths) }
            if !active.isEmpty { account = random.pick(active.map { ($0, $0.activity) }) }
        }
        var quality = baseQuality[kiosk.touchpoint, default: 0] + kiosk.site.quality + kiosk.site.trend * (progress - 0.5)
        quality += companyTrend * (progress - 0.5) + 1.3 * (account?.mood ?? 0)
        // Tyre-change season crowds the service centres in April and November.
        if kiosk.touchpoint == "service", [4, 11].contains(clock.month(date)) { quality -= 0.25 }
        let promoters = min(max(0.48 + 0.28 * quality, 0.05), 0.9)
        let detractors = min(max(0.17 - 0.17 * quality, 0.03), 0.7)
        let mood = random.pick([(Mood.promoter, promoters), (.passive, max(1 - promoters - detractors, 0.05)),
                                (.detractor, detractors)])
        let nps: Int
        let csat: Int
        let ease: Double
        switch mood {
        case .promoter:
            nps = random.pick([(9, 1.0), (10, 1.15)])
            csat = random.pick([(5, 0.68), (4, 0.28), (3, 0.04)])
            ease = min(max(0.85 + 0.12 * random.normal(), 0), 1)
        case .passive:
            nps = random.pick([(7, 1.0), (8, 1.3)])
            csat = random.pick([(5, 0.2), (4, 0.5), (3, 0.22), (2, 0.08)])
            ease = min(max(0.65 + 0.15 * random.normal(), 0), 1)
        case .detractor:
            nps = random.pick([(0, 0.6), (1, 0.3), (2, 0.5), (3, 0.8), (4, 1.1), (5, 1.8), (6, 2.4)])
            csat = random.pick([(4, 0.15), (3, 0.3), (2, 0.33), (1, 0.22)])
            ease = min(max(0.35 + 0.2 * random.normal(), 0), 1)
        }
        return DemoRespondent(
            mood: mood, nps: nps, csat: csat, ease: ease, language: language, account: account?.id,
            hurried: random.chance(0.02), abandonsAfter: random.chance(0.03) ? 1 + Int(random.next() % 2) : nil,
            progress: progress, touchpoint: kiosk.touchpoint)
    }

    /// Runs a real ``SurveySession`` for `survey`, typing this respondent's answers, and returns its draft.
    func answer(_ survey: Survey, reference: SurveyReference, kiosk: DemoKiosk, startedAt: Date,
                using random: inout DemoRandom) throws -> ResponseDraft {
        // A survey that asks for the account gets it typed; otherwise staff entered it before the session.
        let asksForAccount = survey.questions.contains { $0.asksForAccount }
        let settings = SessionSettings(
            site: kiosk.site.id, kiosk: kiosk.id, mode: .unattended, minimumSeconds: 5,
            account: asksForAccount ? nil : account, appVersion: DemoDataSet.appVersion)
        var session = SurveySession(survey: survey, reference: reference, settings: settings, language: language, at: startedAt)
        var clock = startedAt
        var answered = 0
        var commented = false
        var action = session.start()
        for _ in 0..<(4 * survey.questions.count + 4) {
            switch action {
            case .completed(let draft):
                return draft
            case .abandoned(let draft):
                guard let draft else {
                    throw DemoError(.generation, "survey \(survey.id) dropped an abandoned demo session")
                }
                return draft
            case .reprompt(_, let reason):
                throw DemoError(.generation, "survey \(survey.id) refused a demo answer (\(reason))")
            case .ask(.language(let languages)):
                let pick = languages.contains(language) ? language : languages[0]
                clock.addTimeInterval(hurried ? 0.5 : 2 + Double(random.next() % 3))
                action = session.receive(pick, at: clock)
            case .ask(.question(let prompt)):
                if let abandonsAfter, survey.abandoned == .partial, answered >= abandonsAfter {
                    action = session.timeout(at: clock.addingTimeInterval(120))
                    continue
                }
                let input = typed(for: prompt.question, commented: commented, using: &random)
                if prompt.question.type == .text, !input.isEmpty { commented = true }
                let seconds = prompt.question.type == .text && !input.isEmpty
                    ? Double.random(in: 15..<50, using: &random) : Double.random(in: 2.5..<9, using: &random)
                clock.addTimeInterval(hurried ? 0.4 : seconds)
                answered += 1
                action = session.receive(input, at: clock)
            }
        }
        throw DemoError(.generation, "survey \(survey.id) did not finish for a demo respondent")
    }

    /// What this respondent types for `question` ("" skips an optional one).
    private func typed(for question: Question, commented: Bool, using random: inout DemoRandom) -> String {
        if question.asksForAccount {
            return account ?? (question.optional ? "" : "ACC-1001")
        }
        switch question.kind {
        case .nps:
            return String(nps)
        case .csat:
            return String(csat)
        case .ces(let points, _):
            let value = 1 + (ease * Double(points - 1) + 0.6 * random.normal()).rounded()
            return String(min(max(Int(value), 1), points))
        case .yesno:
            let yes: Double
            if question.id.contains("time") {
                yes = mood == .detractor ? 0.5 : 0.93
            } else if question.id.contains("online") {
                yes = 0.35 + 0.35 * progress
            } else {
                yes = 0.7
            }
            return random.chance(yes) ? "yes" : "no"
        case .choice(let options):
            if question.optional, random.chance(0.15) { return "" }
            let weights = options.indices.map { ($0, 1.0 / Double($0 + 1) + 0.25) }
            return String(random.pick(weights) + 1)
        case .text:
            let tone = self.tone(for: question)
            var share: Double
            switch (tone, question.condition == nil) {
            case (.negative, false): share = 0.7
            case (.positive, false): share = 0.4
            case (.negative, true): share = 0.55
            case (.positive, true): share = 0.2
            case (.suggestion, _): share = 0.3
            }
            if commented { share *= 0.15 }
            if question.optional && !random.chance(share) { return "" }
            let texts = DemoComments.texts(touchpoint: touchpoint, tone: tone, language: language)
            return texts.isEmpty ? "OK" : texts[Int(random.next() % UInt64(texts.count))]
        }
    }

    /// A follow-up shown for low scores is a complaint, for high scores praise; otherwise the mood decides.
    private func tone(for question: Question) -> DemoComments.Tone {
        if let condition = question.condition, case .range(let min, let max) = condition.test {
            if max != nil && min == nil { return .negative }
            if min != nil && max == nil { return .positive }
        }
        switch mood {
        case .detractor: return .negative
        case .passive: return .suggestion
        case .promoter: return .positive
        }
    }
}
