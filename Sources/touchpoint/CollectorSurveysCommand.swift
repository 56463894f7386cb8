import ArgumentParser
import Foundation
import Logging
import TouchpointCollector
import TouchpointCore

extension CollectorCommand {
    /// `touchpoint collector surveys publish|list`: surveys published centrally (issue 13).
    struct Surveys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "surveys",
            abstract: "Surveys published centrally and assigned to kiosks: checked like `survey validate`; a published version never changes.",
            subcommands: [Publish.self, List.self, Assign.self])

        struct Publish: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check survey files and publish each version; any problem is printed as file:line:column: "
                    + "message and nothing is published.")
            @OptionGroup var options: Options
            @Argument(help: "Survey files (YAML).") var files: [String]

            func run() async throws {
                try options.bootstrapLogging()
                var contents: [(path: String, contents: String)] = []
                var unreadable: [(path: String, reason: String)] = []
                for file in files {
                    do {
                        contents.append((file, try String(contentsOf: URL(fileURLWithPath: file), encoding: .utf8)))
                    } catch {
                        unreadable.append((file, "cannot read the file (is it UTF-8?)"))
                    }
                }
                // The same checks as `touchpoint survey validate`, across the files given (an id at most once).
                let catalog = SurveyCatalog(files: contents, unreadable: unreadable)
                guard catalog.problems.isEmpty else {
                    for problem in catalog.problems {
                        FileHandle.standardError.write(Data((problem.description + "\n").utf8))
                    }
                    FileHandle.standardError.write(Data("\(catalog.problems.count) problem(s); nothing was published\n".utf8))
                    throw ExitCode(1)
                }
                let now = Date()
                var surveys: [PublishedSurvey] = []
                for file in contents {
                    guard case .success(let survey) = SurveyParser.parse(yaml: file.contents, file: file.path) else { continue }
                    surveys.append(PublishedSurvey(
                        id: survey.id, version: survey.version, digest: try SurveyDigest.digest(of: survey), source: file.contents,
                        publishedAt: now, publishedBy: commandLineActor))
                }
                let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
                let outcomes: [PublishOutcome]
                do {
                    outcomes = try await storage.publish(surveys)
                    for (survey, outcome) in zip(surveys, outcomes) where outcome == .published {
                        try await storage.recordAudit(AuditEvent(
                            at: now, actor: commandLineActor, action: "survey-published", target: "\(survey.id) v\(survey.version)"))
                    }
                } catch {
                    try? await storage.close()
                    throw error
                }
                try await storage.close()
                for (survey, outcome) in zip(surveys, outcomes) {
                    let what = outcome == .published ? "published" : "unchanged"
                    print("\(what)  \(survey.id) v\(survey.version) (\(survey.digest))")
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List published survey versions: digest, when, by whom.")
            @OptionGroup var options: Options

            func run() async throws {
                try options.bootstrapLogging()
                let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
                let plan = try await storage.fleetPlan()
                try await storage.close()
                guard !plan.published.isEmpty else {
                    print("No published surveys. Publish with: touchpoint collector surveys publish FILE…")
                    return
                }
                print(TextTable.render(
                    header: ["survey", "version", "digest", "published", "by", "assigned to"],
                    rows: plan.published.map { survey in
                        let scopes = plan.assignments(choosing: survey.id, version: survey.version).map { assignment in
                            assignment.scope + (assignment.version == nil ? "" : " (pinned)")
                        }
                        return [
                            survey.id, String(survey.version), String(survey.digest.prefix(19)) + "…", shortTime(survey.publishedAt),
                            survey.publishedBy, scopes.isEmpty ? "–" : scopes.joined(separator: "; "),
                        ]
                    }))
            }
        }

        struct Assign: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Assign a published survey to kiosks by site, touchpoint and/or kiosk (none: every kiosk), or --unassign.",
                discussion: """
                    Each kiosk runs, of each survey assigned to it, the version its most specific assignment names (a kiosk \
                    beats a site, a site beats a touchpoint, a touchpoint beats every kiosk); without --version that is the \
                    latest published. Kiosks pick the change up at their next sync, between two customers.
                    """)
            @OptionGroup var options: Options
            @Argument(help: "The survey id (published with `collector surveys publish`).") var survey: String
            @Option(name: .long, help: "Only kiosks of this site.") var site: String?
            @Option(name: .long, help: "Only kiosks at this touchpoint (the kiosk's configured touchpoint).") var touchpoint: String?
            @Option(name: .long, help: "Only this kiosk.") var kiosk: String?
            @Option(name: .long, help: "Pin this published version instead of following the latest.") var version: Int?
            @Flag(name: .long, help: "Remove the assignment with exactly this scope.") var unassign = false

            func validate() throws {
                for (value, name) in [(site, "--site"), (touchpoint, "--touchpoint"), (kiosk, "--kiosk")] {
                    if let value, let problem = Identifier.problem(value, name: name) {
                        throw ValidationError(problem)
                    }
                }
                if unassign, version != nil {
                    throw ValidationError("--version pins a version when assigning; --unassign removes the assignment of a scope whatever its version")
                }
                if let version, version < 1 {
                    throw ValidationError("--version must be 1 or more")
                }
            }

            func run() async throws {
                try options.bootstrapLogging()
                let assignment = SurveyAssignment(survey: survey, site: site, touchpoint: touchpoint, kiosk: kiosk, version: version)
                let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
                let now = Date()
                do {
                    if unassign {
                        guard try await storage.unassign(assignment) else {
                            let others = try await storage.fleetPlan().assignments.filter { $0.survey == survey }.map(\.scope)
                            try await storage.close()
                            throw ValidationError(
                                "\(survey) is not assigned to \(assignment.scope)"
                                    + (others.isEmpty ? " (it has no assignment)" : " (it is assigned to: \(others.joined(separator: "; ")))"))
                        }
                        try await storage.recordAudit(AuditEvent(
                            at: now, actor: commandLineActor, action: "survey-unassigned", target: "\(survey) from \(assignment.scope)"))
                        try await storage.close()
                        print("unassigned  \(survey) from \(assignment.scope)")
                        return
                    }
                    let changed = try await storage.assign(assignment, at: now, by: commandLineActor)
                    let plan = try await storage.fleetPlan()
                    let reached = try await storage.kiosks().filter { record in
                        record.revokedAt == nil
                            && assignment.matches(site: record.site, kiosk: record.id, touchpoint: record.config?.touchpoint)
                    }
                    if changed {
                        try await storage.recordAudit(AuditEvent(
                            at: now, actor: commandLineActor, action: "survey-assigned",
                            target: "\(survey) \(version.map { "v\($0)" } ?? "latest") to \(assignment.scope)"))
                    }
                    try await storage.close()
                    let latest = plan.published.filter { $0.id == survey }.map(\.version).max() ?? 0
                    let which = version.map { "version \($0) (pinned)" } ?? "the latest version (now \(latest))"
                    print("\(changed ? "assigned" : "unchanged")  \(survey), \(which), to \(assignment.scope)")
                    print(reached.isEmpty
                        ? "No enrolled kiosk matches yet; kiosks that do get it at their next sync."
                        : "\(reached.count) enrolled kiosk(s) match and get it at their next sync: \(reached.map(\.id).joined(separator: ", "))")
                } catch let error as ValidationError {
                    throw error
                } catch {
                    try? await storage.close()
                    throw error
                }
            }
        }
    }
}
