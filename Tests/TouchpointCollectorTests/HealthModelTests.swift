import Foundation
import Testing
import TouchpointCollector
import TouchpointCore

@Suite("Health model YAML")
struct HealthModelTests {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples", isDirectory: true)

    @Test func theBuiltInModelIsExamplesHealthYAML() throws {
        let text = try String(contentsOf: Self.examples.appendingPathComponent("health.yaml"), encoding: .utf8)
        #expect(text == HealthModel.builtInYAML)
        let model = try HealthModel.parse(yaml: text, file: "examples/health.yaml")
        #expect(model == HealthModel.builtIn)
        #expect(model.nps.weight == 0.35 && model.nps.low == -100 && model.nps.high == 100)
        #expect(model.ces.scale == 7)
        #expect(model.engagement.halfLifeDays == 30 && model.engagement.windowDays == 90 && model.engagement.target == 6)
        #expect(model.answerWindowDays == 365)
        #expect(model.missing == .renormalise)
        #expect(model.playbook.zones[.red]?.first?.owner == .account)
        #expect(model.playbook.moves[ZoneMove(from: .yellow, to: .red)]?.first?.owner == .role("CX lead"))
        #expect(model.playbook.moves[ZoneMove(from: .green, to: .yellow)]?.count == 1)
    }

    @Test func everyProblemHasFileLineAndColumn() throws {
        let yaml = """
            components:
              nps: {weight: -1}
              ces: {weight: 0.1, scale: 6}
              csat: {weight: 0.2, range: [50, 10]}
              engagement:
                weight: 0.3
                recency: {weight: 0.5, halfLifeDays: 0}
                frequency: {weight: 0.5, windowDays: 90}
            missing: sometimes
            zones: {green: 40, yellow: 60}
            playbook:
              zones:
                purple:
                  - {action: Call, owner: account}
              moves:
                green -> green:
                  - {action: Nothing}
                red -> yellow:
                  - {action: Celebrate, owner: CX lead, when: now}
            extra: 1
            """
        let error = try #require(throws: YAMLFileError.self) { try HealthModel.parse(yaml: yaml, file: "health.yaml") }
        let lines = error.problems.map(\.description)
        let expected = [
            "health.yaml:2:17: nps weight must be a number, 0 or more",
            "health.yaml:3:29: ces scale must be 7 or 5",
            "health.yaml:4:30: csat range must be [low, high]",
            "health.yaml:7:42: halfLifeDays must be a number of days above 0",
            "health.yaml:8:16: engagement frequency is missing 'target'",
            "health.yaml:9:10: missing must be 'renormalise'",
            "health.yaml:10:16: zones green (40) must be above yellow (60)",
            "health.yaml:13:5: unknown zone 'purple'",
            "health.yaml:16:5: 'green -> green' is not a move",
            "health.yaml:19:45: unknown key 'when' in an action of move red -> yellow",
            "health.yaml:20:1: unknown key 'extra' in the health model",
        ]
        for prefix in expected {
            #expect(lines.contains { $0.hasPrefix(prefix) }, "missing \(prefix) in:\n\(lines.joined(separator: "\n"))")
        }
        #expect(lines.count == expected.count, "\(lines.joined(separator: "\n"))")
        // Sorted by position.
        #expect(error.problems.map(\.line) == error.problems.map(\.line).sorted())
    }

    @Test func yamlSyntaxErrorsHaveAPosition() throws {
        let error = try #require(throws: YAMLFileError.self) {
            try HealthModel.parse(yaml: "components:\n  nps: [weight: 1\nzones: {}\n", file: "bad.yaml")
        }
        #expect(error.problems.first?.description.hasPrefix("bad.yaml:3:") == true, "\(error)")
    }

    @Test func aMissingOwnerIsReportedAtTheAction() throws {
        var text = HealthModel.builtInYAML
        text = text.replacingOccurrences(of: "        owner: CX lead\n    yellow:", with: "    yellow:")
        let error = try #require(throws: YAMLFileError.self) { try HealthModel.parse(yaml: text, file: "h.yaml") }
        #expect(error.problems.count == 1)
        let problem = try #require(error.problems.first)
        #expect(problem.message == "an action of zone red is missing 'owner'")
        let line = text.components(separatedBy: "\n")[problem.line - 1]
        #expect(line.contains("Review every detractor comment"), "\(problem)")
    }
}
