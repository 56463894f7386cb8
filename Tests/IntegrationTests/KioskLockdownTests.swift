import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Unattended mode on a real terminal, started as staff start it: a job of an interactive shell.
///
/// Nothing a customer can press, and no signal a terminal can send, leaves the kiosk or shows anything
/// but the kiosk; every customer gets a clean screen.
@Suite("Kiosk lockdown and the customer's screen", .serialized)
struct KioskLockdownTests {
    static let staffPrompt = Workspace.staffPrompt
    static let answerPrompt = "\n> "
    static let pinPrompt = "Staff PIN (Enter to go back): "
    static let start = "Press Enter to start."

    /// Sets a PIN for this run when unattended mode starts.
    private func setPIN(_ pin: String, on terminal: PseudoTerminal) throws {
        try terminal.expect("No staff PIN is configured")
        try terminal.typeSecret(pin, after: "New staff PIN: ")
        try terminal.typeSecret(pin, after: "Repeat the PIN: ")
    }

    /// Text a shell or Swift's crash reporter would have drawn.
    private func expectNoEscape(_ text: String, _ what: String) {
        for marker in ["Stopped", Workspace.shellPrompt, "Press space to interact", "Crash", "Backtrace", "💣", "Thread 0"] {
            #expect(!text.contains(marker), "\(what): '\(marker)' on the customer's screen:\n\(text)")
        }
    }

    @Test("Ctrl-Z and Ctrl-\\ in unattended mode ask for the PIN: the kiosk keeps the foreground, no shell, no backtrace")
    func suspendAndQuitKeysDoNotEscape() throws {
        let workspace = try Workspace()
        let terminal = try workspace.kioskInShell()
        try terminal.expect(Self.staffPrompt)
        let kioskStarted = terminal.screen.count
        let kiosk = try workspace.kioskProcess(in: terminal)
        terminal.sendLine("kiosk test-drive-booking en")
        try setPIN("4321", on: terminal)
        try terminal.expect(Self.start)

        // Ctrl-Z at the start screen: the PIN prompt, not a stopped job.
        terminal.suspend()
        let afterSuspend = try terminal.expect(Self.pinPrompt)
        expectNoEscape(afterSuspend, "after Ctrl-Z")
        #expect(Workspace.processState(kiosk) != "T", "the kiosk was stopped by Ctrl-Z")
        try terminal.waitForEcho(false)
        terminal.sendLine("")
        try terminal.expect(Self.start)

        // In a session: Ctrl-\ asks for the PIN too, and Enter goes back to the same question.
        terminal.send("\r")
        try terminal.expect("It was easy to book my test drive.")
        try terminal.expect(Self.answerPrompt)
        terminal.quitKey()
        let afterQuit = try terminal.expect(Self.pinPrompt)
        expectNoEscape(afterQuit, "after Ctrl-\\")
        try terminal.waitForEcho(false)
        terminal.sendLine("")
        try terminal.expect("It was easy to book my test drive.")
        try terminal.expect(Self.answerPrompt)

        // Ctrl-Z in the middle of a typed answer: still the kiosk's.
        terminal.send("5")
        terminal.suspend()
        try terminal.expect(Self.pinPrompt)
        #expect(Workspace.processState(kiosk) != "T", "the kiosk was stopped by Ctrl-Z")
        try terminal.typeSecret("4321", after: "")
        try terminal.expect("Left unattended mode.")
        try terminal.expect(Self.staffPrompt)
        expectNoEscape(String(terminal.screen.dropFirst(kioskStarted)), "whole run")
        terminal.sendLine("quit")
        try terminal.expect(Workspace.shellPrompt)
        #expect(try workspace.pendingFiles().isEmpty)
    }

    @Test("SIGHUP in unattended mode: the half-answered session is kept as on the idle timeout, the kiosk exits")
    func hangUpStopsGracefully() throws {
        let workspace = try Workspace()
        let terminal = try workspace.kioskInShell()
        try terminal.expect(Self.staffPrompt)
        let kiosk = try workspace.kioskProcess(in: terminal)
        terminal.sendLine("kiosk service-visit en")
        try setPIN("4321", on: terminal)
        try terminal.expect(Self.start)
        terminal.send("\r")
        try terminal.expect("recommend our service centre")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("8")
        try terminal.expect("How satisfied are you with the work done on your car?")
        try terminal.expect(Self.answerPrompt)

        kill(kiosk, SIGHUP)
        let afterHangUp = try terminal.expect(Workspace.shellPrompt)
        for marker in ["Press space to interact", "Crash", "Backtrace", "💣"] {
            #expect(!afterHangUp.contains(marker), "'\(marker)' on screen:\n\(afterHangUp)")
        }
        let responses = try workspace.pendingResponses()
        try #require(responses.count == 1, "pending: \(workspace.pendingNames)")
        #expect(responses[0].string("status") == "partial", "payload \(responses[0].payloadText)")
        #expect(responses[0].answeredQuestions == ["recommend"], "payload \(responses[0].payloadText)")
        #expect(jsonInt(responses[0].answer("recommend")) == 8)
    }

    @Test("SIGTERM and a crash restore the terminal settings; a crash is reported in a file, never on screen")
    func terminalIsRestoredOnEveryWayOut() throws {
        // SIGTERM: a graceful stop with exit status 0.
        do {
            let workspace = try Workspace()
            let terminal = try workspace.kioskOnTerminal()
            try terminal.expect(Self.staffPrompt)
            let before = terminal.initialSettings
            terminal.sendLine("kiosk test-drive-booking en")
            try setPIN("4321", on: terminal)
            try terminal.expect(Self.start)
            #expect(terminal.settings.c_iflag & tcflag_t(IXON) == 0, "flow control (Ctrl-S) is on in unattended mode")
            kill(terminal.pid, SIGTERM)
            #expect(try terminal.waitForExit() == 0, "screen:\n\(terminal.screen)")
            let after = terminal.settings
            #expect(after.c_lflag == before.c_lflag, "local flags \(String(after.c_lflag, radix: 8)) ≠ \(String(before.c_lflag, radix: 8))")
            #expect(after.c_iflag == before.c_iflag, "input flags \(String(after.c_iflag, radix: 8)) ≠ \(String(before.c_iflag, radix: 8))")
        }
        // A crash (SIGSEGV): settings restored, the report in logs/, nothing on screen.
        do {
            let workspace = try Workspace()
            let terminal = try workspace.kioskOnTerminal()
            try terminal.expect(Self.staffPrompt)
            let before = terminal.initialSettings
            terminal.sendLine("kiosk test-drive-booking en")
            try setPIN("4321", on: terminal)
            try terminal.expect(Self.start)
            let marker = terminal.screen.count
            kill(terminal.pid, SIGSEGV)
            let status = try terminal.waitForExit(timeout: 60)
            #expect(status != 0, "the kiosk survived SIGSEGV")
            let after = terminal.settings
            #expect(after.c_lflag == before.c_lflag,
                    "local flags after the crash \(String(after.c_lflag, radix: 8)) ≠ \(String(before.c_lflag, radix: 8))")
            #expect(after.c_iflag == before.c_iflag,
                    "input flags after the crash \(String(after.c_iflag, radix: 8)) ≠ \(String(before.c_iflag, radix: 8))")
            let shown = String(terminal.screen.dropFirst(marker))
            for text in ["Press space to interact", "Crash", "crash", "Backtrace", "💣", "Thread 0", "Fatal"] {
                #expect(!shown.contains(text), "'\(text)' on the customer's screen:\n\(shown)")
            }
            let logs = (try? FileManager.default.contentsOfDirectory(atPath: workspace.url("logs").path)) ?? []
            let reports = logs.filter { $0 != "kiosk.log" }
            #expect(!reports.isEmpty, "no crash report in logs/: \(logs)")
        }
    }

    @Test("typeahead during the thank-you never reaches the next customer; the first screen holds nothing from staff")
    func cleanScreenForEveryCustomer() throws {
        let workspace = try Workspace()
        let terminal = try workspace.kioskInShell(["--thank-you-seconds", "10"])
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("kiosk test-drive-booking en")
        try setPIN("4321", on: terminal)
        try terminal.expect(Self.start)
        let first = terminal.currentScreen
        for staffText in ["touchpoint [", "PIN", "Unattended", "kiosk test-drive-booking"] {
            #expect(!first.contains(staffText), "the first customer sees '\(staffText)':\n\(first)")
        }

        terminal.send("\r")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("6")
        try terminal.expect("Did you book online?")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("y")
        try terminal.expect("Anything else you would like to tell us?")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("first-customer-remark")
        try terminal.expect("Thank you for your answers!")
        // Typed during the thank-you: it would start a session and answer question 1 if it leaked. The kiosk
        // reads nothing during the thank-you, so the keys wait in the terminal's input queue: seeing them
        // there before the start screen is drawn proves they were typed before the kiosk threw typeahead away.
        terminal.send("5\r5\r")
        let deadline = Date().addingTimeInterval(60)
        while terminal.unreadInput < 4 && !terminal.unmatched.contains(Self.start) && Date() < deadline { usleep(1_000) }
        try #require(!terminal.unmatched.contains(Self.start),
                     "the start screen came before the typeahead was queued: nothing was tested (machine too slow?)")
        try terminal.expect(Self.start)
        let next = terminal.currentScreen
        #expect(!next.contains("first-customer-remark"), "the previous customer's answer is on screen:\n\(next)")

        terminal.send("\r")
        let question = try terminal.expect(Self.answerPrompt)
        #expect(question.contains("Question 1 of 4"), "the next customer did not start at question 1:\n\(question)")
        #expect(!question.contains("Did you book online?"), "typeahead answered question 1:\n\(question)")
        terminal.sendLine("3")
        try terminal.expect("Did you book online?")
        try terminal.expect(Self.answerPrompt)
        terminal.interrupt()
        try terminal.typeSecret("4321", after: Self.pinPrompt)
        try terminal.expect(Self.staffPrompt)
        let staffScreen = terminal.currentScreen
        #expect(!staffScreen.contains("Did you book online?"), "the last customer's screen stayed for staff:\n\(staffScreen)")
        terminal.sendLine("quit")
        try terminal.expect(Workspace.shellPrompt)

        let responses = try workspace.pendingResponses()
        #expect(responses.count == 1, "pending: \(workspace.pendingNames)")
        #expect(responses.first.map { jsonInt($0.answer("booking-effort")) } == 6)
    }

    @Test("wrong PINs: a growing delay, then a lockout; logged without the PIN")
    func wrongPINLockout() throws {
        let workspace = try Workspace()
        try "pinAttempts: 2\npinLockoutSeconds: 600\n".write(to: workspace.url("touchpoint.yaml"), atomically: true, encoding: .utf8)
        let terminal = try workspace.kioskOnTerminal()
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("kiosk test-drive-booking en")
        try setPIN("4321", on: terminal)
        try terminal.expect(Self.start)

        terminal.interrupt()
        try terminal.typeSecret("1111", after: Self.pinPrompt)
        try terminal.expect("Wrong PIN.")
        try terminal.expect(Self.start)
        terminal.interrupt()
        try terminal.typeSecret("2222", after: Self.pinPrompt)
        try terminal.expect("Staff PIN locked for 10 min.")
        try terminal.expect(Self.start)
        // Locked: even the right PIN cannot be typed now.
        terminal.interrupt()
        let locked = try terminal.expect("try again in 10 min.")
        #expect(!locked.contains(Self.pinPrompt), "the PIN prompt was shown while locked:\n\(locked)")
        try terminal.expect(Self.start)

        kill(terminal.pid, SIGTERM)
        #expect(try terminal.waitForExit() == 0)
        let log = try String(contentsOf: workspace.url("logs/kiosk.log"), encoding: .utf8)
        #expect(log.contains("wrong staff PIN"), "log:\n\(log)")
        #expect(log.contains("staff PIN locked"), "log:\n\(log)")
        for pin in ["1111", "2222", "4321"] {
            #expect(!log.contains(pin), "a PIN is in the log:\n\(log)")
        }
        #expect(!terminal.screen.contains("1111") && !terminal.screen.contains("2222"), "a PIN was echoed")
    }

    @Test("< then Enter keeps the earlier answer, pre-filled and editable")
    func goingBackKeepsAnswers() throws {
        let workspace = try Workspace()
        let terminal = try workspace.kioskOnTerminal()
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("start retail-visit en")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("3")
        try terminal.expect("What should we improve?")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("better coffee")
        try terminal.expect("Overall, how satisfied")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("<")
        try terminal.expect("What should we improve?")
        // The earlier answer is on the line already: Enter keeps it.
        try terminal.expect(Self.answerPrompt + "better coffee")
        terminal.send("\r")
        try terminal.expect("Overall, how satisfied")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("4")
        try terminal.expect("What brought you here today?")
        try terminal.expect(Self.answerPrompt)
        // Back to a required question: Enter keeps its answer instead of "needs an answer".
        terminal.sendLine("<")
        try terminal.expect("Overall, how satisfied")
        try terminal.expect(Self.answerPrompt + "4")
        terminal.send("\r")
        let next = try terminal.expect("What brought you here today?")
        #expect(!next.contains("needs an answer"), "Enter on a kept answer was refused:\n\(next)")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("")
        try terminal.expect("Thank you for your answers!")
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("quit")
        #expect(try terminal.waitForExit() == 0)

        let responses = try workspace.pendingResponses()
        try #require(responses.count == 1)
        #expect(responses[0].answer("improve") as? String == "better coffee", "payload \(responses[0].payloadText)")
        #expect(jsonInt(responses[0].answer("visit-satisfaction")) == 4, "payload \(responses[0].payloadText)")
    }

    @Test("80 columns: words wrap whole; a resize to 40 columns redraws the question, scale row included")
    func wrappingAndResize() throws {
        let workspace = try Workspace()
        let terminal = try workspace.kioskOnTerminal(columns: 80)
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("start retail-visit sv")
        try terminal.expect(Self.answerPrompt)
        let page = terminal.currentScreen
        #expect(page.contains("kollega?"), "page:\n\(page)")
        for line in page.split(separator: "\n") {
            #expect(line.count <= 80, "a line is wider than the terminal: '\(line)'")
        }
        let words = page.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        #expect(words.contains("eller"), "'eller' was broken:\n\(page)")

        terminal.resize(columns: 40, rows: 30)
        try terminal.expect("kollega?")
        try terminal.expect(Self.answerPrompt)
        let narrow = terminal.currentScreen
        for line in narrow.split(separator: "\n") {
            #expect(line.count <= 40, "a line is wider than 40 columns after the resize: '\(line)'")
        }
        #expect(narrow.contains("0  1  2  3  4  5  6  7  8  9  10"), "the scale row broke:\n\(narrow)")
        terminal.sendLine("9")
        try terminal.expect("Vad uppskattade du mest")
        try terminal.expect(Self.answerPrompt)
        terminal.interrupt()
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("quit")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test("single-key answers and the privacy notice before the first comment")
    func singleKeyAndPrivacyNotice() throws {
        let workspace = try Workspace()
        try """
            singleKey: true
            privacyNotice:
              en: Please do not write names or phone numbers in your comments.
              sv: Skriv inte namn eller telefonnummer i dina kommentarer.
            """.write(to: workspace.url("touchpoint.yaml"), atomically: true, encoding: .utf8)
        let terminal = try workspace.kioskOnTerminal()
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("start test-drive-booking en")
        let first = try terminal.expect(Self.answerPrompt)
        #expect(first.contains("Press a number"), "no single-key hint:\n\(first)")
        #expect(!first.contains("Please do not write names"), "the notice came before the comment question:\n\(first)")
        terminal.send("6")  // no Enter
        try terminal.expect("Did you book online?")
        try terminal.expect(Self.answerPrompt)
        terminal.send("x")  // not an answer: ignored
        terminal.send("y")
        let comment = try terminal.expect("Anything else you would like to tell us?")
        #expect(comment.contains("Please do not write names or phone numbers in your comments."),
                "no privacy notice before the comment question:\n\(comment)")
        try terminal.expect(Self.answerPrompt)
        terminal.sendLine("fine")
        try terminal.expect("Thank you for your answers!")
        try terminal.expect(Self.staffPrompt)
        terminal.sendLine("quit")
        #expect(try terminal.waitForExit() == 0)

        let responses = try workspace.pendingResponses()
        try #require(responses.count == 1)
        #expect(jsonInt(responses[0].answer("booking-effort")) == 6, "payload \(responses[0].payloadText)")
        #expect(responses[0].answer("booked-online") as? Bool == true, "payload \(responses[0].payloadText)")
        #expect(responses[0].answer("comment") as? String == "fine", "payload \(responses[0].payloadText)")
    }
}
