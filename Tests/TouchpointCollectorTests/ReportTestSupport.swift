import Foundation
import TouchpointCollector
import TouchpointCore

/// The reports' part of the always-failing storage (declared in CollectorRouterTests.swift).
extension FailingStorage {
    func report(_ query: ReportQuery) async throws -> Report { throw fail() }
    func exportAnswers(_ selection: AnswerSelection, after: ExportedAnswer?, limit: Int) async throws -> [ExportedAnswer] {
        throw fail()
    }
}

/// Responses with chosen scores to the bundled `retail-visit` (NPS, CSAT) and `service-visit` (NPS, CSAT,
/// CES on a 1–5 scale) surveys, for report tests.
enum ReportFixtures {
    /// Midnight UTC, 2026-11-16 (a Monday).
    static let monday = Date(timeIntervalSince1970: 1_794_787_200)

    /// A response; `completed` defaults to `monday` plus `sequence` hours.
    static func response(
        service: Bool = false, sequence: UInt64, nps: Int, csat: Int = 4, ces: Int = 4, site: String = "malmo",
        language: String = "en", completed: Date? = nil, status: ResponseStatus = .complete, suspect: Bool = false,
        comment: String? = nil, kiosk: String? = nil, seed: UInt64 = 0
    ) -> SurveyResponse {
        var answers = [Answer(question: "recommend", type: .nps, value: .number(nps))]
        if status == .complete {
            if service {
                answers += [
                    Answer(question: "service-satisfaction", type: .csat, value: .number(csat)),
                    Answer(question: "service-effort", type: .ces, value: .number(ces)),
                    Answer(question: "ready-on-time", type: .yesno, value: .bool(ces >= 3)),
                ]
                if let comment {
                    answers.append(Answer(question: "comment", type: .text, value: .text(comment)))
                }
            } else {
                if let comment {
                    answers.append(Answer(question: nps <= 6 ? "improve" : "loved", type: .text, value: .text(comment)))
                }
                answers.append(Answer(question: "visit-satisfaction", type: .csat, value: .number(csat)))
            }
        }
        let time = completed ?? monday.addingTimeInterval(Double(sequence) * 3600)
        let draft = ResponseDraft(
            survey: SurveyReference(
                id: service ? "service-visit" : "retail-visit", version: 1,
                digest: Fixtures.digest(service ? "service-visit" : "retail-visit")),
            site: site, kiosk: kiosk ?? FeedFixtures.kiosk(at: site), touchpoint: service ? "service" : "retail",
            stage: service ? .own : .shop, language: language, startedAt: time.addingTimeInterval(-40), completedAt: time, answers: answers,
            status: status, suspect: suspect, mode: .attended, appVersion: "0.1.0")
        var generator = SeededGenerator(state: sequence &* 7_919 &+ seed)
        return SurveyResponse(draft: draft, id: UUIDv7.make(at: time, using: &generator), sequence: sequence)
    }
}
