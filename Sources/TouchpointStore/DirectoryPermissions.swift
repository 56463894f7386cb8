import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kiosk's own directories (its key's, its responses'): created with a private mode, and refused when
/// group or others can write to them, since whoever can write to a directory can replace or remove its files.
public enum DirectoryPermissions {
    /// Creates `directory` (and missing parents) with `mode` if it does not exist, then checks it with
    /// ``requireNotWritableByOthers(_:holding:)``.
    ///
    /// `contents` names what the directory holds, for messages (`the key`, `responses`).
    public static func prepare(_ directory: URL, mode: mode_t, holding contents: String) throws {
        var info = stat()
        if stat(directory.path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw StoreError(.io, "\(directory.path) is not a directory")
            }
        } else {
            do {
                try FileManager.default.createDirectory(
                    at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
            } catch {
                throw StoreError.wrapping(.io, "cannot create directory \(directory.path)", error)
            }
            guard chmod(directory.path, mode) == 0 else {
                throw StoreError.system("chmod \(String(mode, radix: 8))", directory.path)
            }
        }
        try requireNotWritableByOthers(directory, holding: contents)
    }

    /// Throws `.insecurePermissions` if group or others can write to `directory`, saying which `chmod` fixes it.
    ///
    /// `contents` names what the directory holds, for the message (`the key`, `responses`).
    public static func requireNotWritableByOthers(_ directory: URL, holding contents: String) throws {
        var info = stat()
        guard stat(directory.path, &info) == 0 else {
            throw StoreError.system("stat", directory.path)
        }
        let permissions = info.st_mode & 0o777
        guard permissions & 0o022 == 0 else {
            throw StoreError(
                .insecurePermissions,
                "directory \(directory.path) holds \(contents) and has mode \(String(permissions, radix: 8)): group or "
                    + "others can write to it, so they could replace or remove \(contents); run `chmod go-w \(directory.path)`")
        }
    }
}
