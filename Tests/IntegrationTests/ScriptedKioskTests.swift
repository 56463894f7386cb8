import Foundation
import Testing

/// `touchpoint` with stdin from a pipe: the scripted kiosk and the survey validator.
@Suite("Scripted kiosk and survey validation")
struct ScriptedKioskTests {
    @Test("a scripted session stores a response without echoing the customer's input")
    func scriptedSession() throws {
        let workspace = try Workspace()
        let script = ["start retail-visit en", "9", "scripted-comment-xyz", "5", "2", "quit"]
        let result = try workspace.run(["kiosk"] + Workspace.kioskFlags,
                                       input: script.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Great! What did you love about your visit?"), "\(result)")
        #expect(result.stdout.contains("Thank you for your answers!"), "\(result)")
        #expect(!result.stdout.contains("scripted-comment-xyz"), "the comment was echoed:\n\(result.stdout)")
        #expect(!result.stdout.contains("start retail-visit"), "the staff command was echoed:\n\(result.stdout)")
        #expect(!result.stdout.contains("\u{1B}"), "escape sequences in scripted output:\n\(result.stdout.debugDescription)")

        let responses = try workspace.pendingResponses()
        try #require(responses.count == 1, "pending: \(workspace.pendingNames)\n\(result)")
        let response = responses[0]
        #expect(response.surveyID == "retail-visit")
        #expect(response.sequence == 1)
        #expect(jsonInt(response.answer("recommend")) == 9)
        #expect(response.answer("loved") as? String == "scripted-comment-xyz")
        #expect(jsonInt(response.answer("visit-satisfaction")) == 5)
        #expect(response.answer("purpose") as? String == "test-drive", "payload \(response.payloadText)")
        #expect(response.answeredQuestions == ["recommend", "loved", "visit-satisfaction", "purpose"])

        let verify = try workspace.run(["responses", "verify"] + Workspace.kioskFlags)
        #expect(verify.status == 0, "\(verify)")
    }

    @Test("a customer number typed at an account question becomes the response's account, not an answer")
    func accountQuestion() throws {
        let workspace = try Workspace()
        let script = ["start delivery-handover en", "ACME-42", "10", "5", "7", "", "quit"]
        let result = try workspace.run(["kiosk"] + Workspace.kioskFlags, input: script.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("your customer number"), "\(result)")
        let responses = try workspace.pendingResponses()
        try #require(responses.count == 1, "pending: \(workspace.pendingNames)\n\(result)")
        #expect(responses[0].payload["account"] as? String == "ACME-42", "payload \(responses[0].payloadText)")
        #expect(responses[0].answeredQuestions == ["recommend", "handover-satisfaction", "handover-effort"])

        // Staff who enter the account first skip the question; Enter alone keeps a customer anonymous.
        let staff = try workspace.run(
            ["kiosk"] + Workspace.kioskFlags,
            input: "start delivery-handover en @VOLVO-7\n9\n4\n6\n\nstart delivery-handover en\n\n3\n2\n2\nslow\nquit\n")
        #expect(staff.status == 0, "\(staff)")
        let accounts = try workspace.pendingResponses().map { $0.payload["account"] as? String }
        #expect(accounts.count == 3)
        #expect(accounts.compactMap { $0 }.sorted() == ["ACME-42", "VOLVO-7"], "\(accounts)")
    }

    @Test("end of scripted input in the middle of a session exits 0 and stores nothing")
    func scriptEndsMidSession() throws {
        let workspace = try Workspace()
        let result = try workspace.run(["kiosk"] + Workspace.kioskFlags, input: "start retail-visit en\n8\n")
        #expect(result.status == 0, "\(result)")
        #expect(try workspace.pendingFiles().isEmpty)
    }

    @Test("survey validate points at the line and column of an unknown question type")
    func validateBrokenSurvey() throws {
        let workspace = try Workspace()
        let original = try String(contentsOf: workspace.url("surveys/retail-visit.yaml"), encoding: .utf8)
        var lines = original.components(separatedBy: "\n")
        // The CSAT question's type line: "    type: csat".
        let index = try #require(lines.firstIndex(of: "    type: csat"), "retail-visit.yaml changed shape")
        lines[index] = "    type: stars"
        try lines.joined(separator: "\n").write(to: workspace.url("broken.yaml"), atomically: true, encoding: .utf8)
        let expectedLine = index + 1
        let expectedColumn = lines[index].distance(from: lines[index].startIndex,
                                                   to: lines[index].range(of: "stars")!.lowerBound) + 1

        let result = try workspace.run(["survey", "validate", "broken.yaml"])
        #expect(result.status == 1, "\(result)")
        let problems = result.stderr.split(separator: "\n").filter { $0.hasPrefix("broken.yaml:") }
        #expect(problems.count == 1, "\(result)")
        #expect(problems.first?.hasPrefix("broken.yaml:\(expectedLine):\(expectedColumn): ") == true,
                "expected broken.yaml:\(expectedLine):\(expectedColumn): …\n\(result)")
        #expect(problems.first?.contains("stars") == true, "\(result)")
        #expect(!result.stdout.contains("ok  retail-visit"), "\(result)")
    }

    @Test("survey validate accepts the bundled surveys")
    func validateBundledSurveys() throws {
        let workspace = try Workspace()
        let result = try workspace.run(["survey", "validate"])
        #expect(result.status == 0, "\(result)")
        for id in ["delivery-handover", "retail-visit", "service-visit", "test-drive-booking"] {
            #expect(result.stdout.contains("ok  \(id) v1"), "\(result)")
        }
        #expect(result.stderr.isEmpty, "\(result)")
    }

    @Test("kiosk --check: ready with site and kiosk configured; exit 1 naming what to fix otherwise")
    func kioskCheck() throws {
        let workspace = try Workspace()
        let ready = try workspace.run(["kiosk", "--check"] + Workspace.kioskFlags)
        #expect(ready.status == 0, "\(ready)")
        #expect(ready.stdout.contains("OK: ready for customers."), "\(ready)")
        #expect(ready.stdout.contains("retail-visit v1"), "\(ready)")

        // No site or kiosk, and a survey that does not validate.
        try "id: broken\nversion: 1\n".write(to: workspace.url("surveys/broken.yaml"), atomically: true, encoding: .utf8)
        let unready = try workspace.run(["kiosk", "--check", "--surveys", "surveys"])
        #expect(unready.status == 1, "\(unready)")
        #expect(unready.stdout.contains("no site or kiosk configured"), "\(unready)")
        #expect(unready.stdout.contains("broken.yaml:"), "\(unready)")
        #expect(try workspace.pendingFiles().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: workspace.url("keys").path), "--check created a key")

        // A bad configuration file says where.
        try "site: a\npinAttempts: none\n".write(to: workspace.url("touchpoint.yaml"), atomically: true, encoding: .utf8)
        let bad = try workspace.run(["kiosk", "--check"])
        #expect(bad.status != 0, "\(bad)")
        #expect(bad.stderr.contains("touchpoint.yaml:2:1: pinAttempts must be a whole number above 0"), "\(bad)")
    }
}
