import Hummingbird
import HummingbirdAuth
import TouchpointCollector

/// Who is calling: a signed-in user or a program with an API token, and their role.
public struct Caller: Sendable, Hashable, RoleProviding {
    /// How the caller proved who they are.
    public enum Kind: String, Sendable, Hashable {
        case user
        case token
    }

    /// A user or a token.
    public var kind: Kind
    /// The user's or the token's name.
    public var name: String
    /// What they may read.
    public var role: Role

    /// Every role the caller's role includes (``Role/granted``), for hummingbird-auth's `RolePolicy`.
    public var roles: Set<Role> { role.granted }

    /// `user:NAME` or `token:NAME`, as the audit log names callers.
    public var auditName: String { "\(kind.rawValue):\(name)" }

    /// Creates a caller.
    public init(kind: Kind, name: String, role: Role) {
        self.kind = kind
        self.name = name
        self.role = role
    }
}

/// A dashboard session: who signed in, and the token their forms must carry (cross-site request protection).
public struct LoginSession: Codable, Sendable, Hashable {
    /// The user's name.
    public var user: String
    /// The per-session anti-forgery token, sent back in every form (`csrf` field) that changes state.
    public var csrf: String
}

/// The collector's request context: the caller (set by the authenticators) and the session (hummingbird-auth).
public struct CollectorRequestContext: AuthRequestContext, SessionRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller, if any.
    public var identity: Caller?
    /// The dashboard session, if the request carries a valid session cookie.
    public let sessions: SessionContext<LoginSession>
    /// The peer's IP address, for the audit log.
    public let remoteAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
        sessions = .init()
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}
