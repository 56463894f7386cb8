#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads lines from a file descriptor with a timeout, noticing Ctrl-C while it waits.
final class LineReader {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var ended = false
    private let chunkSize: Int
    private let terminal: Bool

    /// Reads `fd`, `chunkSize` bytes at a time (1 on a terminal, so nothing after the line is consumed).
    init(fd: Int32, chunkSize: Int, terminal: Bool = false) {
        self.fd = fd
        self.chunkSize = chunkSize
        self.terminal = terminal
    }

    /// The next line (without `\n` or `\r`), or why there is none.
    func readLine(timeout: Double?) -> ConsoleInput {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var bytes = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
                return .line(String(decoding: bytes, as: UTF8.self))
            }
            if ended {
                guard !buffer.isEmpty else { return .endOfInput }
                let bytes = buffer
                buffer.removeAll()
                return .line(String(decoding: bytes, as: UTF8.self))
            }
            switch Poll.wait(fd: fd, until: deadline, terminal: terminal) {
            case .interrupted: return .interrupt
            case .timedOut: return .timedOut
            case .shutdown: return .shutdown
            case .resized: continue
            case .readable:
                var chunk = [UInt8](repeating: 0, count: chunkSize)
                let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    buffer.append(contentsOf: chunk[..<count])
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    ended = true
                }
            }
        }
    }
}

/// Waiting for input on a descriptor, aware of the kiosk's signals.
enum Poll {
    enum Outcome { case readable, timedOut, interrupted, shutdown, resized }

    /// Waits until `fd` is readable, the deadline passes or a signal arrives. On a terminal
    /// (`terminal`), a hang-up means the terminal is gone: the kiosk stops as on SIGHUP.
    static func wait(fd: Int32, until deadline: Date?, terminal: Bool = false) -> Outcome {
        while true {
            switch TerminalSignals.take() {
            case .shutdown: return .shutdown
            case .interrupt: return .interrupted
            case .resize: return .resized
            case nil: break
            }
            var milliseconds: Int32 = -1
            if let deadline {
                let remaining = deadline.timeIntervalSinceNow
                if remaining <= 0 { return .timedOut }
                milliseconds = Int32(min(remaining * 1000, 3_600_000).rounded(.up))
            }
            var descriptors = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: TerminalSignals.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&descriptors, descriptors[1].fd >= 0 ? 2 : 1, milliseconds)
            if ready > 0 && descriptors[1].revents != 0 { continue }  // a signal: its flag is read at the top
            if ready > 0, terminal, descriptors[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                TerminalSignals.requestShutdown()
                return .shutdown
            }
            if ready > 0 { return .readable }
            if ready < 0 && errno != EINTR { return .readable }  // let read() report the error
        }
    }

    /// Waits `seconds` without reading input; false if the kiosk was asked to stop meanwhile.
    static func sleep(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            switch wait(fd: -1, until: deadline) {
            case .shutdown: return false
            case .timedOut: return true
            case .readable, .interrupted, .resized: continue
            }
        }
    }
}
