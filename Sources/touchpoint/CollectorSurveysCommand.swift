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
            abstract: "Surveys published centrally: checked like `survey validate`; a published version never changes.",
            subcommands: [Publish.self, List.self])

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
                let surveys = try await storage.publishedSurveys()
                try await storage.close()
                guard !surveys.isEmpty else {
                    print("No published surveys. Publish with: touchpoint collector surveys publish FILE…")
                    return
                }
                print(TextTable.render(
                    header: ["survey", "version", "digest", "published", "by"],
                    rows: surveys.map {
                        [$0.id, String($0.version), String($0.digest.prefix(19)) + "…", shortTime($0.publishedAt), $0.publishedBy]
                    }))
            }
        }
    }
}
