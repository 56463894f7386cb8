import ArgumentParser
import Foundation
import Logging
import TouchpointCollector
import TouchpointCollectorServer
import TouchpointCore

/// Who the audit log names for a command run on the collector's machine: `cli:USER`.
var commandLineActor: String {
    "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "unknown")
}

/// A role argument: viewer, analyst or admin.
extension Role: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// The rule for user and token names: what the survey ids allow (letters, digits, `-`, `_`, `.`), 1–64 characters.
private func checkName(_ name: String, _ what: String) throws {
    let allowed = name.unicodeScalars.allSatisfy { scalar in
        scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.@".unicodeScalars.contains(scalar))
    }
    guard !name.isEmpty, name.count <= 64, allowed else {
        throw ValidationError("\(what) '\(name)': use 1–64 letters, digits, '-', '_', '.' or '@'")
    }
}

extension CollectorCommand {
    /// `touchpoint collector user add|list|remove`.
    struct User: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "user", abstract: "People who sign in to the dashboard.", subcommands: [Add.self, List.self, Remove.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a user; the password is read from the terminal (twice) or one line of standard input.")
            @OptionGroup var options: Options
            @Argument(help: "The sign-in name.") var name: String
            @Option(name: .long, help: "viewer (scores), analyst (+ comments, export, accounts), admin (+ fleet, feed, users, tokens).")
            var role: Role

            func run() async throws {
                try options.bootstrapLogging()
                try checkName(name, "user name")
                let password = try HiddenLineInput.readNew("password", minimumLength: Passwords.minimumLength)
                let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
                do {
                    try await storage.addUser(UserRecord(
                        name: name, passwordHash: try await Passwords.hash(password), role: role, createdAt: Date()))
                    try await storage.recordAudit(AuditEvent(at: Date(), actor: commandLineActor, action: "user-added", target: name))
                } catch {
                    try? await storage.close()
                    throw error
                }
                try await storage.close()
                print("Added user \(name) (\(role)).")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List users: role, when added, last sign-in.")
            @OptionGroup var options: Options

            func run() async throws {
                try options.bootstrapLogging()
                let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
                let users = try await storage.users()
                try await storage.close()
                guard !users.isEmpty else {
                    print("No users. Add one with: touchpoint collector user add NAME --role admin")
                    return
                }
                print(TextTable.render(
                    header: ["user", "role", "added", "last sign-in"],
                    rows: users.map { [$0.name, $0.role.rawValue, shortTime($0.createdAt), $0.lastLoginAt.map(shortTime) ?? "never"] }))
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a user and end their sessions.")
            @OptionGroup var options: Options
            @Argument(help: "The sign-in name.") var name: String

            func run() async throws {
                try options.bootstrapLogging()
                let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
                let removed = try await storage.removeUser(named: name)
                if removed {
                    try await storage.recordAudit(AuditEvent(at: Date(), actor: commandLineActor, action: "user-removed", target: name))
                }
                try await storage.close()
                guard removed else { throw ValidationError("there is no user \(name)") }
                print("Removed user \(name); their sessions are ended.")
            }
        }
    }

    /// `touchpoint collector token create|list|revoke`.
    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token", abstract: "API tokens for programs (sent as Authorization: Bearer).",
            subcommands: [Create.self, List.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a token; it is printed once, only its hash is kept.")
            @OptionGroup var options: Options
            @Option(name: .long, help: "A name for the token, e.g. powerbi.") var name: String
            @Option(name: .long, help: "viewer, analyst or admin.") var role: Role

            func run() async throws {
                try options.bootstrapLogging()
                try checkName(name, "token name")
                let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
                let token = CollectorToken.generate()
                do {
                    try await storage.addAPIToken(APITokenRecord(
                        name: name, tokenHash: CollectorToken.hash(token), role: role, createdAt: Date()))
                    try await storage.recordAudit(AuditEvent(at: Date(), actor: commandLineActor, action: "token-created", target: name))
                } catch {
                    try? await storage.close()
                    throw error
                }
                try await storage.close()
                FileHandle.standardError.write(Data("API token \(name) (\(role)), shown once; send it as Authorization: Bearer TOKEN:\n".utf8))
                print(token)
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List tokens: role, created, last used, revoked.")
            @OptionGroup var options: Options

            func run() async throws {
                try options.bootstrapLogging()
                let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
                let tokens = try await storage.apiTokens()
                try await storage.close()
                guard !tokens.isEmpty else {
                    print("No API tokens. Create one with: touchpoint collector token create --name NAME --role viewer")
                    return
                }
                print(TextTable.render(
                    header: ["token", "role", "created", "last used", "revoked"],
                    rows: tokens.map {
                        [$0.name, $0.role.rawValue, shortTime($0.createdAt), $0.lastUsedAt.map(shortTime) ?? "never",
                         $0.revokedAt.map(shortTime) ?? "-"]
                    }))
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a token: it is refused from now on.")
            @OptionGroup var options: Options
            @Argument(help: "The token's name.") var name: String

            func run() async throws {
                try options.bootstrapLogging()
                let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
                let revoked = try await storage.revokeAPIToken(named: name, at: Date())
                if revoked {
                    try await storage.recordAudit(AuditEvent(at: Date(), actor: commandLineActor, action: "token-revoked", target: name))
                }
                try await storage.close()
                guard revoked else { throw ValidationError("there is no active token named \(name)") }
                print("Revoked API token \(name).")
            }
        }
    }

    /// `touchpoint collector audit`.
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the audit log: sign-ins, exports, comment reads, tokens and users (names and counts only).")
        @OptionGroup var options: Options
        @Option(name: .long, help: "Only events since this day (2026-11-01) or ISO 8601 time.") var since: String?
        @Option(name: .long, help: "At most this many, the newest.") var limit = 100
        @Flag(name: .long, help: "Print JSON lines instead of a table.") var json = false

        func run() async throws {
            try options.bootstrapLogging()
            var from: Date?
            if let since {
                guard let date = ReportQuery.parseTime(since, isEnd: false) else {
                    throw ValidationError("--since: must be a day such as 2026-11-01 or an ISO 8601 time, not '\(since)'")
                }
                from = date
            }
            let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
            let events = try await storage.auditLog(since: from, limit: max(1, limit))
            try await storage.close()
            if json {
                for event in events {
                    var object: [String: String] = [
                        "at": shortTime(event.at), "actor": event.actor, "action": event.action,
                    ]
                    object["target"] = event.target
                    object["count"] = event.count.map(String.init)
                    object["remote"] = event.remote
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    print(String(decoding: try encoder.encode(object), as: UTF8.self))
                }
                return
            }
            guard !events.isEmpty else {
                print("The audit log is empty.")
                return
            }
            print(TextTable.render(
                header: ["time", "actor", "action", "target", "count", "from"],
                rows: events.map {
                    [shortTime($0.at), $0.actor, $0.action, $0.target ?? "", $0.count.map(String.init) ?? "", $0.remote ?? ""]
                }))
        }
    }
}

/// A time in the access commands' tables: `2026-11-30 14:05:09Z`.
func shortTime(_ date: Date) -> String {
    String(Timestamp.string(date).prefix(19)).replacingOccurrences(of: "T", with: " ") + "Z"
}

extension TextTable {
    /// A table of `header` and `rows`, rendered.
    static func render(header: [String], rows: [[String]]) -> String {
        var table = TextTable(header: header)
        for row in rows { table.add(row) }
        return table.render()
    }
}
