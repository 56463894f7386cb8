import Foundation
import Testing
import TouchpointStore
#if canImport(Glibc)
import Glibc
#endif

/// A kiosk started at boot (issue 16): straight into unattended mode, no staff input, the PIN only from staffPinHash.
@Suite("Kiosk started unattended", .serialized)
struct KioskBootTests {
    @Test("--unattended SURVEY starts at the customer's start screen; only the configured PIN leads to the staff prompt")
    func startsUnattendedWithoutStaff() throws {
        let workspace = try Workspace()
        let hash = PINHash.make(pin: "2468", iterations: 1_000).encoded
        try "staffPinHash: \"\(hash)\"\n".write(to: workspace.url("touchpoint.yaml"), atomically: true, encoding: .utf8)
        let terminal = try workspace.kioskInShell(["--config", "touchpoint.yaml", "--unattended", "test-drive-booking"])
        let kiosk = try workspace.kioskProcess(in: terminal)
        let screen = try terminal.expect(KioskLockdownTests.start)
        #expect(!screen.contains("No staff PIN is configured") && !screen.contains(Workspace.staffPrompt), "\(screen)")
        // A customer starts (choosing a language, as no language is configured).
        terminal.send("\r")
        try terminal.expect("Choose language")
        terminal.send("2\r")
        try terminal.expect("It was easy to book my test drive.")
        try terminal.expect(KioskLockdownTests.answerPrompt)
        // Ctrl-Z is the kiosk's: the PIN prompt, and the configured PIN leaves to the staff prompt.
        terminal.suspend()
        try terminal.expect(KioskLockdownTests.pinPrompt)
        #expect(Workspace.processState(kiosk) != "T", "the kiosk was stopped by Ctrl-Z")
        try terminal.typeSecret("2468", after: "")
        try terminal.expect("Left unattended mode.")
        try terminal.expect(Workspace.staffPrompt)
        terminal.sendLine("quit")
        try terminal.expect(Workspace.shellPrompt)
    }

    @Test("--unattended without staffPinHash refuses to start, saying why")
    func refusesWithoutAConfiguredPIN() throws {
        let workspace = try Workspace()
        let result = try workspace.run(["kiosk"] + Workspace.kioskFlags + ["--unattended", "test-drive-booking"], input: "")
        #expect(result.status != 0 && result.stdout.contains("no staffPinHash is configured"), "\(result)")
        #expect(try workspace.pendingFiles().isEmpty)
    }
}
