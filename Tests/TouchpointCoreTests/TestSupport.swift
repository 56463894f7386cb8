import Foundation
import Testing
@testable import TouchpointCore

/// A deterministic random source (SplitMix64), so generated ids are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random source that always returns the same word, to pin down which bits UUIDv7 overwrites.
struct ConstantGenerator: RandomNumberGenerator {
    let value: UInt64

    mutating func next() -> UInt64 { value }
}

/// A fixed instant (2025-11-13T02:13:20Z) that tests count seconds from.
let t0 = Date(timeIntervalSince1970: 1_763_000_000)

/// Parses `yaml`, failing the test with every problem if it does not validate.
func parsedSurvey(_ yaml: String, file: String = "test.yaml", sourceLocation: SourceLocation = #_sourceLocation) throws -> Survey {
    switch SurveyParser.parse(yaml: yaml, file: file) {
    case .success(let survey):
        return survey
    case .failure(let error):
        Issue.record("survey did not validate:\n\(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// The problems `yaml` has, or an empty list when it validates.
func problems(_ yaml: String, file: String = "s.yaml") -> [SurveyProblem] {
    switch SurveyParser.parse(yaml: yaml, file: file) {
    case .success: []
    case .failure(let error): error.problems
    }
}

/// The `file:line:column: message` lines of the problems of `yaml`.
func problemLines(_ yaml: String, file: String = "s.yaml") -> [String] {
    problems(yaml, file: file).map(\.description)
}

/// The question prompt an action shows, if it shows one.
func questionPrompt(_ action: SessionAction) -> QuestionPrompt? {
    switch action {
    case .ask(.question(let prompt)), .reprompt(.question(let prompt), _): prompt
    default: nil
    }
}

/// The id of the question an action shows, if it shows one.
func questionID(_ action: SessionAction) -> String? {
    questionPrompt(action)?.question.id
}

/// The draft of a completed session, if the action completes it.
func completedDraft(_ action: SessionAction) -> ResponseDraft? {
    if case .completed(let draft) = action { return draft }
    return nil
}

/// The reprompt reason of an action, if it is a reprompt.
func repromptReason(_ action: SessionAction) -> RepromptReason? {
    if case .reprompt(_, let reason) = action { return reason }
    return nil
}

extension SurveySession {
    /// Feeds each line one second after the previous one (the first at `start` + 1 s); returns the last action.
    @discardableResult
    mutating func receive(_ lines: [String], startingAt start: Date = t0) -> SessionAction? {
        var last: SessionAction?
        for (offset, line) in lines.enumerated() {
            last = receive(line, at: start.addingTimeInterval(Double(offset + 1)))
        }
        return last
    }

    /// Feeds `lines` like ``receive(_:startingAt:)`` and returns the completed draft, failing the test otherwise.
    mutating func complete(_ lines: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> ResponseDraft {
        let last = receive(lines)
        return try #require(last.flatMap(completedDraft), sourceLocation: sourceLocation)
    }
}

/// A session over `survey` with test settings.
func makeSession(
    _ survey: Survey, language: String? = "en", mode: KioskMode = .attended, minimumSeconds: Double? = nil,
    maxAnswerLength: Int = 500, touchpoint: String? = nil, account: String? = nil,
    accountRule: AccountRule = .standard, at start: Date = t0
) -> SurveySession {
    let settings = SessionSettings(
        site: "sto-1", kiosk: "kiosk-7", touchpoint: touchpoint, mode: mode, minimumSeconds: minimumSeconds,
        maxAnswerLength: maxAnswerLength, account: account, appVersion: "1.2.3", accountRule: accountRule)
    let reference = SurveyReference(id: survey.id, version: survey.version, digest: "sha256:" + String(repeating: "ab", count: 32))
    return SurveySession(survey: survey, reference: reference, settings: settings, language: language, at: start)
}
