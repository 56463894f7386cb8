import Foundation
import TouchpointStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The names in a directory one at a time (`opendir`/`readdir`), without listing them all in memory.
///
/// Entries added or removed while reading may or may not be returned; the others are returned once.
/// Not `Sendable`: use it from one task and let it go (it closes the directory on deinit).
final class DirectoryStream {
    /// The directory read.
    let directory: URL
    #if canImport(Glibc)
    private var handle: OpaquePointer?
    #else
    private var handle: UnsafeMutablePointer<DIR>?
    #endif

    /// The response file names still to return, oldest first, when opened `sorted`; nil when reading in directory order.
    private var sortedNames: ArraySlice<String>?

    /// Opens `directory`; throws ``SyncError/Code/io`` if it cannot. With `sorted`, ``nextResponseName()`` returns
    /// the response files present now in name order — for response files (`<UUIDv7>.json`) the order they were
    /// completed in, which on one kiosk is sequence order — at the cost of holding their names (about 100 bytes
    /// each) instead of streaming them.
    init(_ directory: URL, sorted: Bool = false) throws {
        self.directory = directory
        guard let opened = opendir(directory.path) else {
            throw SyncError.system("opendir", directory.path)
        }
        handle = opened
        if sorted {
            var names: [String] = []
            while let name = try next() {
                if Self.isResponseFileName(name) { names.append(name) }
            }
            sortedNames = names.sorted()[...]
        }
    }

    deinit {
        close()
    }

    /// The next name other than `.` and `..` that is not a directory, or nil at the end.
    func next() throws -> String? {
        guard let handle else { return nil }
        while true {
            errno = 0
            guard let entry = readdir(handle) else {
                if errno != 0 {
                    throw SyncError.system("readdir", directory.path)
                }
                return nil
            }
            if entry.pointee.d_type == UInt8(DT_DIR) { continue }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            return name
        }
    }

    /// The next response file name (`*.json`, not hidden or temporary), or nil at the end.
    func nextResponseName() throws -> String? {
        if sortedNames != nil {
            return sortedNames?.popFirst()
        }
        while let name = try next() {
            if Self.isResponseFileName(name) { return name }
        }
        return nil
    }

    /// The bytes of the file `name` in the directory, read whole; nil if it is gone. On Linux it is opened with
    /// `O_NOATIME` where allowed (the kiosk's own files), so reading a backlog does not dirty every inode.
    func read(_ name: String) throws -> Data? {
        let path = directory.path + "/" + name
        guard let handle else {
            throw SyncError(.io, "cannot read \(path): the directory stream is closed")
        }
        let base = dirfd(handle)
        var fd = openat(base, name, O_RDONLY | O_CLOEXEC | noAccessTime)
        if fd < 0 && errno == EPERM && noAccessTime != 0 {
            fd = openat(base, name, O_RDONLY | O_CLOEXEC)
        }
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw SyncError.system("open", path)
        }
        defer { posixClose(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw SyncError.system("fstat", path) }
        var data = Data(count: max(Int(status.st_size), 0) + 1)
        var filled = 0
        while true {
            if filled == data.count {
                data.count *= 2
            }
            let got = data.withUnsafeMutableBytes { buffer -> Int in
                guard let start = buffer.baseAddress else { return 0 }
                return posixRead(fd, start + filled, buffer.count - filled)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw SyncError.system("read", path)
            }
            if got == 0 { break }
            filled += got
        }
        data.count = filled
        return data
    }

    /// Closes the directory; further reads return nil.
    func close() {
        if let handle {
            closedir(handle)
        }
        handle = nil
    }

    /// Whether `name` is a response file: `*.json`, not hidden and not a `.tmp-` file.
    static func isResponseFileName(_ name: String) -> Bool {
        name.hasSuffix(".json") && !name.hasPrefix(".") && !DurableFile.isTemporary(name)
    }
}

/// Linux's `O_NOATIME` (glibc declares it only for `_GNU_SOURCE`, which Swift's Glibc module does not set):
/// the asm-generic value, used by x86_64 and arm64; 0 (no flag) elsewhere.
#if os(Linux) && (arch(x86_64) || arch(arm64))
private let noAccessTime: Int32 = 0o1000000
#else
private let noAccessTime: Int32 = 0
#endif

/// `read(2)`, named apart from ``DirectoryStream/read(_:)``.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// `close(2)`, named apart from ``DirectoryStream/close()``.
private func posixClose(_ fd: Int32) {
    _ = close(fd)
}

/// An exclusive, non-blocking `flock` on a lock file, released by ``release()`` (or on deinit).
final class DirectoryLock {
    private var descriptor: Int32

    /// Takes the lock on `file` (created if missing); throws ``SyncError/busy(_:)`` naming `directory` if held.
    init(file: URL, directory: URL) throws {
        let fd = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SyncError.system("open", file.path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK {
                throw SyncError.busy(directory)
            }
            throw SyncError.system("flock", file.path, errno: code)
        }
        descriptor = fd
    }

    deinit {
        release()
    }

    /// Releases the lock (the file stays).
    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }
}

extension SyncError {
    /// An `.io` error for a failed system call, with `errno` described as the cause.
    static func system(_ call: String, _ path: String, errno code: Int32 = errno) -> SyncError {
        SyncError(
            .io, "\(call) failed for \(path)",
            cause: DescribedError(description: "\(String(cString: strerror(code))) (errno \(code))"))
    }
}
