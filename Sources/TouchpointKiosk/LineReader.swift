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

    /// Reads `fd`, `chunkSize` bytes at a time (1 on a terminal, so nothing after the line is consumed).
    init(fd: Int32, chunkSize: Int) {
        self.fd = fd
        self.chunkSize = chunkSize
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
            switch Poll.wait(fd: fd, until: deadline) {
            case .interrupted: return .interrupt
            case .timedOut: return .timedOut
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

/// Waiting for input on a descriptor, Ctrl-C aware.
enum Poll {
    enum Outcome { case readable, timedOut, interrupted }

    /// Waits until `fd` is readable, the deadline passes or Ctrl-C is pressed.
    static func wait(fd: Int32, until deadline: Date?) -> Outcome {
        while true {
            if TerminalSignals.takeInterrupt() { return .interrupted }
            var milliseconds: Int32 = -1
            if let deadline {
                let remaining = deadline.timeIntervalSinceNow
                if remaining <= 0 { return .timedOut }
                milliseconds = Int32(min(remaining * 1000, 3_600_000).rounded(.up))
            }
            var descriptors = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: TerminalSignals.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&descriptors, descriptors[1].fd >= 0 ? 2 : 1, milliseconds)
            if ready > 0 && descriptors[1].revents != 0 { continue }  // Ctrl-C: the flag is checked at the top
            if ready > 0 { return .readable }
            if ready < 0 && errno != EINTR { return .readable }  // let read() report the error
        }
    }
}
