#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation
import TouchpointCore
import TouchpointJOSE

/// Encryption at rest of comment text and account references (`--comment-key FILE`), the key kept in a file outside
/// the database.
///
/// Text is sealed with ChaCha20-Poly1305 and a random nonce per value, stored as `enc1:` + base64url(nonce ‖
/// ciphertext ‖ tag); a value without the prefix was stored before encryption was turned on and is read as it is. An
/// account reference is stored as a keyed token (`acct:` + 40 hex digits of an HMAC-SHA256 of its matching key), the
/// same for every spelling of the account, so aggregates, health and lookups group by it without the key, and sealed
/// beside it for display. Reading a sealed value without the key is ``CollectorError/Code/encrypted``.
public struct CommentCipher: Sendable {
    /// What a sealed value starts with.
    public static let prefix = "enc1:"
    /// What an account token starts with.
    public static let tokenPrefix = "acct:"
    private let key: SymmetricKey
    private let tokenKey: SymmetricKey

    /// A cipher with `key` (256 bits); the sealing and the token keys are derived from it (HKDF-SHA256).
    public init(key: SymmetricKey) {
        self.key = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("touchpoint comment sealing".utf8), outputByteCount: 32)
        tokenKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("touchpoint account token".utf8), outputByteCount: 32)
    }

    // MARK: Account references

    /// Whether `stored` is an account token.
    public static func isToken(_ stored: String) -> Bool {
        stored.hasPrefix(tokenPrefix)
    }

    /// The token of an account reference: the same for every spelling ``Account/matchingKey(_:)`` folds together; a
    /// token is its own token.
    public func accountToken(_ reference: String) -> String {
        guard !Self.isToken(reference) else { return reference }
        let mac = HMAC<SHA256>.authenticationCode(for: Data(Account.matchingKey(reference).utf8), using: tokenKey)
        return Self.tokenPrefix + mac.prefix(20).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
    }

    /// How storage matches an account reference (`WHERE lower(account) = ?`): its token with a cipher, its matching
    /// key without one.
    public static func accountKey(_ reference: String, with cipher: CommentCipher?) -> String {
        cipher?.accountToken(reference) ?? Account.matchingKey(reference)
    }

    /// The error for looking an account up by its reference without the key in a database that stores tokens.
    public static let tokensNeedTheKey = CollectorError(
        .encrypted, "account references are stored as keyed tokens: give the collector its --comment-key file to find an account")

    /// What the account column stores for `reference`: its token with a cipher (sealed beside it), itself without.
    public static func storedAccount(_ reference: String?, with cipher: CommentCipher?) -> String? {
        guard let reference, let cipher else { return reference }
        return cipher.accountToken(reference)
    }

    /// The account reference as written, from the account column and the sealed copy beside it: a token is shown
    /// as its sealed copy opened (without a cipher: throws when `strict`, else ``sealedPlaceholder``); a plain
    /// reference as it is.
    public static func shownAccount(stored: String?, sealed: String?, with cipher: CommentCipher?, strict: Bool) throws -> String? {
        guard let stored, isToken(stored), let sealed else { return stored }
        return strict ? try open(sealed, with: cipher) : try openOrPlaceholder(sealed, with: cipher)
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
