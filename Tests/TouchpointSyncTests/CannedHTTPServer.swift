import Foundation
import TouchpointTesting

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
