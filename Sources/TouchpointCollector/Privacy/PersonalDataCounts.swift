import Foundation
import TouchpointCore

/// How many items of personal data a response's comments hold, by kind, as storage keeps them beside the response
/// (counted at ingest, before any sealing, so reports count them without the comment key).
public enum PersonalDataCounts {
    /// The counts in the comments (free-text answers) of `response`; empty for none.
    public static func of(_ response: SurveyResponse) -> [PersonalData.Kind: Int] {
        var counts: [PersonalData.Kind: Int] = [:]
        for answer in response.answers {
            guard case .text(let text) = answer.value else { continue }
            for item in PersonalData.detect(text) {
                counts[item.kind, default: 0] += 1
            }
        }
        return counts
    }

    /// `email=1,phone=2` (kinds in a fixed order), or nil for none: the stored form.
    public static func stored(_ counts: [PersonalData.Kind: Int]) -> String? {
        let parts = PersonalData.Kind.allCases.compactMap { kind in
            counts[kind].flatMap { $0 > 0 ? "\(kind.rawValue)=\($0)" : nil }
        }
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }

    /// Adds the stored form `text` to `counts` (unknown parts are skipped).
    public static func add(stored text: String?, to counts: inout [PersonalData.Kind: Int]) {
        guard let text else { return }
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let kind = PersonalData.Kind(rawValue: String(pair[0])), let count = Int(pair[1]) else { continue }
            counts[kind, default: 0] += count
        }
    }
}

/// Counts of personal data in the comments a selection covers; see ``PersonalDataCounts``.
public protocol PersonalDataStorage: Sendable {
    /// How many items of each kind the comments of the responses `selection` selects hold (its question filter, if any,
    /// is not applied: the counts are per response). Comments erased or pruned no longer count.
    func personalDataCounts(_ selection: AnswerSelection) async throws -> [PersonalData.Kind: Int]
}

/// What a report says beside its figures about privacy: raw data the retention policy removed from its range, and the
/// personal data the comments it covers hold (masked wherever comments are shown).
public struct ReportNotes: Sendable, Hashable, Codable {
    /// ``RetentionHorizons/note(from:)``, or nil.
    public var retention: String?
    /// Items of personal data in the comments covered, by kind (`email`, `phone`, `personal-id`, `card`); empty for none.
    public var personalData: [String: Int]

    /// Creates notes.
    public init(retention: String? = nil, personalData: [PersonalData.Kind: Int] = [:]) {
        self.retention = retention
        self.personalData = Dictionary(uniqueKeysWithValues: personalData.filter { $0.value > 0 }.map { ($0.key.rawValue, $0.value) })
    }

    /// The notes as lines for a text table (none when there is nothing to say).
    public var lines: [String] {
        var lines: [String] = []
        let counts = Dictionary(uniqueKeysWithValues: personalData.compactMap { key, value in PersonalData.Kind(rawValue: key).map { ($0, value) } })
        if !counts.isEmpty {
            lines.append("Personal data in the comments here: \(PersonalData.describe(counts)) (masked wherever comments are shown).")
        }
        if let retention { lines.append(retention) }
        return lines
    }
}

extension CollectorStorage {
    /// The privacy notes of a report over `selection` (``ReportNotes``).
    public func reportNotes(_ selection: AnswerSelection) async throws -> ReportNotes {
        ReportNotes(retention: try await retentionNote(from: selection.from), personalData: try await personalDataCounts(selection))
    }
}
