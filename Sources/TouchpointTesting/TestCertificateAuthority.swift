import Crypto
import Foundation
import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private certificate authority made in the test process (swift-certificates, P-256), for the HTTPS tests:
/// it issues server certificates for the names and addresses a test's collector listens on.
///
/// Everything is valid from an hour before `now` to a day after it, so a slow machine's clock never matters.
public struct TestCertificateAuthority: Sendable {
    /// The CA's certificate in PEM form: what a kiosk puts in `collectorCA`.
    public let certificatePEM: String
    private let certificate: Certificate
    private let key: P256.Signing.PrivateKey
    private let now: Date

    /// A server certificate and its private key, in PEM form.
    public struct ServerCertificate: Sendable {
        /// The server certificate followed by nothing else (the CA is the issuer).
        public let certificatePEM: String
        /// The server's private key (PKCS#8).
        public let privateKeyPEM: String

        /// Writes `<name>.crt` and `<name>.key` (mode 0600) into `directory`; returns their paths.
        @discardableResult
        public func write(to directory: URL, name: String = "server") throws -> (certificate: URL, key: URL) {
            let certificate = directory.appendingPathComponent("\(name).crt")
            let key = directory.appendingPathComponent("\(name).key")
            try Data(certificatePEM.utf8).write(to: certificate)
            guard FileManager.default.createFile(
                atPath: key.path, contents: Data(privateKeyPEM.utf8), attributes: [.posixPermissions: 0o600])
            else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: key.path])
            }
            return (certificate, key)
        }
    }

    /// Creates a CA named `name` with a new key.
    public init(name: String = "Touchpoint Test CA", now: Date = Date()) throws {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("Touchpoint tests")
            CommonName(name)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86_400),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
            },
            issuerPrivateKey: .init(key))
        self.certificate = certificate
        self.key = key
        self.now = now
        certificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// Writes the CA certificate to `url` (what `collectorCA` names).
    public func writeCertificate(to url: URL) throws {
        try Data(certificatePEM.utf8).write(to: url)
    }

    /// Issues a server certificate (TLS server authentication) for `dnsNames` and `ipAddresses`
    /// (IPv4 or IPv6 literals) with a new key.
    public func issueServerCertificate(
        dnsNames: [String] = ["localhost"], ipAddresses: [String] = ["127.0.0.1"]
    ) throws -> ServerCertificate {
        let serverKey = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("Touchpoint tests")
            CommonName(dnsNames.first ?? ipAddresses.first ?? "server")
        }
        let names = dnsNames.map { GeneralName.dnsName($0) } + (try ipAddresses.map { try Self.ipAddressName($0) })
        let issued = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(serverKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86_400),
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: .init(key.publicKey)).keyIdentifier)
            },
            issuerPrivateKey: .init(key))
        return ServerCertificate(
            certificatePEM: try issued.serializeAsPEM().pemString, privateKeyPEM: serverKey.pemRepresentation)
    }

    /// A subject alternative name for an IPv4 or IPv6 literal.
    private static func ipAddressName(_ literal: String) throws -> GeneralName {
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: withUnsafeBytes(of: &v4) { Array($0) }[...]))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: withUnsafeBytes(of: &v6) { Array($0) }[...]))
        }
        throw CocoaError(.formatting, userInfo: [NSDebugDescriptionErrorKey: "not an IP address: \(literal)"])
    }
}
