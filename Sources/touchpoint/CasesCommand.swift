import ArgumentParser
import Foundation
import Logging
import TouchpointCollector
import TouchpointCore

/// `touchpoint cases list|show|assign|note|contact|resolve`: follow-up cases in the collector's database.
struct CasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "Follow-up cases: every unhappy customer's response, its owner, due time and what was done.",
        discussion: """
            A case is opened when the collector stores a response its rules select (every NPS detractor, 0–6; \
            see --cases of `touchpoint collector serve`). It moves open → contacted → resolved, or to no-action \
            with a reason. CASE is the response's id (the first characters are enough when they name one case).
            """,
        subcommands: [List.self, Show.self, Assign.self, Note.self, Contact.self, Resolve.self])

    /// Who a change is recorded as.
    struct Actor: ParsableArguments {
        @Option(name: .long, help: "Who made the change (default cli:$USER).") var by: String?

        var name: String { by.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 } ?? commandLineActor }
    }

    /// `touchpoint cases list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List cases: open and contacted ones unless --status says otherwise.")
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case table, csv, json
        }

        @OptionGroup var options: CollectorCommand.Options
        @Option(name: .long, help: "Statuses, comma-separated (open, contacted, resolved, no-action) or all (default open,contacted).")
        var status: String = "open,contacted"
        @Flag(name: .long, help: "Only cases past their due time and not closed.") var overdue = false
        @Option(name: .long, help: "Only this site.") var site: String?
        @Option(name: .long, help: "Only this owner ('-' for cases nobody owns).") var owner: String?
        @Option(name: .long, help: "Cases opened on or after this day (YYYY-MM-DD, UTC) or ISO 8601 time.") var from: String?
        @Option(name: .long, help: "Cases opened up to this day (inclusive) or before this ISO 8601 time.") var to: String?
        @Option(name: .long, help: "At most this many, newest first.") var limit: Int?
        @Option(name: .long, help: "Output: table, csv or json.") var format: Format = .table

        func run() async throws {
            let now = Date()
            var query = CaseQuery(site: site, owner: owner.map { $0 == "-" ? "" : $0 }, limit: limit)
            query.statuses = try CasesCommand.statuses(status)
            query.overdueAt = overdue ? now : nil
            (query.openedFrom, query.openedTo) = try CasesCommand.range(from: from, to: to)
            if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
            try options.bootstrapLogging()
            let cases = try await options.withExistingStorage { try await $0.cases(query) }
            switch format {
            case .json:
                print(try jsonText(cases))
            case .csv:
                var text = CSV.record(["case", "opened", "completed", "site", "kiosk", "touchpoint", "stage", "survey",
                                       "account", "trigger", "owner", "due", "status", "first_contact", "closed", "overdue"])
                for followUp in cases {
                    text += CSV.record([
                        followUp.id, Timestamp.string(followUp.openedAt), Timestamp.string(followUp.completedAt),
                        followUp.site, followUp.kiosk, followUp.touchpoint, followUp.stage.rawValue, followUp.surveyID,
                        CSV.neutralisingFormula(followUp.account ?? ""), followUp.trigger, followUp.owner ?? "",
                        Timestamp.string(followUp.dueAt), followUp.status.rawValue,
                        followUp.firstContactAt.map(Timestamp.string) ?? "", followUp.closedAt.map(Timestamp.string) ?? "",
                        followUp.isOverdue(at: now) ? "yes" : "no",
                    ])
                }
                print(text, terminator: "")
            case .table:
                guard !cases.isEmpty else {
                    print("No cases match.")
                    return
                }
                var table = TextTable(header: ["case", "opened", "site", "touchpoint", "trigger", "owner", "due", "status"])
                for followUp in cases {
                    table.add([
                        followUp.id, FeedEvent.time(followUp.openedAt), followUp.site, followUp.touchpoint, followUp.trigger,
                        followUp.owner ?? "–", FeedEvent.time(followUp.dueAt) + (followUp.isOverdue(at: now) ? " OVERDUE" : ""),
                        followUp.status.rawValue,
                    ])
                }
                print(table.render())
                print("\(cases.count) case\(cases.count == 1 ? "" : "s").")
            }
        }
    }

    /// `touchpoint cases show`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One case: the response's scores and comments, owner, due time, history.")
        @OptionGroup var options: CollectorCommand.Options
        @Argument(help: "The case (its response id, or the start of it).") var id: String
        @Flag(name: .long, help: "As JSON.") var json = false

        func run() async throws {
            try options.bootstrapLogging()
            let followUp = try await options.withExistingStorage { storage in
                try await storage.followUpCase(try await CasesCommand.resolve(id, in: storage))
            }
            guard let followUp else { throw ValidationError("there is no case \(id)") }
            if json {
                print(try jsonText(followUp))
                return
            }
            print(CasesCommand.describe(followUp, at: Date()))
        }
    }

    /// `touchpoint cases assign`.
    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a case to an owner.")
        @OptionGroup var options: CollectorCommand.Options
        @Argument(help: "The case.") var id: String
        @Argument(help: "The new owner.") var owner: String
        @OptionGroup var actor: Actor

        func run() async throws {
            try await CasesCommand.change(id, .assign(owner), options: options, actor: actor.name)
        }
    }

    /// `touchpoint cases note`.
    struct Note: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a note to a case.")
        @OptionGroup var options: CollectorCommand.Options
        @Argument(help: "The case.") var id: String
        @Argument(help: "The note.") var text: String
        @OptionGroup var actor: Actor

        func run() async throws {
            try await CasesCommand.change(id, .note(text), options: options, actor: actor.name)
        }
    }

    /// `touchpoint cases contact`.
    struct Contact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that the customer was reached.")
        @OptionGroup var options: CollectorCommand.Options
        @Argument(help: "The case.") var id: String
        @Option(name: .long, help: "What was said or agreed.") var note: String?
        @OptionGroup var actor: Actor

        func run() async throws {
            try await CasesCommand.change(id, .contacted(note: note), options: options, actor: actor.name)
        }
    }

    /// `touchpoint cases resolve`.
    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a case: resolved, or --no-action with the reason.")
        @OptionGroup var options: CollectorCommand.Options
        @Argument(help: "The case.") var id: String
        @Option(name: .long, help: "How it was resolved.") var note: String?
        @Option(name: .long, help: "Close without action, for this reason (no contact details, a test, a duplicate…).")
        var noAction: String?
        @OptionGroup var actor: Actor

        func validate() throws {
            if note != nil, noAction != nil { throw ValidationError("give --note or --no-action, not both") }
        }

        func run() async throws {
            let change: CaseChange = noAction.map { .noAction(reason: $0) } ?? .resolved(note: note)
            try await CasesCommand.change(id, change, options: options, actor: actor.name)
        }
    }

    // MARK: Shared

    /// Applies `change` to case `id` and prints the case's new state; a refused change is a readable error.
    static func change(_ id: String, _ change: CaseChange, options: CollectorCommand.Options, actor: String) async throws {
        try options.bootstrapLogging()
        let changed: FollowUpCase
        do {
            changed = try await options.withExistingStorage { storage in
                try await storage.changeCase(try await resolve(id, in: storage), change, by: actor, at: Date())
            }
        } catch let error as CollectorError where error.code == .conflict || error.code == .invalidInput || error.code == .notFound {
            throw ValidationError(error.message)
        }
        print("Case \(changed.id): \(changed.status.rawValue), owner \(changed.owner ?? "nobody"), due \(FeedEvent.time(changed.dueAt)).")
    }

    /// The full id of the case `prefix` names: an id, or the start of exactly one case's id.
    static func resolve(_ prefix: String, in storage: any CollectorStorage) async throws -> String {
        let given = prefix.trimmingWhitespace().lowercased()
        guard given.count >= 8 else { throw ValidationError("give the case's id (at least its first 8 characters), not '\(prefix)'") }
        if given.count == 36 { return given }
        let matches = try await storage.cases(CaseQuery()).map(\.id).filter { $0.hasPrefix(given) }
        switch matches.count {
        case 1: return matches[0]
        case 0: throw ValidationError("there is no case \(prefix)")
        default: throw ValidationError("\(prefix) names \(matches.count) cases; give more of the id")
        }
    }

    /// Parses `--status`: a comma-separated list of statuses, or `all`.
    static func statuses(_ text: String) throws -> Set<CaseStatus> {
        if text.lowercased() == "all" { return [] }
        var statuses: Set<CaseStatus> = []
        for part in text.split(separator: ",") {
            guard let status = CaseStatus(rawValue: String(part).trimmingWhitespace().lowercased()) else {
                throw ValidationError("--status: '\(part)' is not a status (open, contacted, resolved, no-action, or all)")
            }
            statuses.insert(status)
        }
        return statuses
    }

    /// Parses `--from`/`--to` as the reports do.
    static func range(from: String?, to: String?) throws -> (Date?, Date?) {
        var range: (Date?, Date?) = (nil, nil)
        for (flag, text, isEnd) in [("--from", from, false), ("--to", to, true)] {
            guard let text else { continue }
            guard let date = ReportQuery.parseTime(text, isEnd: isEnd) else {
                throw ValidationError("\(flag) must be a day such as 2026-01-31 or an ISO 8601 time such as 2026-01-31T18:30:00Z, not '\(text)'")
            }
            if isEnd { range.1 = date } else { range.0 = date }
        }
        if let from = range.0, let to = range.1, to <= from { throw ValidationError("--to must be after --from") }
        return range
    }

    /// One case for people: what happened, where, the customer's scores and comments, and the history.
    static func describe(_ followUp: FollowUpCase, at now: Date) -> String {
        var lines = [
            "Case \(followUp.id) — \(followUp.status.rawValue)\(followUp.isOverdue(at: now) ? ", OVERDUE" : "")",
            "  trigger     \(followUp.trigger)",
            "  where       \(followUp.site) · \(followUp.touchpoint) (\(followUp.stage.rawValue)) · kiosk \(followUp.kiosk) · \(followUp.surveyID) · \(followUp.language)",
            "  answered    \(FeedEvent.time(followUp.completedAt))",
            "  opened      \(FeedEvent.time(followUp.openedAt))",
            "  owner       \(followUp.owner ?? "nobody")",
            "  due         \(FeedEvent.time(followUp.dueAt))",
        ]
        if let account = followUp.account { lines.append("  account     \(account)") }
        if let resolution = followUp.resolution { lines.append("  \(followUp.status == .noAction ? "reason " : "resolution")  \(resolution)") }
        if !followUp.scores.isEmpty {
            lines.append("  scores      " + followUp.scores.map { "\($0.type.rawValue.uppercased()) \($0.value)" }.joined(separator: " · "))
        }
        for comment in followUp.comments {
            lines.append("  comment (\(comment.question)):")
            lines.append(contentsOf: comment.text.split(separator: "\n", omittingEmptySubsequences: false).map { "    > \($0)" })
        }
        lines.append("History:")
        for event in followUp.events {
            lines.append("  \(FeedEvent.time(event.at))  \(event.actor)  \(event.action.rawValue)\(event.detail.map { ": \($0)" } ?? "")")
        }
        return lines.joined(separator: "\n")
    }
}

/// `value` as the commands print JSON: pretty, sorted keys, times as `2026-11-30T08:00:00.000Z`.
func jsonText(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(Timestamp.string(date))
    }
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
