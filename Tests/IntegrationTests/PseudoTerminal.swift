import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process running on its own pseudo-terminal, driven like a person at a keyboard.
///
/// The child is started with `posix_spawn` (never `fork`, the test process is multi-threaded) in a new
/// session whose controlling terminal is the pty's slave side, so writing Ctrl-C (0x03) to the master
/// delivers SIGINT exactly as a real terminal would. Everything the child writes is collected by a
/// background thread; ``expect(_:timeout:)`` waits for text with a deadline and fails with the screen.
final class PseudoTerminal: @unchecked Sendable {
    /// A wait that did not see what it expected.
    struct Timeout: Error, CustomStringConvertible {
        /// What was awaited.
        var awaited: String
        /// The (cleaned) output so far.
        var screen: String

        var description: String {
            "timed out waiting for \(awaited.debugDescription); screen so far:\n-----\n\(screen)\n-----"
        }
    }

    /// The child's process id.
    let pid: pid_t
    /// The terminal's settings before the child started.
    let initialSettings: termios
    /// The slave side's device (`/dev/pts/N`), for a program given the terminal by path (a service's `TTYPath`).
    let slavePath: String

    private let master: Int32
    private let slave: Int32
    private let condition = NSCondition()
    private var raw: [UInt8] = []
    private var cursor = 0
    private var stopping = false
    private var exitStatus: Int32?
    private let readerDone = DispatchSemaphore(value: 0)

    /// Starts `executable` with `arguments` in `directory` on a new pty of `columns`×`rows`.
    ///
    /// The child gets this process's environment with TERM=dumb and LANG=C.UTF-8, then `environment`
    /// (a nil value removes the variable).
    init(_ executable: String, _ arguments: [String], directory: String,
         environment: [String: String?] = [:], columns: UInt16 = 200, rows: UInt16 = 50) throws {
        // posix_openpt, grantpt, unlockpt, ptsname_r and posix_spawn_file_actions_addchdir_np are hidden
        // behind _XOPEN_SOURCE/_GNU_SOURCE in the Glibc module Swift imports: look them up in libc.
        let libc = LibC()
        let posix_openpt = libc.function("posix_openpt", as: LibC.OpenPT.self)
        let grantpt = libc.function("grantpt", as: LibC.FDCall.self)
        let unlockpt = libc.function("unlockpt", as: LibC.FDCall.self)
        let ptsname_r = libc.function("ptsname_r", as: LibC.PTSName.self)
        let addchdir = libc.function("posix_spawn_file_actions_addchdir_np", as: LibC.AddChdir.self)
        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw Self.systemError("posix_openpt") }
        guard grantpt(master) == 0, unlockpt(master) == 0 else {
            close(master)
            throw Self.systemError("grantpt/unlockpt")
        }
        var nameBuffer = [CChar](repeating: 0, count: 128)
        guard ptsname_r(master, &nameBuffer, nameBuffer.count) == 0 else {
            close(master)
            throw Self.systemError("ptsname_r")
        }
        let slavePath = String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.slavePath = slavePath
        // Held open here (no controlling-terminal effect) so the master never sees a hang-up while the
        // child starts or after it exits: exit is detected with waitpid, not EIO.
        slave = open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard slave >= 0 else {
            close(master)
            throw Self.systemError("open \(slavePath)")
        }
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        var initial = termios()
        _ = tcgetattr(master, &initial)
        initialSettings = initial

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // After setsid (done by posix_spawn before the file actions), opening the tty without
        // O_NOCTTY makes it the child's controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        _ = addchdir(&actions, directory)
        // Descriptors another test thread opened without O_CLOEXEC (a pipe's write end, say) must not
        // leak into the child: close everything above stderr (glibc ≥ 2.34).
        if let closeFrom = libc.optionalFunction("posix_spawn_file_actions_addclosefrom_np", as: LibC.CloseFrom.self) {
            _ = closeFrom(&actions, 3)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        let setsid: Int32 = 0x80  // POSIX_SPAWN_SETSID (glibc ≥ 2.26; hidden behind _GNU_SOURCE)
        posix_spawnattr_setflags(&attributes, Int16(setsid | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "dumb"
        env["LANG"] = "C.UTF-8"
        env["LC_ALL"] = nil
        env["INPUTRC"] = "/dev/null"  // no user or system key bindings
        env["COLUMNS"] = nil
        env["LINES"] = nil
        for (key, value) in environment { env[key] = value }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            close(master)
            close(slave)
            throw Self.systemError("posix_spawn \(executable)", code: result)
        }
        pid = child

        let thread = Thread { [self] in readLoop() }
        thread.name = "pty reader \(child)"
        thread.start()
    }

    deinit {
        if exitStatusIfExited() == nil {
            kill(pid, SIGKILL)
            _ = try? waitForExit(timeout: 10)
        }
        condition.lock()
        stopping = true
        condition.unlock()
        readerDone.wait()
        close(master)
        close(slave)
    }

    // MARK: Typing

    /// Types `text` (UTF-8) as if on the keyboard. Use "\r" for Enter.
    func send(_ text: String) {
        send(bytes: Array(text.utf8))
    }

    /// Types raw bytes.
    func send(bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            offset += written
        }
    }

    /// Types `text` followed by Enter.
    func sendLine(_ text: String) {
        send(text + "\r")
    }

    /// Presses Ctrl-C.
    func interrupt() {
        send(bytes: [0x03])
    }

    /// Presses the Up arrow (ANSI cursor key).
    func up() {
        send("\u{1B}[A")
    }

    /// Waits for a secret prompt and for echo to go off (the console throws away what was typed before
    /// the prompt), then types `secret` and Enter.
    func typeSecret(_ secret: String, after prompt: String) throws {
        try expect(prompt)
        try waitForEcho(false)
        sendLine(secret)
    }

    /// Presses Ctrl-Z.
    func suspend() {
        send(bytes: [0x1A])
    }

    /// Presses Ctrl-\.
    func quitKey() {
        send(bytes: [0x1C])
    }

    /// Resizes the terminal (the kernel sends SIGWINCH to the foreground process group).
    func resize(columns: UInt16, rows: UInt16) {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
    }

    /// Bytes typed that the child has not read yet (or that are still waiting to be thrown away).
    var unreadInput: Int {
        var count: Int32 = 0
        _ = ioctl(slave, UInt(FIONREAD), &count)
        return Int(count)
    }

    /// The terminal's current settings, as the child left them.
    var settings: termios {
        var attributes = termios()
        _ = tcgetattr(master, &attributes)
        return attributes
    }

    // MARK: Waiting

    /// Waits until `substring` appears in the output after the previous match; returns the output from
    /// the previous match up to and including this one, and moves past it.
    @discardableResult
    func expect(_ substring: String, timeout: Double = 20) throws -> String {
        let needle = Array(substring.utf8)
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            let text = Self.clean(raw)
            if let range = Self.find(needle, in: text, from: cursor) {
                let seen = String(decoding: text[cursor..<range.upperBound], as: UTF8.self)
                cursor = range.upperBound
                return seen
            }
            if !condition.wait(until: deadline) {
                throw Timeout(awaited: substring, screen: String(decoding: Self.clean(raw), as: UTF8.self))
            }
        }
    }

    /// Waits until the terminal's local echo is `on` or off (as the child set it with tcsetattr).
    ///
    /// A PIN prompt is printed before echo is turned off with TCSAFLUSH, which discards anything already
    /// typed: wait for both the prompt and this before typing a secret.
    func waitForEcho(_ on: Bool, timeout: Double = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            var attributes = termios()
            if tcgetattr(master, &attributes) == 0, (attributes.c_lflag & tcflag_t(ECHO) != 0) == on { return }
            guard Date() < deadline else {
                throw Timeout(awaited: on ? "echo on" : "echo off", screen: screen)
            }
            usleep(5_000)
        }
    }

    /// All output so far, without terminal escape sequences, carriage returns and bells.
    var screen: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: Self.clean(raw), as: UTF8.self)
    }

    /// What is on the screen now: the output after the last clear-screen sequence (ESC [2J), cleaned.
    var currentScreen: String {
        condition.lock()
        defer { condition.unlock() }
        let clear: [UInt8] = [0x1B, UInt8(ascii: "["), UInt8(ascii: "2"), UInt8(ascii: "J")]
        var start = 0
        if raw.count >= clear.count {
            for index in stride(from: raw.count - clear.count, through: 0, by: -1)
            where raw[index..<(index + clear.count)].elementsEqual(clear) {
                start = index
                break
            }
        }
        return String(decoding: Self.clean(Array(raw[start...])), as: UTF8.self)
    }

    /// Output after the last match, cleaned.
    var unmatched: String {
        condition.lock()
        defer { condition.unlock() }
        let text = Self.clean(raw)
        return String(decoding: text[min(cursor, text.count)...], as: UTF8.self)
    }

    /// Waits for the child to exit; returns its exit status (128 + signal if killed by one).
    func waitForExit(timeout: Double = 20) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let status = exitStatusIfExited() { return status }
            guard Date() < deadline else { throw Timeout(awaited: "process exit", screen: screen) }
            usleep(10_000)
        }
    }

    // MARK: Private

    private func exitStatusIfExited() -> Int32? {
        condition.lock()
        defer { condition.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        let signal = status & 0x7F
        exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        return exitStatus
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            condition.lock()
            let stop = stopping
            condition.unlock()
            if stop { break }
            var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { Glibc.read(master, $0.baseAddress, $0.count) }
            if count > 0 {
                condition.lock()
                raw.append(contentsOf: buffer[..<count])
                condition.broadcast()
                condition.unlock()
            } else if count < 0 && errno != EINTR && errno != EAGAIN {
                usleep(20_000)  // EIO while no slave is open: keep polling until stopped
            }
        }
        readerDone.signal()
    }

    /// `bytes` without ESC sequences (CSI, OSC, two-byte), `\r`, BEL and backspaces.
    static func clean(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x1B:
                index += 1
                guard index < bytes.count else { break }
                if bytes[index] == UInt8(ascii: "[") {
                    index += 1
                    while index < bytes.count, !(0x40...0x7E).contains(bytes[index]) { index += 1 }
                } else if bytes[index] == UInt8(ascii: "]") {
                    while index < bytes.count, bytes[index] != 0x07,
                          !(bytes[index] == UInt8(ascii: "\\") && bytes[index - 1] == 0x1B) { index += 1 }
                }
            case UInt8(ascii: "\r"), 0x07, 0x08:
                break
            default:
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Range<Int>? {
        guard !needle.isEmpty else { return start..<start }
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index..<(index + needle.count)
            }
        }
        return nil
    }

    private static func systemError(_ what: String, code: Int32 = errno) -> NSError {
        NSError(domain: NSPOSIXErrorDomain, code: Int(code),
                userInfo: [NSLocalizedDescriptionKey: "\(what): \(String(cString: strerror(code)))"])
    }
}

/// libc functions the Glibc module does not export, looked up by name.
private struct LibC {
    typealias OpenPT = @convention(c) (Int32) -> Int32
    typealias FDCall = @convention(c) (Int32) -> Int32
    typealias PTSName = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    private let handle = dlopen(nil, RTLD_NOW)

    func function<T>(_ name: String, as type: T.Type) -> T {
        guard let function = optionalFunction(name, as: type) else { fatalError("libc has no \(name)") }
        return function
    }

    func optionalFunction<T>(_ name: String, as type: T.Type) -> T? {
        dlsym(handle, name).map { unsafeBitCast($0, to: type) }
    }
}
