import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file writes: temp file in the same directory, write, fsync, rename, fsync the directory.
public enum DurableFile {
    /// The name prefix of temporary files; directory scans skip names with it.
    public static let temporaryPrefix = ".tmp-"

    /// Replaces the file at `url` with `data` so that after return it survives a crash or power loss.
    ///
    /// Readers see either the old file or the new one, never a partial write.
    public static func write(_ data: Data, to url: URL, mode: mode_t = 0o644) throws {
        try write(data, toPath: url.path, inDirectory: url.deletingLastPathComponent().path, mode: mode)
    }

    /// ``write(_:to:mode:)`` for a file at `path` in `directory` (its parent), given as paths: on the kiosk's commit
    /// path, where building and reading back URLs costs more than signing the response.
    public static func write(_ data: Data, toPath path: String, inDirectory directory: String, mode: mode_t = 0o644) throws {
        let temporary = temporaryPath(in: directory)
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode)
        guard fd >= 0 else { throw StoreError.system("create", temporary) }
        do {
            try writeAll(fd, data, path: temporary)
            guard fsync(fd) == 0 else { throw StoreError.system("fsync", temporary) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard close(fd) == 0 else {
            let code = errno
            unlink(temporary)
            throw StoreError.system("close", temporary, errno: code)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw StoreError.system("rename to \(path)", temporary, errno: code)
        }
        try fsyncDirectory(atPath: directory)
    }

    /// Deletes leftover temporary files (`.tmp-*`) in `directory` and returns how many were removed.
    public static func removeTemporaryFiles(in directory: URL) throws -> Int {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw StoreError.wrapping(.io, "cannot list \(directory.path)", error)
        }
        var removed = 0
        for name in names where isTemporary(name) {
            let path = directory.appendingPathComponent(name).path
            guard unlink(path) == 0 else {
                if errno == ENOENT { continue }
                throw StoreError.system("unlink", path)
            }
            removed += 1
        }
        if removed > 0 {
            try fsyncDirectory(directory)
        }
        return removed
    }

    /// Flushes a directory's entries (new, renamed or deleted names) to disk.
    public static func fsyncDirectory(_ directory: URL) throws {
        try fsyncDirectory(atPath: directory.path)
    }

    /// ``fsyncDirectory(_:)`` for a path.
    static func fsyncDirectory(atPath directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.system("open directory", directory) }
        defer { close(fd) }
        // EINVAL: the file system cannot sync directories; there is nothing more to do.
        guard fsync(fd) == 0 || errno == EINVAL else { throw StoreError.system("fsync directory", directory) }
    }

    /// Renames `source` to `destination` (replacing it if present) and fsyncs both directories.
    public static func moveDurably(from source: URL, to destination: URL) throws {
        guard rename(source.path, destination.path) == 0 else {
            throw StoreError.system("rename to \(destination.path)", source.path)
        }
        let sourceDirectory = source.deletingLastPathComponent()
        let destinationDirectory = destination.deletingLastPathComponent()
        try fsyncDirectory(destinationDirectory)
        if sourceDirectory.standardizedFileURL.path != destinationDirectory.standardizedFileURL.path {
            try fsyncDirectory(sourceDirectory)
        }
    }

    /// Whether `name` is a temporary file name (`.tmp-…`).
    public static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix(temporaryPrefix)
    }

    /// A fresh `.tmp-<random>` name in `directory`.
    static func temporaryURL(in directory: URL) -> URL {
        URL(fileURLWithPath: temporaryPath(in: directory.path))
    }

    /// A fresh `.tmp-<random>` path in `directory`.
    static func temporaryPath(in directory: String) -> String {
        directory + "/" + temporaryPrefix + String(UInt64.random(in: .min ... .max), radix: 16)
    }

    /// Creates a new file with O_CREAT|O_EXCL and returns its descriptor.
    static func createExclusive(_ url: URL, mode: mode_t) throws -> Int32 {
        let fd = open(url.path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode)
        guard fd >= 0 else { throw StoreError.system("create", url.path) }
        return fd
    }

    /// Writes every byte of `data`, retrying partial writes and EINTR.
    static func writeAll(_ fd: Int32, _ data: Data, path: String) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = posixWrite(fd, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw StoreError.system("write", path)
                }
                offset += written
            }
        }
    }
}

/// `write(2)`; a free function because `DurableFile.write` hides the global name inside the type.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}
