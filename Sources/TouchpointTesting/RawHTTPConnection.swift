import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain TCP connection to 127.0.0.1 that sends exactly the bytes a test gives, to play a client that
/// stalls half-way through a request (which an HTTP client library never does).
///
/// Its socket calls block, so the async methods run them on a dispatch queue, off Swift's cooperative pool
/// (a test blocking a pool thread for seconds would stall the server and the other tests beside it).
public final class RawHTTPConnection: @unchecked Sendable {
    private let fd: Int32

    /// Connects to 127.0.0.1:`port`; sends time out after 30 s rather than block a test for ever.
    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError("socket: errno \(errno)") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw RawHTTPError("connect: errno \(errno)")
        }
    }

    deinit {
        close(fd)
    }

    /// Sends the head of `POST path` declaring a `contentLength`-byte body, then `sent` bytes of that body.
    public func sendPartialUpload(path: String, contentLength: Int, sent: Int) async throws {
        try await Self.offPool { try self.sendPartialUploadBlocking(path: path, contentLength: contentLength, sent: sent) }
    }

    private func sendPartialUploadBlocking(path: String, contentLength: Int, sent: Int) throws {
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(contentLength)\r\n\r\n"
        try writeBlocking(Data(head.utf8))
        if sent > 0 {
            try writeBlocking(Data(repeating: UInt8(ascii: " "), count: sent))
        }
    }

    /// Sends all of `data`.
    public func write(_ data: Data) async throws {
        try await Self.offPool { try self.writeBlocking(data) }
    }

    private func writeBlocking(_ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                guard let base = raw.baseAddress else { return }
                let written = send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                guard written > 0 else { throw RawHTTPError("send: errno \(errno)") }
                offset += written
            }
        }
    }

    /// Everything the server sends until it closes the connection, or nil if it has not within `timeout` seconds.
    public func readUntilClosed(timeout: Double) async -> String? {
        await Self.offPool { self.readUntilClosedBlocking(timeout: timeout) }
    }

    private func readUntilClosedBlocking(timeout: Double) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 500) > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 {
                return String(decoding: received, as: UTF8.self)
            }
            received.append(contentsOf: buffer[0..<count])
        }
        return nil
    }

    /// The response the server sent first (up to the end of its head and whatever body came with it), waiting
    /// at most `timeout` seconds; nil if none came.
    public func readResponse(timeout: Double) async -> String? {
        await Self.offPool { self.readResponseBlocking(timeout: timeout) }
    }

    private func readResponseBlocking(timeout: Double) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 500) > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received.append(contentsOf: buffer[0..<count])
            if String(decoding: received, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        return received.isEmpty ? nil : String(decoding: received, as: UTF8.self)
    }
}

extension RawHTTPConnection {
    /// Runs blocking `body` on a global dispatch queue and waits for it without holding a pool thread.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    /// ``offPool(_:)`` for a body that does not throw.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: body())
            }
        }
    }
}

/// A socket call that failed, with its errno.
public struct RawHTTPError: Error, CustomStringConvertible {
    /// What failed.
    public var description: String

    /// Creates an error.
    public init(_ description: String) {
        self.description = description
    }
}
