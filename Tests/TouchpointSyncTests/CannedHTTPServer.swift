import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers each connection with the next canned bytes, for testing
/// the HTTP transport's handling of real (and deliberately broken) answers. One connection at a time.
final class CannedHTTPServer: @unchecked Sendable {
    /// The port it listens on.
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var answers: [Data]
    private var requests: [String] = []
    private let thread: Thread

    /// Starts listening; `answers` are written raw (status line, headers, body) to successive connections,
    /// each connection closed after its answer.
    init(answers: [String]) throws {
        self.answers = answers.map { Data($0.utf8) }
        let (fd, port) = try bindLoopback(reuseAddress: true)
        guard listen(fd, 8) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        listener = fd
        self.port = port
        let box = ServeLoop()
        thread = Thread { box.server?.serve() }
        box.server = self
        thread.start()
    }

    private final class ServeLoop: @unchecked Sendable {
        weak var server: CannedHTTPServer?
    }

    /// The request heads and bodies received so far.
    var receivedRequests: [String] {
        lock.withLock { requests }
    }

    /// Stops accepting.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            let request = readRequest(connection)
            let answer: Data? = lock.withLock {
                requests.append(request)
                return answers.isEmpty ? nil : answers.removeFirst()
            }
            if let answer {
                answer.withUnsafeBytes { buffer in
                    var offset = 0
                    while offset < buffer.count {
                        let written = send(connection, buffer.baseAddress! + offset, buffer.count - offset, 0)
                        if written <= 0 { break }
                        offset += written
                    }
                }
            }
            shutdown(connection, Int32(SHUT_WR))
            close(connection)
        }
    }

    /// Reads a request head and, by Content-Length, its body.
    private func readRequest(_ connection: Int32) -> String {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var expected: Int?
        while true {
            if let expected, data.count >= expected { break }
            let count = recv(connection, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
            if expected == nil, let end = data.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: data[..<end.lowerBound], as: UTF8.self)
                let length = head.split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                expected = end.upperBound + length
            }
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A port on 127.0.0.1 where nothing listens, held for the test: a socket bound to it without `listen`, so a
/// connection is refused and no other test's server can take the port meanwhile (as one could after a stopped
/// server freed it).
final class RefusingPort: @unchecked Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        (fd, port) = try bindLoopback(reuseAddress: false)
    }

    deinit {
        close(fd)
    }
}

/// A TCP socket bound to a free port of 127.0.0.1 (not listening yet), and the port.
private func bindLoopback(reuseAddress: Bool) throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    if reuseAddress {
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else {
        close(fd)
        throw POSIXError(.EADDRINUSE)
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}
