import Foundation
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The collector's HTTPS: a certificate chain and its private key, read from PEM files once at start
/// (`collector serve --tls-cert FILE --tls-key FILE`).
///
/// Loading checks everything a kiosk would otherwise find out at its first upload: the certificate parses,
/// the key is readable by its owner only (mode 0600, the rule the kiosk's own key file follows), it is
/// not encrypted, and it belongs to the certificate. The key's bytes are never logged or printed.
public struct CollectorTLS: Sendable, Hashable, CustomStringConvertible {
    /// The PEM file of the server certificate, followed by any intermediate certificates.
    public let certificateFile: String
    /// The PEM file of the certificate's private key.
    public let keyFile: String
    /// The certificates in ``certificateFile``, the server's first.
    public let certificateChain: [NIOSSLCertificate]
    private let privateKey: NIOSSLPrivateKey

    /// Reads and checks the certificate chain and key; throws ``CollectorTLSError`` naming the file and what
    /// to do when either cannot be used.
    public init(certificateFile: String, keyFile: String) throws {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(try Self.read(certificateFile, what: "certificate")))
        } catch let error as CollectorTLSError {
            throw error
        } catch {
            throw CollectorTLSError(
                .certificate, "--tls-cert \(certificateFile) is not a PEM certificate chain", cause: DescribedError("\(error)"))
        }
        guard !chain.isEmpty else {
            throw CollectorTLSError(.certificate, "--tls-cert \(certificateFile) holds no certificate (-----BEGIN CERTIFICATE-----)")
        }
        try Self.checkOwnerOnly(keyFile)
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(try Self.read(keyFile, what: "key")), format: .pem)
        } catch let error as CollectorTLSError {
            throw error
        } catch {
            // The cause may quote the file; say only what it is not.
            throw CollectorTLSError(
                .privateKey, "--tls-key \(keyFile) is not an unencrypted PEM private key (RSA or EC, PKCS#1, SEC 1 or PKCS#8)")
        }
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        certificateChain = chain
        privateKey = key
        do {
            // What the server does for every connection, done once now: BoringSSL checks the key fits the certificate.
            _ = try NIOSSLContext(configuration: tlsConfiguration)
        } catch {
            throw CollectorTLSError(
                .privateKey, "--tls-key \(keyFile) is not the private key of the certificate in --tls-cert \(certificateFile)",
                cause: DescribedError("\(error)"))
        }
    }

    /// The server's TLS configuration: the chain and key, TLS 1.2 or later, swift-nio-ssl's default ciphers.
    public var tlsConfiguration: TLSConfiguration {
        TLSConfiguration.makeServerConfiguration(
            certificateChain: certificateChain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
    }

    /// Hummingbird's HTTP/1.1 server with `http1` settings, over TLS with this certificate (what
    /// `.tls(.http1(configuration:), tlsConfiguration:)` builds, without its `throws`: the configuration was
    /// checked when this value was loaded).
    public func http1Server(configuration http1: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        let tlsConfiguration = self.tlsConfiguration
        return HTTPServerBuilder { responder in
            try TLSChannel(HTTP1Channel(responder: responder, configuration: http1), tlsConfiguration: tlsConfiguration)
        }
    }

    /// When the server certificate stops being valid.
    public var notValidAfter: Date {
        Date(timeIntervalSince1970: TimeInterval(certificateChain[0].notValidAfter))
    }

    /// The files, never the key.
    public var description: String {
        "CollectorTLS(certificate: \(certificateFile), key: \(keyFile))"
    }

    public static func == (lhs: CollectorTLS, rhs: CollectorTLS) -> Bool {
        lhs.certificateFile == rhs.certificateFile && lhs.keyFile == rhs.keyFile
            && lhs.certificateChain == rhs.certificateChain && lhs.privateKey == rhs.privateKey
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(certificateFile)
        hasher.combine(keyFile)
        hasher.combine(certificateChain)
    }

    /// The bytes of `path`, or an error naming the flag and the file.
    private static func read(_ path: String, what: String) throws -> Data {
        let flag = what == "key" ? "--tls-key" : "--tls-cert"
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            throw CollectorTLSError(what == "key" ? .privateKey : .certificate, "\(flag): there is no file \(path)")
        } catch {
            throw CollectorTLSError(
                what == "key" ? .privateKey : .certificate, "\(flag): cannot read \(path)", cause: DescribedError("\(error)"))
        }
    }

    /// Refuses a key file that group or others may read or write, as the kiosk's key file does.
    private static func checkOwnerOnly(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw CollectorTLSError(.privateKey, "--tls-key: there is no file \(path)") }
            throw CollectorTLSError(.privateKey, "--tls-key: cannot stat \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw CollectorTLSError(.privateKey, "--tls-key \(path) is not a regular file")
        }
        let permissions = info.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw CollectorTLSError(
                .insecurePermissions,
                "--tls-key \(path) has mode \(String(permissions, radix: 8)) and is accessible to group or others; "
                    + "run `chmod 600 \(path)`")
        }
    }
}

/// Why ``CollectorTLS`` cannot use a certificate or key: a matchable ``code``, a message naming the file, a cause.
public struct CollectorTLSError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case certificate, privateKey, insecurePermissions
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The certificate file is missing, unreadable or holds no PEM certificate.
        public static let certificate = Code(.certificate)
        /// The key file is missing, unreadable, not an unencrypted PEM key, or not the certificate's key.
        public static let privateKey = Code(.privateKey)
        /// The key file may be read or written by group or others.
        public static let insecurePermissions = Code(.insecurePermissions)

        /// The code's name, e.g. `privateKey`.
        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What failed, for people.
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message followed by the cause, if any.
    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }
}

/// A non-`Sendable` error kept as its description.
private struct DescribedError: Error, Sendable, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
