import Foundation
import TouchpointJOSE

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kiosk's private key on disk: a JWK `{"crv","d","kid","kty","x"}`, mode 0600.
public enum KeyFile {
    /// The private JWK as stored.
    private struct PrivateJWK: Codable {
        var kty: String
        var crv: String
        var x: String?
        var d: String
        var kid: String?
    }

    /// Generates a key and stores it at `url`; never overwrites an existing file.
    ///
    /// Creates the parent directory with mode 0700 if it is missing, and refuses one that group or others
    /// can write to (``DirectoryPermissions``). The file is written to a 0600 temp
    /// file, fsynced and then hard-linked to `url`, so a crash never leaves a half-written key behind.
    public static func create(at url: URL) throws -> KioskKey {
        let directory = url.deletingLastPathComponent()
        try DirectoryPermissions.prepare(directory, mode: 0o700, holding: "the key")
        if fileExists(url) {
            throw StoreError(.keyExists, "refusing to overwrite the existing key file \(url.path)")
        }
        let key = KioskKey.generate()
        let stored = PrivateJWK(
            kty: "OKP", crv: "Ed25519", x: key.publicJWK.x, d: Base64URL.encode(key.seed), kid: key.keyID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data: Data
        do {
            data = try encoder.encode(stored)
        } catch {
            throw StoreError.wrapping(.keyFile, "cannot encode the key for \(url.path)", error)
        }
        data.append(UInt8(ascii: "\n"))

        let temporary = DurableFile.temporaryURL(in: directory)
        let fd = try DurableFile.createExclusive(temporary, mode: 0o600)
        defer { unlink(temporary.path) }
        do {
            try DurableFile.writeAll(fd, data, path: temporary.path)
            guard fsync(fd) == 0 else { throw StoreError.system("fsync", temporary.path) }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw StoreError.system("close", temporary.path) }
        guard link(temporary.path, url.path) == 0 else {
            if errno == EEXIST {
                throw StoreError(.keyExists, "refusing to overwrite the existing key file \(url.path)")
            }
            throw StoreError.system("link to \(url.path)", temporary.path)
        }
        unlink(temporary.path)
        try DurableFile.fsyncDirectory(directory)
        return key
    }

    /// Loads the key at `url`, refusing a file that group or others can read or write, and a file in a
    /// directory that group or others can write to (they could swap the key).
    public static func load(at url: URL) throws -> KioskKey {
        let path = url.path
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw StoreError(.keyFile, "no key file at \(path)") }
            throw StoreError.system("stat", path)
        }
        guard info.st_mode & 0o170000 == 0o100000 else {
            throw StoreError(.keyFile, "key file \(path) is not a regular file")
        }
        let permissions = info.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw StoreError(
                .insecurePermissions,
                "key file \(path) has mode \(String(permissions, radix: 8)) and is accessible to group or others; "
                    + "run `chmod 600 \(path)`")
        }
        try DirectoryPermissions.requireNotWritableByOthers(url.deletingLastPathComponent(), holding: "the key")
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw StoreError.wrapping(.keyFile, "cannot read key file \(path)", error)
        }
        let stored: PrivateJWK
        do {
            stored = try JSONDecoder().decode(PrivateJWK.self, from: data)
        } catch {
            throw StoreError.wrapping(.keyFile, "key file \(path) is not a private JWK (JSON with kty, crv, d)", error)
        }
        guard stored.kty == "OKP", stored.crv == "Ed25519" else {
            throw StoreError(
                .keyFile, "key file \(path) has kty \(stored.kty) and crv \(stored.crv); expected OKP and Ed25519")
        }
        guard let seed = Base64URL.decode(stored.d), seed.count == 32 else {
            throw StoreError(.keyFile, "key file \(path): member d is not 32 bytes of base64url")
        }
        let key: KioskKey
        do {
            key = try KioskKey(rawRepresentation: seed)
        } catch {
            throw StoreError.wrapping(.keyFile, "key file \(path) does not hold an Ed25519 private key", error)
        }
        if let x = stored.x, x != key.publicJWK.x {
            throw StoreError(.keyFile, "key file \(path): member x is not the public key of d")
        }
        if let kid = stored.kid, kid != key.keyID {
            throw StoreError(.keyFile, "key file \(path): kid \(kid) is not the key's thumbprint \(key.keyID)")
        }
        return key
    }

    /// Loads the key at `url`, or creates one if there is no file; `created` tells which happened.
    public static func loadOrCreate(at url: URL) throws -> (key: KioskKey, created: Bool) {
        if fileExists(url) {
            return (try load(at: url), false)
        }
        do {
            return (try create(at: url), true)
        } catch let error as StoreError where error.code == .keyExists {
            return (try load(at: url), false)  // another process created it first
        }
    }

    /// Whether anything (even a dangling symlink) exists at `url`.
    private static func fileExists(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0
    }
}
