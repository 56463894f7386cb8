import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A port on 127.0.0.1 where nothing listens, held for the test: a socket bound to it without `listen`, so a
/// connection is refused and no other test's server can take the port meanwhile (as one could after a stopped
/// server freed it). ``release()`` frees it for a server of the same test.
public final class RefusingPort: @unchecked Sendable {
    /// The port.
    public let port: Int
    private var fd: Int32

    /// Binds a free port.
    public init() throws {
        (fd, port) = try bindLoopback(reuseAddress: false)
    }

    /// Frees the port, for a server to listen on it next.
    public func release() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    deinit {
        release()
    }
}

/// A TCP socket bound to a free port of 127.0.0.1 (not listening yet), and the port.
public func bindLoopback(reuseAddress: Bool) throws -> (fd: Int32, port: Int) {
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
