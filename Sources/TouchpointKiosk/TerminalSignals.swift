#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Set by the SIGINT handler (Ctrl-C).
nonisolated(unsafe) private var interruptPending: sig_atomic_t = 0
/// Set by the SIGTSTP and SIGQUIT handlers (Ctrl-Z, Ctrl-\).
nonisolated(unsafe) private var suspendPending: sig_atomic_t = 0
/// The signal that asked the kiosk to stop (SIGTERM, SIGHUP), 0 until one did. Never cleared.
nonisolated(unsafe) private var shutdownSignal: sig_atomic_t = 0
/// Set by the SIGWINCH handler (the terminal was resized).
nonisolated(unsafe) private var resizePending: sig_atomic_t = 0
/// The write end of the self-pipe the handlers wake poll() with (-1 until installed).
nonisolated(unsafe) private var wakeWriteFD: Int32 = -1
/// The read end, polled beside stdin.
nonisolated(unsafe) private var wakeReadFD: Int32 = -1

private func wake() {
    if wakeWriteFD >= 0 {
        var byte: UInt8 = 1
        _ = write(wakeWriteFD, &byte, 1)
    }
}

/// The kiosk's signals. Handlers only set a flag and write a byte to a self-pipe, so a waiting poll()
/// always wakes up; the console's read loop turns the flags into ``ConsoleInput`` values.
///
/// - Ctrl-C (SIGINT) never kills the kiosk: it becomes ``ConsoleInput/interrupt``.
/// - Ctrl-Z (SIGTSTP) and Ctrl-\ (SIGQUIT) never stop the kiosk or draw a crash report: they are
///   ignored in staff mode and ask for the staff PIN in ``lockedDown`` (unattended) mode.
/// - SIGTERM and SIGHUP ask for a graceful stop: ``ConsoleInput/shutdown`` from every read after.
/// - SIGWINCH: the console redraws its page at the new width.
public enum TerminalSignals {
    /// Installs the handlers and the self-pipe (once per process).
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
        handle(SIGINT) { _ in interruptPending = 1; wake() }
        handle(SIGTSTP) { _ in suspendPending = 1; wake() }
        handle(SIGQUIT) { _ in suspendPending = 1; wake() }
        handle(SIGTERM) { signal in shutdownSignal = signal; wake() }
        handle(SIGHUP) { signal in shutdownSignal = signal; wake() }
        handle(SIGWINCH) { _ in resizePending = 1; wake() }
        signal(SIGPIPE, SIG_IGN)
    }

    private static func handle(_ number: Int32, _ handler: @convention(c) (Int32) -> Void) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        // SA_RESTART: a signal never makes a blocking write fail half-way; poll() is woken by the pipe.
        action.sa_flags = SA_RESTART
        sigaction(number, &action, nil)
    }

    /// Whether Ctrl-Z and Ctrl-\ ask for the staff PIN (unattended mode) instead of being ignored.
    nonisolated(unsafe) public static var lockedDown = false

    /// The descriptor that becomes readable when a signal arrives, or -1 before ``install()``.
    static var wakeDescriptor: Int32 { wakeReadFD }

    /// Whether SIGTERM or SIGHUP asked the kiosk to stop.
    public static var shutdownRequested: Bool { shutdownSignal != 0 }

    /// Asks the kiosk to stop as SIGTERM would (the terminal is gone, say).
    static func requestShutdown() {
        shutdownSignal = SIGHUP
        wake()
    }

    /// What arrived since the last call, most urgent first; clears it and drains the self-pipe.
    static func take() -> Event? {
        drain()
        if shutdownSignal != 0 { return .shutdown }
        if interruptPending != 0 {
            interruptPending = 0
            return .interrupt
        }
        if suspendPending != 0 {
            suspendPending = 0
            if lockedDown { return .interrupt }
        }
        if resizePending != 0 {
            resizePending = 0
            return .resize
        }
        return nil
    }

    /// A signal's meaning for the console.
    enum Event { case interrupt, shutdown, resize }

    private static func drain() {
        if wakeReadFD >= 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            while read(wakeReadFD, &buffer, buffer.count) > 0 {}
        }
    }
}
