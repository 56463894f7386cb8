#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation
import TouchpointCore
import TouchpointJOSE

/// Encryption at rest of comment text (`--comment-key FILE`): ChaCha20-Poly1305 with a random nonce per value, the
/// key kept in a file outside the database.
///
/// A sealed value is stored as `enc1:` + base64url(nonce ‖ ciphertext ‖ tag); a value without the prefix was stored
/// before encryption was turned on and is read as it is. Reports and aggregates never read comment text, so they work
/// without the key; reading a sealed comment without it is ``CollectorError/Code/encrypted``.
public struct CommentCipher: Sendable {
    /// What a sealed value starts with.
    public static let prefix = "enc1:"
    private let key: SymmetricKey

    /// A cipher with `key` (256 bits).
    public init(key: SymmetricKey) {
        self.key = key
    }

    /// Whether `stored` is sealed.
    public static func isSealed(_ stored: String) -> Bool {
        stored.hasPrefix(prefix)
    }

    /// `text` sealed with a fresh nonce.
    public func seal(_ text: String) throws -> String {
        let box = try ChaChaPoly.seal(Data(text.utf8), using: key)
        return Self.prefix + Base64URL.encode(box.combined)
    }

    /// The text of `stored`: opened when sealed, as it is when not.
    public func open(_ stored: String) throws -> String {
        guard Self.isSealed(stored) else { return stored }
        guard let combined = Base64URL.decode(String(stored.dropFirst(Self.prefix.count))),
            let box = try? ChaChaPoly.SealedBox(combined: combined),
            let data = try? ChaChaPoly.open(box, using: key)
        else {
            throw CollectorError(
                .encrypted, "a stored comment cannot be opened with this --comment-key (another key, or the value is damaged)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The text of a stored value read with `cipher` (nil: none given): plain values as they are, sealed ones opened;
    /// a sealed value without a cipher throws ``CollectorError/Code/encrypted``.
    public static func open(_ stored: String?, with cipher: CommentCipher?) throws -> String? {
        guard let stored, isSealed(stored) else { return stored }
        guard let cipher else {
            throw CollectorError(
                .encrypted, "comments are stored encrypted: give the collector its --comment-key file to read them")
        }
        return try cipher.open(stored)
    }

    /// What a case page or a case command shows for a comment sealed without a cipher.
    public static let sealedPlaceholder = "[encrypted at rest: this collector has no --comment-key]"

    /// Like ``open(_:with:)``, but a sealed value without a cipher reads as ``sealedPlaceholder`` (follow-up cases stay
    /// workable without the key).
    public static func openOrPlaceholder(_ stored: String?, with cipher: CommentCipher?) throws -> String? {
        guard let stored, isSealed(stored), cipher == nil else { return try open(stored, with: cipher) }
        return sealedPlaceholder
    }

    /// `text` sealed with `cipher`, or as it is without one.
    public static func seal(_ text: String?, with cipher: CommentCipher?) throws -> String? {
        guard let text, let cipher else { return text }
        return try cipher.seal(text)
    }

    // MARK: Key files

    /// Reads a key file: 32 random bytes in base64 (what ``createKeyFile(at:)`` writes), readable by its owner only.
    public static func load(path: String) throws -> CommentCipher {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw CollectorError(.invalidInput, "--comment-key: cannot read \(path)")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw CollectorError(
                .invalidInput, "--comment-key: \(path) is readable by others (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32
        else {
            throw CollectorError(.invalidInput, "--comment-key: \(path) is not a key (32 bytes in base64, as `collector comment-key` writes)")
        }
        return CommentCipher(key: SymmetricKey(data: bytes))
    }

    private static func openFile(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
        #if canImport(Glibc)
        Glibc.open(path, flags, mode)
        #else
        Darwin.open(path, flags, mode)
        #endif
    }

    /// Writes a new random key to `path` (mode 0600); refuses to replace a file.
    public static func createKeyFile(at path: String) throws {
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        let descriptor = Self.openFile(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw CollectorError(.conflict, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let written = text.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
        guard written == text.utf8.count, fsync(descriptor) == 0 else {
            throw CollectorError(.unavailable, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
