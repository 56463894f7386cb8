import Foundation
import TouchpointCore
import Yams

/// How long one kind of data is kept: a number of calendar days, weeks, months or years.
public struct RetentionPeriod: Sendable, Hashable, CustomStringConvertible {
    /// The calendar unit.
    public enum Unit: String, Sendable, Hashable, CaseIterable {
        case days, weeks, months, years
    }

    /// How many units.
    public var count: Int
    /// The unit.
    public var unit: Unit

    /// Creates a period.
    public init(_ count: Int, _ unit: Unit) {
        self.count = count
        self.unit = unit
    }

    /// `12 months`, `1 year`.
    public var description: String {
        count == 1 ? "1 \(unit.rawValue.dropLast())" : "\(count) \(unit.rawValue)"
    }

    /// Reads `12 months`, `36 months`, `2 years`, `90 days`, `1 week`; nil for anything else (or under one day).
    public init?(text: String) {
        let parts = text.split(whereSeparator: \.isWhitespace)
        guard parts.count == 2, let count = Int(parts[0]), count >= 1, count <= 100_000 else { return nil }
        let word = parts[1].lowercased()
        guard let unit = Unit.allCases.first(where: { $0.rawValue == word || $0.rawValue.dropLast() == word }) else { return nil }
        self.init(count, unit)
    }

    /// The start (UTC midnight) of the day this period before `now` falls on: data completed before it is past
    /// its time. Whole UTC days, so the report aggregates (kept per UTC day) never straddle it.
    public func horizon(before now: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? .current
        let component: Calendar.Component = switch unit {
        case .days: .day
        case .weeks: .weekOfYear
        case .months: .month
        case .years: .year
        }
        let back = calendar.date(byAdding: component, value: -count, to: now) ?? now
        return calendar.startOfDay(for: back)
    }
}

/// The dates before which raw data goes (or went): comments, whole responses, and accounts whose last response
/// is older. A nil date keeps that kind forever.
public struct RetentionHorizons: Sendable, Hashable, Codable {
    /// Comments (free-text answers) of responses completed before it are removed; the scores stay.
    public var comments: Date?
    /// Responses completed before it are removed whole; the report aggregates keep their figures.
    public var responses: Date?
    /// Accounts whose last response was before it are erased (as ``ErasureRequest/account(_:)``).
    public var accounts: Date?

    /// Creates horizons.
    public init(comments: Date? = nil, responses: Date? = nil, accounts: Date? = nil) {
        self.comments = comments
        self.responses = responses
        self.accounts = accounts
    }

    /// Whether nothing goes.
    public var isEmpty: Bool { comments == nil && responses == nil && accounts == nil }

    /// Before which date comments are gone: responses take their comments with them.
    public var commentsGone: Date? {
        [comments, responses].compactMap { $0 }.max()
    }

    /// `comments before 2025-12-01, responses before 2023-12-01` (days in UTC), for logs and people.
    public var description: String {
        let parts = [("comments", comments), ("responses", responses), ("accounts inactive since", accounts)]
            .compactMap { name, date in date.map { "\(name) before \(ReportCalendar.day(of: $0))" } }
        return parts.isEmpty ? "nothing" : parts.joined(separator: ", ")
    }

    /// What a report, export or comment list from `from` (nil: the beginning) must say because raw data there is
    /// gone, or nil when the range holds all its raw data.
    public func note(from: Date?) -> String? {
        func reaches(_ horizon: Date?) -> Date? {
            guard let horizon else { return nil }
            return from.map { $0 < horizon } ?? true ? horizon : nil
        }
        var said: [String] = []
        if let responses = reaches(responses) {
            said.append("raw responses before \(ReportCalendar.day(of: responses)) (their scores stay in the aggregates)")
        }
        if let comments = reaches(commentsGone), comments != responses {
            said.append("comments before \(ReportCalendar.day(of: comments)) (their scores stay)")
        }
        guard !said.isEmpty else { return nil }
        return "Removed by the retention policy: " + said.joined(separator: " and ")
            + "; exports and comment lists cannot reach what was removed."
    }
}

/// The collector's retention policy (`--retention retention.yaml`): how long comments, responses and inactive
/// accounts are kept, and how often the collector prunes.
public struct RetentionPolicy: Sendable, Hashable {
    /// The keys a retention file may hold under `retention:`.
    public static let keys = ["comments", "responses", "accounts", "checkEvery"]

    /// How long comments are kept (nil: as long as their response).
    public var comments: RetentionPeriod?
    /// How long responses are kept (nil: forever).
    public var responses: RetentionPeriod?
    /// How long an account is kept after its last response (nil: forever).
    public var accounts: RetentionPeriod?
    /// How often the collector prunes (default 1 day).
    public var checkEvery: Duration = .seconds(86_400)

    /// Creates a policy.
    public init(comments: RetentionPeriod? = nil, responses: RetentionPeriod? = nil, accounts: RetentionPeriod? = nil) {
        self.comments = comments
        self.responses = responses
        self.accounts = accounts
    }

    /// The horizons of this policy at `now`.
    public func horizons(at now: Date) -> RetentionHorizons {
        RetentionHorizons(
            comments: comments?.horizon(before: now), responses: responses?.horizon(before: now),
            accounts: accounts?.horizon(before: now))
    }

    /// `comments 12 months, responses 36 months, accounts 24 months after their last response`.
    public var description: String {
        let parts = [
            comments.map { "comments \($0)" }, responses.map { "responses \($0)" },
            accounts.map { "accounts \($0) after their last response" },
        ].compactMap { $0 }
        return parts.isEmpty ? "keep everything" : parts.joined(separator: ", ")
    }

    /// Parses a retention file, reporting every problem as file:line:column.
    public static func parse(yaml: String, file: String) throws(YAMLFileError) -> RetentionPolicy {
        let reader = RetentionReader(file: file)
        return try reader.finished(reader.policy(yaml))
    }

    /// Reads and parses the retention file at `path`.
    public static func load(path: String) throws(YAMLFileError) -> RetentionPolicy {
        try parse(yaml: YAMLReader.text(of: path, what: "retention file"), file: path)
    }
}

/// Collects the problems of one retention file while reading it.
private final class RetentionReader: YAMLReader {
    func policy(_ yaml: String) -> RetentionPolicy? {
        let shape = "a retention file is a mapping with retention: { comments:, responses:, accounts:, checkEvery: }"
        guard let root = compose(yaml, ifEmpty: shape) else { return nil }
        guard let top = root.mapping else {
            problem(root, shape)
            return nil
        }
        checkKeys(top, allowed: ["retention"], context: "the retention file")
        guard let settingsNode = required(top, "retention", context: "the retention file") else { return nil }
        guard let settings = settingsNode.mapping else {
            problem(settingsNode, "retention must be a mapping such as { comments: 12 months, responses: 36 months }")
            return nil
        }
        checkKeys(settings, allowed: RetentionPolicy.keys, context: "retention")
        func period(_ key: String) -> RetentionPeriod? {
            guard let node = settings[key] else { return nil }
            if let text = node.scalar?.string, let period = RetentionPeriod(text: text) { return period }
            problem(node, "retention.\(key) must be a period such as 90 days, 12 months or 3 years (at least 1 day), not '\(node.scalar?.string ?? "a list or mapping")'")
            return nil
        }
        var policy = RetentionPolicy(comments: period("comments"), responses: period("responses"), accounts: period("accounts"))
        if let every = settings["checkEvery"], let duration = duration(every, key: "retention.checkEvery") {
            policy.checkEvery = duration
        }
        if policy.comments == nil && policy.responses == nil && policy.accounts == nil {
            problem(settingsNode, "retention names nothing to prune: give comments:, responses: or accounts:")
        }
        return policy
    }
}

/// Pruning by the retention policy, in one transaction per run.
public protocol RetentionStorage: Sendable {
    /// Removes what is past `horizons` (see ``RetentionHorizons``), keeps the report aggregates as they are, and
    /// logs the run in the erasure log (kind `retention`); with `dryRun` changes nothing and says what would go.
    /// Afterwards ``retentionHorizons()`` answers at least `horizons`.
    func prune(_ horizons: RetentionHorizons, by actor: String, at date: Date, dryRun: Bool) async throws -> ErasureSummary

    /// The furthest horizons ever pruned to: before them raw data is gone.
    func retentionHorizons() async throws -> RetentionHorizons
}

extension RetentionStorage {
    /// What a report, export or comment list from `from` must say about raw data the retention policy removed.
    public func retentionNote(from: Date?) async throws -> String? {
        try await retentionHorizons().note(from: from)
    }
}
