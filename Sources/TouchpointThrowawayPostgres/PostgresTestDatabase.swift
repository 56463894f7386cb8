import Foundation

/// One database handed out by ``ThrowawayPostgres``: its `postgres://` URL and the parts a client needs.
public struct PostgresTestDatabase: Sendable, Hashable, CustomStringConvertible {
    /// The database's URL, `postgres://USER[:PASSWORD]@HOST:PORT/NAME`.
    public let url: String
    /// The server's host name or address, e.g. `127.0.0.1`.
    public let host: String
    /// The server's TCP port.
    public let port: Int
    /// The role to connect as (`postgres` on the throwaway cluster).
    public let username: String
    /// The role's password; nil on the throwaway cluster, which trusts local connections.
    public let password: String?
    /// The database's name.
    public let name: String

    /// Parses a `postgres://` (or `postgresql://`) URL; the port defaults to 5432 and the user to `postgres`.
    public init(url: String) throws(PostgresTestServerError) {
        guard let components = URLComponents(string: url),
              let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql",
              let host = components.host, !host.isEmpty
        else {
            throw PostgresTestServerError(
                .invalidURL, "not a postgres://USER@HOST:PORT/DATABASE URL: \(Self.redacting(url))")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.url = url
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        self.password = components.password.flatMap { $0.removingPercentEncoding }
        self.name = path.isEmpty ? self.username : (path.removingPercentEncoding ?? path)
    }

    /// The same server and role, another database (or, with `port`, another port).
    public func with(name: String? = nil, port: Int? = nil) -> PostgresTestDatabase {
        var components = URLComponents()
        components.scheme = "postgres"
        components.host = host
        components.port = port ?? self.port
        components.user = username
        components.password = password
        components.path = "/" + (name ?? self.name)
        // Built from parts that were parsed from a URL, so it is a URL again; keep the old one if not.
        let rebuilt = components.string ?? url
        return (try? PostgresTestDatabase(url: rebuilt)) ?? self
    }

    /// The URL with any password replaced by `***`, for messages.
    public var description: String { Self.redacting(url) }

    private static func redacting(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }
}
