import Foundation
import TouchpointCollector

/// Where a PostgreSQL database is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…]`.
///
/// `postgresql://` is accepted too. The password is kept for connecting only: ``description`` (what logs
/// and errors show) replaces it with `***`.
public struct PostgresDatabaseURL: Sendable, Hashable, CustomStringConvertible {
    /// Whether the connection uses TLS (the URL's `sslmode`).
    public enum TLSMode: String, Sendable, Hashable {
        /// Plain TCP (`sslmode=disable`, the default).
        case disable
        /// TLS if the server offers it (`sslmode=prefer`).
        case prefer
        /// TLS or no connection (`sslmode=require`).
        case require
    }

    /// The server's host name or address.
    public var host: String
    /// The server's port (5432 when the URL gives none).
    public var port: Int
    /// The user to connect as.
    public var user: String
    /// The user's password, if the URL gives one; never shown by ``description``.
    public var password: String?
    /// The database name.
    public var database: String
    /// The TLS mode.
    public var tls: TLSMode

    /// Parses `text`; throws `.unavailable` saying what is wrong (without the password).
    public init(_ text: String) throws {
        func invalid(_ why: String) -> CollectorError {
            CollectorError(.unavailable, "invalid PostgreSQL URL (\(why)); expected postgres://USER[:PASSWORD]@HOST:PORT/DATABASE")
        }
        guard let components = URLComponents(string: text) else { throw invalid("not a URL") }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw invalid("the scheme must be postgres or postgresql")
        }
        guard let host = components.host, !host.isEmpty else { throw invalid("no host") }
        guard let user = components.user, !user.isEmpty else { throw invalid("no user") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw invalid("no database name") }
        var tls = TLSMode.disable
        for item in components.queryItems ?? [] where item.name == "sslmode" {
            guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw invalid("sslmode must be disable, prefer or require")
            }
            tls = mode
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user
        self.password = components.password
        self.database = database
        self.tls = tls
    }

    /// `host:port`, as errors name the server.
    public var address: String { "\(host):\(port)" }

    /// The URL with the password replaced by `***`.
    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(address)/\(database)\(tls == .disable ? "" : "?sslmode=\(tls.rawValue)")"
    }
}
