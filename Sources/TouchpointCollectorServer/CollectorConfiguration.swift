#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TouchpointCollector

/// The collector server's settings, each with a default (the storage is passed in, opened); only the executable reads flags and files to fill it.
public struct CollectorConfiguration: Sendable, Hashable {
    /// The address to bind (default `127.0.0.1`).
    public var host: String
    /// The port to bind (default 8080; 0 picks a free one).
    public var port: Int
    /// The largest accepted upload body in bytes (default 8 MiB); larger bodies get 413.
    public var maxBodyBytes: Int
    /// The most responses accepted in one batch (default 1000); more get 413.
    public var maxBatchItems: Int
    /// How long a request body may take to arrive whole, and how long a connection may send nothing while a
    /// request is read or between requests (default 30 s). A slower upload gets 408; a silent connection is closed.
    public var readDeadline: Duration
    /// The most uploads read and stored at once (default 16); one more gets 503 with `Retry-After` at once,
    /// without its body being read. With ``maxBodyBytes`` this bounds the memory bodies take.
    public var maxConcurrentUploads: Int
    /// The directory of survey definitions the collector checks answers against (default `surveys`).
    public var surveysDirectory: String
    /// Report groups with fewer answers than this are flagged as too small (default 30).
    public var minimumGroupSize: Int
    /// The comment feed's webhook routes (YAML), if any; without it nothing is posted.
    public var feedConfigPath: String?
    /// The account health model (YAML); nil uses the built-in default model.
    public var healthModelPath: String?
    /// The certificate and key to serve HTTPS with; nil serves plain HTTP (default nil).
    public var tls: CollectorTLS? = nil
    /// Serve plain HTTP on a non-loopback ``host`` because a proxy in front terminates TLS (default false).
    public var allowPlainHTTP = false
    /// Which stored responses open follow-up cases, their owners and due times (default ``CaseRules/standard``).
    public var caseRules: CaseRules = .standard
    /// The time zone the dashboard's weekday × hour heatmap is drawn in (default UTC).
    public var timeZone: TimeZone = TimeZone(identifier: "UTC") ?? .current
    /// NPS targets per site and touchpoint (YAML), drawn on the dashboard's bars; nil: none.
    public var targetsPath: String? = nil
    /// The collector's address as people reach it (`https://cx.example.com`), for links to cases in feed posts;
    /// nil: `http(s)://host:port` as bound.
    public var publicURL: URL? = nil

    /// Where case pages are linked from feed posts: ``publicURL``, or this collector's own address (none when the
    /// port is 0, picked when it starts: give ``publicURL`` then).
    public var caseLinks: CaseLinks? {
        if let publicURL { return CaseLinks(base: publicURL) }
        guard port != 0 else { return nil }
        let scheme = tls == nil ? "http" : "https"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return URL(string: "\(scheme)://\(shownHost):\(port)").map(CaseLinks.init)
    }

    /// Creates a configuration; every parameter has the default described on its property.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxBodyBytes: Int = 8 * 1024 * 1024,
        maxBatchItems: Int = 1000,
        readDeadline: Duration = .seconds(30),
        maxConcurrentUploads: Int = 16,
        surveysDirectory: String = "surveys",
        minimumGroupSize: Int = 30,
        feedConfigPath: String? = nil,
        healthModelPath: String? = nil
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxBatchItems = maxBatchItems
        self.readDeadline = readDeadline
        self.maxConcurrentUploads = maxConcurrentUploads
        self.surveysDirectory = surveysDirectory
        self.minimumGroupSize = minimumGroupSize
        self.feedConfigPath = feedConfigPath
        self.healthModelPath = healthModelPath
    }

    /// Why this configuration must not be served, or nil: plain HTTP on an address other than loopback,
    /// without ``allowPlainHTTP``, would send uploads, tokens and answers in clear text across a network.
    public var bindingProblem: String? {
        guard tls == nil, !allowPlainHTTP, !Self.isLoopback(host) else { return nil }
        return "refusing to serve plain HTTP on \(host), which is not a loopback address: serve HTTPS with "
            + "--tls-cert FILE --tls-key FILE, or, if a proxy in front terminates TLS, say so with --allow-plain-http"
    }

    /// Whether `host` is a loopback address: `localhost`, 127.0.0.0/8, `::1` (or `::ffff:127.x.y.z`).
    ///
    /// Other host names are not resolved: they count as not loopback.
    public static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "localhost." { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, name, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
        // An IPv4-mapped address: ::ffff:a.b.c.d.
        return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127
    }

    // MARK: Access

    /// How long a dashboard session lasts after sign-in (default 8 hours).
    public var sessionLifetime: Duration = .seconds(8 * 3600)
    /// Whether the session cookie must be marked `Secure` (sent only over HTTPS) even on plain HTTP; it is anyway
    /// when the collector serves TLS or a proxy in front does (``allowPlainHTTP``).
    public var secureCookies = false

    /// Whether the session cookie is marked `Secure`.
    public var sessionCookieIsSecure: Bool { secureCookies || tls != nil || allowPlainHTTP }
}
