import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `touchpoint kiosk` under a real pseudo-terminal: GNU readline, Ctrl-C, history, completion, timeouts.
@Suite("Kiosk on a terminal", .serialized)
struct KioskTerminalTests {
    static let staffPrompt = Workspace.staffPrompt
    /// The customer input prompt, always on a line of its own after the question.
    static let answerPrompt = "\n> "

    // MARK: a. A whole attended session

    @Test("attended session: reprompt, back, skip, signed response, staff-only history, private key")
    func attendedSession() throws {
        let workspace = try Workspace()
        let terminal = try workspace.kioskOnTerminal()
        try terminal.expect("Created this kiosk's signing key")
        try terminal.expect(Self.staffPrompt)

        terminal.sendLine("start retail-visit en")
        try terminal.expect("Your showroom visit")
        try terminal.expect("How likely is it that you would recommend us")
        try terminal.expect(Self.answerPrompt)

        terminal.sendLine("eleven")
        let reprompt = try terminal.expect("→ Please type a number from 0 to 10.")
        #expect(!reprompt.contains("What should we improve"), "an invalid answer moved on:\n\(reprompt)")
        try terminal.expect(Self.answerPrompt)

        terminal.sendLine("3")
        try terminal.expect("We are sorry to hear that. What should we improve?")
        try terminal.expect(Self.answerPrompt)

        terminal.sendLine("Åsa says: customer-secret-comment")
        try terminal.expect("Overall, how satisfied are you with today's visit?")
        try terminal.expect(Self.answerPrompt)

        terminal.sendLine("<")
        try terminal.expect("What should we improve?")
        try terminal.expect("Your earlier answer: Åsa says: customer-secret-comment")
        // The earlier answer is on the line: Ctrl-U clears it, then the new one is typed.
        try terminal.expect(Self.answerPrompt + "Åsa says: customer-secret-comment")

        terminal.send("\u{15}")
        terminal.sendLine("Åsa again: better coffee")
        try terminal.expect("Overall, how satisfied are you with today's visit?")
        try terminal.expect(Self.answerPrompt)

        terminal.sendLine("4")
        try terminal.expect("What brought you here today?")
        try terminal.expect(Self.answerPrompt)

        terminal.sendLine("")
        try terminal.expect("Thank you for your answers!")
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("quit")
        #expect(try terminal.waitForExit() == 0, "screen:\n\(terminal.screen)")

        // The response: one signed file with the answers as finally given.
        let responses = try workspace.pendingResponses()
        try #require(responses.count == 1, "pending: \(workspace.pendingNames)")
        let response = responses[0]
        #expect(response.file.lastPathComponent.range(
            of: #"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json$"#, options: .regularExpression) != nil,
                "file name \(response.file.lastPathComponent)")
        #expect(response.header["alg"] as? String == "EdDSA", "header \(response.header)")
        #expect(response.surveyID == "retail-visit")
        #expect(response.sequence == 1)
        #expect(response.string("language") == "en")
        #expect(response.string("status") == "complete")
        #expect(response.string("mode") == "attended")
        #expect(response.string("id").map { response.file.lastPathComponent == "\($0).json" } == true)
        #expect(jsonInt(response.answer("recommend")) == 3, "payload \(response.payloadText)")
        #expect(response.answer("improve") as? String == "Åsa again: better coffee", "payload \(response.payloadText)")
        #expect(jsonInt(response.answer("visit-satisfaction")) == 4, "payload \(response.payloadText)")
        #expect(response.answeredQuestions == ["recommend", "improve", "visit-satisfaction"],
                "a skipped or hidden question was recorded: \(response.payloadText)")
        #expect(!response.payloadText.contains("customer-secret-comment"), "the replaced comment was kept")

        // The kiosk's own verifier accepts it.
        let verify = try workspace.run(["responses", "verify"] + Workspace.kioskFlags)
        #expect(verify.status == 0, "\(verify)")
        #expect(verify.stdout.contains("1 valid, 0 bad"), "\(verify)")

        // An independent JOSE implementation accepts it with the exported public key.
        let export = try workspace.run(["keys", "export"] + Workspace.kioskFlags)
        #expect(export.status == 0, "\(export)")
        #expect(!export.stdout.contains("\"d\""), "the exported JWK contains the private key: \(export.stdout)")
        try JOSECheck.verify(jwk: export.stdout, response: response.file, in: workspace)

        // Staff history: the command, never the customer's input.
        let history = try String(contentsOf: workspace.historyFile, encoding: .utf8)
        #expect(history.contains("start retail-visit en"), "history:\n\(history)")
        for customerInput in ["customer-secret-comment", "better coffee", "Åsa", "eleven"] {
            #expect(!history.contains(customerInput), "customer input \(customerInput) in history:\n\(history)")
        }

        // The private key is readable by its owner only.
        var info = stat()
        try #require(stat(workspace.keyFile.path, &info) == 0, "no key file at \(workspace.keyFile.path)")
        #expect(info.st_mode & 0o777 == 0o600, "key file mode \(String(info.st_mode & 0o777, radix: 8))")
    }

    // MARK: b. Up-arrow recalls staff commands only

    @Test("Up arrow recalls staff commands for staff and nothing for the next customer")
    func upArrowDoesNotLeakBetweenCustomers() throws {
        let workspace = try Workspace()
        let terminal = try workspace.kioskOnTerminal()
        try terminal.expect(Self.staffPrompt)

        terminal.sendLine("start retail-visit en")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("2")
        try terminal.expect("What should we improve?")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("first-customer-private-remark")
        try terminal.expect("Overall, how satisfied")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("2")
        try terminal.expect("What brought you here today?")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("1")
        try terminal.expect("Thank you for your answers!")
        try terminal.expect(Self.staffPrompt)

        // Staff: Up brings back the last staff command, which starts the second customer's session.
        terminal.up()
        try terminal.expect("start retail-visit en")
        terminal.send("\r")
        try terminal.expect("How likely is it that you would recommend us")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("1")
        try terminal.expect("What should we improve?")
        try terminal.expect(Self.answerPrompt)

        // Customer: Up must recall nothing — not the first customer's remark, not a staff command.
        terminal.up()
        terminal.send("\r")
        let afterUp = try terminal.expect("Overall, how satisfied")
        #expect(!afterUp.contains("first-customer-private-remark"), "previous customer's input recalled:\n\(afterUp)")
        #expect(!afterUp.contains("start retail"), "staff command recalled for a customer:\n\(afterUp)")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("5")
        try terminal.expect("What brought you here today?")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("")
        try terminal.expect("Thank you for your answers!")
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("quit")
        #expect(try terminal.waitForExit() == 0, "screen:\n\(terminal.screen)")

        let responses = try workspace.pendingResponses()
        try #require(responses.count == 2, "pending: \(workspace.pendingNames)")
        let first = try #require(responses.first { $0.sequence == 1 })
        let second = try #require(responses.first { $0.sequence == 2 })
        #expect(first.answer("improve") as? String == "first-customer-private-remark")
        #expect(jsonInt(second.answer("recommend")) == 1)
        #expect(second.answer("improve") == nil, "Up arrow gave the second customer an answer: \(second.payloadText)")
        #expect(!second.payloadText.contains("first-customer-private-remark"), "payload \(second.payloadText)")
        #expect(!second.payloadText.contains("start retail-visit"), "payload \(second.payloadText)")
        #expect(jsonInt(second.answer("visit-satisfaction")) == 5)

        let history = try String(contentsOf: workspace.historyFile, encoding: .utf8)
        #expect(!history.contains("first-customer-private-remark"), "history:\n\(history)")
    }

    // MARK: c. Unattended mode and the staff PIN

    @Test("unattended mode: PIN set twice, Ctrl-C asks for it, a wrong PIN stays, Enter goes back, the right PIN leaves")
    func unattendedModeNeedsThePIN() throws {
        let workspace = try Workspace()
        let terminal = try workspace.kioskOnTerminal()
        try terminal.expect(Self.staffPrompt)

        terminal.sendLine("kiosk test-drive-booking en")
        try terminal.expect("No staff PIN is configured")
        try terminal.typeSecret("4321", after: "New staff PIN: ")
        try terminal.typeSecret("4321", after: "Repeat the PIN: ")
        try terminal.expect("Press Enter to start.")

        // Ctrl-C at the start screen and a wrong PIN: still unattended.
        terminal.interrupt()
        try terminal.typeSecret("0000", after: "Staff PIN (Enter to go back): ")
        try terminal.expect("Wrong PIN.")
        let afterWrongPIN = try terminal.expect("Press Enter to start.")
        #expect(!afterWrongPIN.contains(Self.staffPrompt), "a wrong PIN left unattended mode:\n\(afterWrongPIN)")

        // A customer session; Ctrl-C in the middle and Enter without a PIN returns to the same question.
        terminal.send("\r")
        try terminal.expect("It was easy to book my test drive.")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("6")
        try terminal.expect("Did you book online?")
        try terminal.expect(Self.answerPrompt)
        terminal.interrupt()
        try terminal.typeSecret("", after: "Staff PIN (Enter to go back): ")
        let back = try terminal.expect("Did you book online?")
        #expect(!back.contains("Wrong PIN"), "an empty PIN was treated as a wrong one:\n\(back)")
        #expect(!back.contains(Self.staffPrompt), "an empty PIN left unattended mode:\n\(back)")
        #expect(!back.contains("It was easy to book"), "the session restarted instead of resuming:\n\(back)")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("y")
        try terminal.expect("Anything else you would like to tell us?")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("")
        try terminal.expect("Thank you for your answers!")
        try terminal.expect("Press Enter to start.")

        // Ctrl-C and the right PIN: back to staff mode.
        terminal.interrupt()
        try terminal.typeSecret("4321", after: "Staff PIN (Enter to go back): ")
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("status")
        try terminal.expect("staff PIN:   set for this run")
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("quit")
        #expect(try terminal.waitForExit() == 0, "screen:\n\(terminal.screen)")

        #expect(!terminal.screen.contains("4321"), "the PIN was echoed:\n\(terminal.screen)")
        #expect(!terminal.screen.contains("0000"), "the wrong PIN was echoed:\n\(terminal.screen)")
        let responses = try workspace.pendingResponses()
        try #require(responses.count == 1, "pending: \(workspace.pendingNames)")
        #expect(responses[0].string("mode") == "unattended")
        #expect(responses[0].surveyID == "test-drive-booking")
        #expect(jsonInt(responses[0].answer("booking-effort")) == 6)
        #expect(responses[0].answer("booked-online") as? Bool == true, "payload \(responses[0].payloadText)")
        let history = (try? String(contentsOf: workspace.historyFile, encoding: .utf8)) ?? ""
        #expect(!history.contains("4321") && !history.contains("0000"), "a PIN is in the history:\n\(history)")
        #expect(history.contains("kiosk test-drive-booking en"), "history:\n\(history)")
    }

    // MARK: d. Tab completion

    @Test("Tab completes staff commands and survey ids")
    func tabCompletion() throws {
        let workspace = try Workspace()
        let terminal = try workspace.kioskOnTerminal()
        try terminal.expect(Self.staffPrompt)

        // "sta" is ambiguous: a second Tab lists the candidates.
        terminal.send("sta\t\t")
        let listing = try terminal.expect("status")
        for candidate in ["start", "stats"] {
            #expect(listing.contains(candidate), "Tab listing lacks \(candidate):\n\(listing)")
        }
        // Readline redraws the line; finish the command word and complete the survey id (the full line
        // "start retail-visit en" shows up in the history file below).
        try terminal.expect(Self.staffPrompt + "sta")
        terminal.send("rt ret\t")
        try terminal.expect("retail-visit ")
        terminal.send("en\r")
        try terminal.expect("Your showroom visit")
        try terminal.expect(Self.answerPrompt)

        // Ctrl-C in an attended session cancels it without storing anything; at the staff prompt it
        // does not leave the kiosk; Ctrl-D does.
        terminal.interrupt()
        try terminal.expect("(session cancelled by staff; nothing stored)")
        try terminal.expect(Self.staffPrompt)
        terminal.interrupt()
        try terminal.expect("(type quit or press Ctrl-D to leave)")
        try terminal.expect(Self.staffPrompt)
        terminal.send(bytes: [0x04])
        #expect(try terminal.waitForExit() == 0, "screen:\n\(terminal.screen)")

        #expect(try workspace.pendingFiles().isEmpty)
        let history = try String(contentsOf: workspace.historyFile, encoding: .utf8)
        #expect(history.split(separator: "\n").contains("start retail-visit en"), "history:\n\(history)")
    }

    // MARK: Locale

    /// Regression: with no locale in the environment (LANG/LC_ALL/LC_CTYPE unset, as under a minimal
    /// service or container) readline would run in the C locale and read each UTF-8 lead byte as a
    /// Meta-key command ("Åsa" stored as "sa"). ReadlineConsole now picks a UTF-8 locale itself.
    @Test("customer text keeps Å when the environment sets no locale")
    func nonASCIIInputWithoutLocale() throws {
        let workspace = try Workspace()
        let terminal = try workspace.kioskOnTerminal(environment: ["LANG": nil, "LC_ALL": nil, "LC_CTYPE": nil])
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("start retail-visit en")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("3")
        try terminal.expect("What should we improve?")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("Åsa")
        try terminal.expect("Overall, how satisfied")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("4")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("")
        try terminal.expect("Thank you for your answers!")
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("quit")
        #expect(try terminal.waitForExit() == 0)
        let responses = try workspace.pendingResponses()
        try #require(responses.count == 1)
        #expect(responses[0].answer("improve") as? String == "Åsa", "payload \(responses[0].payloadText)")
    }

    // MARK: e. Idle timeout

    @Test("idle timeout abandons the session and keeps a partial response")
    func idleTimeoutKeepsPartial() throws {
        let workspace = try Workspace()
        let terminal = try workspace.kioskOnTerminal(["--idle-timeout", "2"])
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("start service-visit en")
        try terminal.expect("recommend our service centre")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("7")
        try terminal.expect("How satisfied are you with the work done on your car?")
        try terminal.expect(Self.answerPrompt)
        let started = Date()

        try terminal.expect("This survey was closed because nothing was typed for a while.", timeout: 20)
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 1.5, "timed out after \(waited) s with --idle-timeout 2")
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("quit")
        #expect(try terminal.waitForExit() == 0, "screen:\n\(terminal.screen)")

        let responses = try workspace.pendingResponses()
        try #require(responses.count == 1, "pending: \(workspace.pendingNames)")
        #expect(responses[0].string("status") == "partial", "payload \(responses[0].payloadText)")
        #expect(responses[0].surveyID == "service-visit")
        #expect(responses[0].answeredQuestions == ["recommend"], "payload \(responses[0].payloadText)")
        #expect(jsonInt(responses[0].answer("recommend")) == 7)
    }
}

/// Checks a response with python3's joserfc, an implementation that shares nothing with the kiosk.
enum JOSECheck {
    static let script = """
        import json, sys
        from joserfc import jws
        from joserfc.jwk import OKPKey
        key = OKPKey.import_key(json.loads(open(sys.argv[1]).read()))
        envelope = json.loads(open(sys.argv[2]).read())
        result = jws.deserialize_json(envelope, key, algorithms=["EdDSA"])
        sys.stdout.write(result.payload.decode("utf-8"))
        """

    static func verify(jwk: String, response: URL, in workspace: Workspace) throws {
        let probe = try workspace.runProcess("/usr/bin/env", ["python3", "-c", "import joserfc"])
        guard probe.status == 0 else { return }  // optional check: joserfc not installed here
        let jwkFile = workspace.url("exported.jwk")
        try jwk.write(to: jwkFile, atomically: true, encoding: .utf8)
        let result = try workspace.runProcess("/usr/bin/env", ["python3", "-c", script, jwkFile.path, response.path])
        #expect(result.status == 0, "joserfc rejected the response: \(result)")
        let payload = try Data(contentsOf: response)
        let members = try JSONSerialization.jsonObject(with: payload) as? [String: Any]
        let expected = (members?["payload"] as? String).flatMap(Base64URLTesting.decode)
        #expect(Data(result.stdout.utf8) == expected, "joserfc's payload differs: \(result.stdout)")
    }
}
