import ArgumentParser
import Foundation
import TouchpointStore

/// `touchpoint survey …`: survey definition tools.
struct SurveyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "survey", abstract: "Work with survey definitions.", subcommands: [Validate.self])

    /// `touchpoint survey validate [FILE…]`.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check survey files; print each problem as file:line:column: message; exit 1 if any.")

        @Argument(help: "Survey files (default: every *.yaml in the surveys directory).")
        var files: [String] = []

        @Option(name: .long, help: "Surveys directory when no files are given.")
        var surveys: String = "surveys"

        func run() throws {
            let catalog = files.isEmpty
                ? SurveyDirectory.load(URL(fileURLWithPath: surveys, isDirectory: true))
                : SurveyDirectory.load(files: files.map { URL(fileURLWithPath: $0) })
            for problem in catalog.problems {
                FileHandle.standardError.write(Data((problem.description + "\n").utf8))
            }
            for survey in catalog.surveys {
                print("ok  \(survey.id) v\(survey.version) (\(survey.questions.count) questions, \(survey.languages.joined(separator: ", ")))")
            }
            if !catalog.problems.isEmpty {
                let files = Set(catalog.problems.map(\.file)).count
                FileHandle.standardError.write(Data("\(catalog.problems.count) problem(s) in \(files) file(s)\n".utf8))
                throw ExitCode(1)
            }
            if catalog.surveys.isEmpty {
                FileHandle.standardError.write(Data("no survey files found\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
