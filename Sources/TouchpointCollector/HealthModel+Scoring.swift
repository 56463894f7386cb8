import Foundation
import TouchpointCore

extension HealthModel {
    /// Scores one account: pure, no database and no clock (`now` is given).
    ///
    /// Each component is normalised to 0–100 (NPS and CSAT linearly over their configured ranges, CES from
    /// 1…points to 0…100, engagement from recency and frequency), then weighted. A survey component with
    /// fewer than ``minimumAnswers`` answers is missing: with ``MissingPolicy/renormalise`` its weight is spread
    /// over the components present, with ``MissingPolicy/value(_:)`` the given value stands in for it.
    public func score(_ inputs: HealthInputs, now: Date) -> HealthScore {
        var parts: [(kind: HealthComponentKind, raw: Double?, count: Int, value: Double?, weight: Double, detail: String)] = []

        let nps = inputs.nps
        if nps.count >= max(1, minimumAnswers), let raw = nps.score {
            parts.append((.nps, raw, nps.count, self.nps.normalise(raw), self.nps.weight,
                          "NPS \(Self.format(raw)) (n=\(nps.count))"))
        } else {
            parts.append((.nps, nps.score, nps.count, nil, self.nps.weight, "no NPS" + Self.fewer(nps.count)))
        }

        let cesCount = inputs.ces.reduce(0) { $0 + $1.result.count }
        if cesCount >= max(1, minimumAnswers) {
            // Each answer x on a 1…p scale is (x − 1) / (p − 1) of the way from hardest to easiest.
            var share = 0.0
            var sum = 0
            var scales: Set<Int> = []
            for group in inputs.ces {
                let points = max(2, group.points ?? ces.scale)
                scales.insert(points)
                share += Double(group.result.sum - group.result.count) / Double(points - 1)
                sum += group.result.sum
            }
            let value = min(100, max(0, share * 100 / Double(cesCount)))
            if scales.count == 1 {
                let mean = Double(sum) / Double(cesCount)
                parts.append((.ces, mean, cesCount, value, ces.weight,
                              "CES \(Self.format(mean, digits: 2))/\(scales.first ?? ces.scale) (n=\(cesCount))"))
            } else {
                // A mean over 1–5 and 1–7 answers means nothing (the reports refuse it too): only the 0–100 value.
                let names = scales.sorted().map { "1–\($0)" }.joined(separator: " and ")
                parts.append((.ces, nil, cesCount, value, ces.weight,
                              "CES \(Self.format(value))/100 over \(names) scales, no mean (n=\(cesCount))"))
            }
        } else {
            parts.append((.ces, nil, cesCount, nil, ces.weight, "no CES" + Self.fewer(cesCount)))
        }

        let csat = inputs.csat
        if csat.count >= max(1, minimumAnswers), let raw = csat.score {
            parts.append((.csat, raw, csat.count, self.csat.normalise(raw), self.csat.weight,
                          "CSAT \(Self.format(raw))% (n=\(csat.count))"))
        } else {
            parts.append((.csat, csat.score, csat.count, nil, self.csat.weight, "no CSAT" + Self.fewer(csat.count)))
        }

        let engagement = self.engagement.value(inputs, now: now)
        parts.append((.engagement, engagement.value, engagement.count, engagement.value, self.engagement.weight, engagement.detail))

        // Missing components: left out (their weight spread over the rest) or replaced by a fixed value.
        var values: [Double?] = parts.map(\.value)
        var substituted = [Bool](repeating: false, count: parts.count)
        if case .value(let standIn) = missing {
            for index in values.indices where values[index] == nil {
                values[index] = standIn
                substituted[index] = true
            }
        }
        let presentWeight = zip(parts, values).reduce(0.0) { $0 + ($1.1 == nil ? 0 : $1.0.weight) }
        var components: [HealthComponentScore] = []
        var total = 0.0
        for (index, part) in parts.enumerated() {
            let value = values[index]
            let share = value != nil && presentWeight > 0 ? part.weight / presentWeight : 0
            let contribution = (value ?? 0) * share
            total += contribution
            components.append(HealthComponentScore(
                kind: part.kind, raw: part.raw, count: part.count, value: value, substituted: substituted[index],
                weight: part.weight, share: share, contribution: contribution,
                detail: substituted[index] ? part.detail + "; \(Self.format(value ?? 0)) assumed" : part.detail))
        }
        // An account with no data at all (no answer, no response, no CRM interaction) is not scored: "no data", not red.
        guard presentWeight > 0, inputs.hasData else {
            return HealthScore(score: nil, zone: nil, components: components)
        }
        let score = min(100, max(0, total))
        return HealthScore(score: score, zone: zones.zone(of: score), components: components)
    }

    /// The first instant of a window of `days` whole UTC days ending today (`now`'s day and the `days − 1` before it):
    /// the storages count a response from this instant's day on. With `days` 90 on 2026-11-30, the window is
    /// 2026-09-02 through 2026-11-30.
    public static func windowStart(days: Int, now: Date) -> Date {
        now.addingTimeInterval(-Double(max(1, days) - 1) * 86_400)
    }

    /// `12.5` → "12.5", `40` → "40".
    static func format(_ value: Double, digits: Int = 1) -> String {
        let rounded = (value * pow(10, Double(digits))).rounded() / pow(10, Double(digits))
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    private static func fewer(_ count: Int) -> String {
        count > 0 ? " (only \(count) answer\(count == 1 ? "" : "s"))" : ""
    }
}

extension HealthModel.EngagementComponent {
    /// Engagement on 0–100 from recency (halving every ``halfLifeDays`` since the last activity) and
    /// frequency (responses in the window plus interactions, over ``target``, at most 1).
    func value(_ inputs: HealthInputs, now: Date) -> (value: Double, count: Int, detail: String) {
        var recency = 0.0
        var recencyText = "no activity"
        if let last = inputs.lastActivityAt {
            let days = max(0, now.timeIntervalSince(last) / 86_400)
            recency = 100 * pow(0.5, days / halfLifeDays)
            recencyText = "last activity \(Int(days.rounded(.down))) d ago"
        }
        let count = inputs.recentResponses + inputs.interactions
        let frequency = 100 * min(1, Double(count) / Double(max(1, target)))
        let total = recencyWeight + frequencyWeight
        let value = total > 0 ? (recency * recencyWeight + frequency * frequencyWeight) / total : 0
        let detail = "\(recencyText); \(inputs.recentResponses) responses in \(windowDays) d + \(inputs.interactions) interactions (target \(target))"
        return (value, count, detail)
    }
}
