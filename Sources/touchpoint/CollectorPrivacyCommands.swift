import ArgumentParser
import Foundation
import Logging
import TouchpointCollector
import TouchpointCore

extension CollectorCommand {
    /// `touchpoint collector erase`.
    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase personal data: one response, an account's references and comments, or comments matching a text.",
            discussion: """
                --response ID removes the whole response (its answers, follow-up case and pending feed posts; the \
                report aggregates are adjusted). --account ACC removes the account reference and the comments of every \
                response of the account, its health history and CRM row, and its cases' notes; the scores stay. \
                --comment-matching TEXT --site SITE removes the comments of that site containing TEXT (any case). \
                Every erasure is logged (what kind, when, by whom, how many; the target only as a SHA-256).
                """)
        @OptionGroup var options: Options
        @Option(name: .long, help: "A response id.") var response: String?
        @Option(name: .long, help: "An account reference.") var account: String?
        @Option(name: .long, help: "Comments containing this text (with --site).") var commentMatching: String?
        @Option(name: .long, help: "The site of --comment-matching.") var site: String?
        @Flag(name: .long, help: "Say what would be erased; change nothing.") var dryRun = false

        func validate() throws {
            let given = [response != nil, account != nil, commentMatching != nil].filter { $0 }.count
            guard given == 1 else {
                throw ValidationError("give one of --response, --account or --comment-matching (with --site)")
            }
            if commentMatching != nil, site == nil { throw ValidationError("--comment-matching needs --site") }
            if commentMatching == nil, site != nil { throw ValidationError("--site goes with --comment-matching") }
            if let text = commentMatching, text.trimmingWhitespace().count < 3 {
                throw ValidationError("--comment-matching: give at least 3 characters, not '\(text)'")
            }
        }

        func run() async throws {
            let request: ErasureRequest
            if let response {
                guard UUID(uuidString: response) != nil else { throw ValidationError("--response must be a response id, not '\(response)'") }
                request = .response(response)
            } else if let account {
                request = .account(account)
            } else {
                request = .comments(matching: commentMatching ?? "", site: site ?? "")
            }
            try options.bootstrapLogging()
            let summary = try await options.withExistingStorage { storage in
                try await storage.erase(request, by: commandLineActor, at: Date(), dryRun: dryRun)
            }
            if summary.isEmpty {
                print("Nothing matched: nothing erased.")
            } else if dryRun {
                print("Would erase: \(summary.description). (Dry run: nothing changed.)")
            } else {
                print("Erased: \(summary.description). Logged in the erasure log (touchpoint collector erasures).")
            }
        }
    }

    /// `touchpoint collector erasures`.
    struct Erasures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The erasure log: what kind of erasure, when, by whom and how much (never the content).")
        @OptionGroup var options: Options
        @Flag(name: .long, help: "As JSON.") var json = false

        func run() async throws {
            try options.bootstrapLogging()
            let log = try await options.withExistingStorage { try await $0.erasures() }
            if json {
                print(try jsonText(log))
                return
            }
            guard !log.isEmpty else {
                print("No erasures.")
                return
            }
            var table = TextTable(header: ["at", "by", "kind", "target (sha-256; retention: horizons)", "erased"])
            for record in log {
                let target = record.kind == "retention" ? record.targetDigest : String(record.targetDigest.prefix(23)) + "…"
                table.add([FeedEvent.time(record.at), record.actor, record.kind, target, record.summary.description])
            }
            print(table.render())
        }
    }
}

extension CollectorCommand {
    /// `touchpoint collector prune`.
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove what the retention policy no longer allows: old comments, old responses, inactive accounts.",
            discussion: """
                The policy is the collector's --retention file (retention: { comments: 12 months, responses: 36 months, \
                accounts: 24 months }). Comments of responses completed before their horizon go (the scores stay); \
                responses before theirs go whole, while the report aggregates keep their figures; accounts whose last \
                response is older than theirs are erased as by `collector erase --account`. Horizons are UTC midnights. \
                `collector serve --retention FILE` does the same every day. The run is logged in the erasure log.
                """)
        @OptionGroup var options: Options
        @Option(name: .long, help: "The retention policy (YAML).") var retention: String
        @Flag(name: .long, help: "Say what would go; change nothing.") var dryRun = false

        func run() async throws {
            let policy: RetentionPolicy
            do {
                policy = try RetentionPolicy.load(path: retention)
            } catch {
                throw ValidationError("the retention policy does not validate:\n\(error)")
            }
            try options.bootstrapLogging()
            let now = Date()
            let horizons = policy.horizons(at: now)
            let summary = try await options.withExistingStorage { storage in
                try await storage.prune(horizons, by: commandLineActor, at: now, dryRun: dryRun)
            }
            print("Policy: \(policy.description) — prunes \(horizons.description).")
            if summary.isEmpty {
                print("Nothing is past the policy: nothing pruned.")
            } else if dryRun {
                print("Would prune: \(summary.description). (Dry run: nothing changed.)")
            } else {
                print("Pruned: \(summary.description). Logged in the erasure log (touchpoint collector erasures); "
                    + "the report aggregates are kept.")
            }
        }
    }

    /// `touchpoint collector subject-access`.
    struct SubjectAccess: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "subject-access",
            abstract: "Write everything held about an account as JSON (an access request): responses, comments, health history, cases.")
        @OptionGroup var options: Options
        @Option(name: .long, help: "The account reference (any case and spacing).") var account: String
        @Option(name: .shortAndLong, help: "Write to this file (mode 0600) instead of standard output.") var output: String?

        func run() async throws {
            try options.bootstrapLogging()
            let report = try await options.withExistingStorage { storage in
                try await SubjectAccessReport.gather(account: account, from: storage, at: Date())
            }
            let text = try jsonText(report)
            if let output {
                guard FileManager.default.createFile(
                    atPath: output, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: 0o600])
                else {
                    throw ValidationError("cannot write \(output)")
                }
                FileHandle.standardError.write(Data(
                    "Wrote \(output): \(report.responses.count) responses, \(report.comments.count) comments, \(report.cases.count) cases, \(report.healthHistory.count) health snapshots.\n".utf8))
            } else {
                print(text)
            }
        }
    }
}

extension CollectorCommand {
    /// `touchpoint collector comment-key`.
    struct CommentKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "comment-key",
            abstract: "Write a new key for encrypting comments at rest (32 random bytes, mode 0600); give it to the collector with --comment-key.",
            discussion: """
                Keep the key outside the database and its backups: whoever has both can read the comments; without the key \
                the comments cannot be read back (reports and aggregates still work). Every collector process on one \
                database needs the same key.
                """)
        @Argument(help: "The key file to create (not overwritten).") var file: String

        func run() throws {
            do {
                try CommentCipher.createKeyFile(at: file)
            } catch let error as CollectorError {
                throw ValidationError(error.message)
            }
            print("Wrote \(file) (mode 0600). Start the collector with --comment-key \(file); keep a copy apart from the database's backups.")
        }
    }
}
