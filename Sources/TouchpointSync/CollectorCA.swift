import Foundation
import NIOSSL

/// A private certificate authority the kiosk trusts for its collector's HTTPS (`collectorCA: FILE` in
/// touchpoint.yaml), read once from a PEM file when the sync starts.
///
/// With one, the transport trusts only these certificates for the collector, not the system's CAs: a collector
/// with a private CA is not meant to be vouched for by anyone else. Without one it trusts the system's CAs.
public struct CollectorCA: Sendable, CustomStringConvertible {
    /// The PEM file the certificates came from, as configured.
    public let file: String
    /// The CA certificates in the file, in order.
    public let certificates: [NIOSSLCertificate]

    /// Reads the PEM certificates in `file`.
    ///
    /// Throws ``SyncError/Code/invalidConfiguration`` when the file is missing, unreadable, or holds no
    /// certificate that parses.
    public init(pemFile file: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            throw SyncError(.invalidConfiguration, "collectorCA: there is no file \(file)")
        } catch {
            throw SyncError(
                .invalidConfiguration, "collectorCA: cannot read \(file)", cause: DescribedError(description: "\(error)"))
        }
        guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw SyncError(
                .invalidConfiguration,
                "collectorCA: \(file) holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the CA's certificate in PEM form")
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(data))
        } catch {
            throw SyncError(
                .invalidConfiguration, "collectorCA: \(file) is not a valid PEM certificate",
                cause: DescribedError(description: "\(error)"))
        }
        guard !certificates.isEmpty else {
            throw SyncError(.invalidConfiguration, "collectorCA: \(file) holds no certificate")
        }
        self.file = file
        self.certificates = certificates
    }

    /// The file and how many certificates it holds.
    public var description: String {
        "CollectorCA(\(file), \(certificates.count) certificate(s))"
    }
}
