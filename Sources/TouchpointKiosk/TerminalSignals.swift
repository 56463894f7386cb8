#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Set by the SIGINT handler, read and cleared by the console's read loop.
nonisolated(unsafe) private var interruptPending: sig_atomic_t = 0

/// Ctrl-C handling: SIGINT sets a flag that the console's read loop turns into ``ConsoleInput/interrupt``,
/// so Ctrl-C never kills the kiosk and never drops a customer to a shell.
public enum TerminalSignals {
    /// Installs the SIGINT handler (without SA_RESTART, so a waiting poll() wakes up).
    public static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in interruptPending = 1 }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Whether Ctrl-C was pressed since the last call; clears the flag.
    public static func takeInterrupt() -> Bool {
        guard interruptPending != 0 else { return false }
        interruptPending = 0
        return true
    }
}
