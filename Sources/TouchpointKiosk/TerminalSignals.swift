#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Set by the SIGINT handler, read and cleared by the console's read loop.
nonisolated(unsafe) private var interruptPending: sig_atomic_t = 0
/// The write end of the self-pipe the handler wakes poll() with (-1 until installed).
nonisolated(unsafe) private var wakeWriteFD: Int32 = -1
/// The read end, polled beside stdin.
nonisolated(unsafe) private var wakeReadFD: Int32 = -1

/// Ctrl-C handling: SIGINT sets a flag and writes a byte to a self-pipe, so a waiting poll() always
/// wakes up, and the console's read loop turns it into ``ConsoleInput/interrupt``. Ctrl-C never kills the
/// kiosk and never drops a customer to a shell.
public enum TerminalSignals {
    /// Installs the SIGINT handler and the self-pipe.
    public static func install() {
        if wakeReadFD < 0 {
            var fds: [Int32] = [-1, -1]
            if pipe(&fds) == 0 {
                for fd in fds {
                    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                }
                wakeReadFD = fds[0]
                wakeWriteFD = fds[1]
            }
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            interruptPending = 1
            if wakeWriteFD >= 0 {
                var byte: UInt8 = 1
                _ = write(wakeWriteFD, &byte, 1)
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// The descriptor that becomes readable when Ctrl-C is pressed, or -1 before ``install()``.
    static var wakeDescriptor: Int32 { wakeReadFD }

    /// Whether Ctrl-C was pressed since the last call; clears the flag and drains the self-pipe.
    public static func takeInterrupt() -> Bool {
        guard interruptPending != 0 else { return false }
        interruptPending = 0
        if wakeReadFD >= 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            while read(wakeReadFD, &buffer, buffer.count) > 0 {}
        }
        return true
    }
}
