import ArgumentParser
import Foundation
import Logging
import TouchpointCollector
import TouchpointDemo

/// `touchpoint demo`: builds a demo data set through the real kiosk store, sync and collector.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate a demo data set: enrolled demo kiosks, signed responses synced into <output>/collector.sqlite.")

    @Option(name: .long, help: "Demo directory to create (default demo).")
    var output: String = "demo"

    @Option(name: .long, help: "Responses to generate (default 3000).")
    var responses: Int = 3000

    @Option(name: .long, help: "Calendar months covered, the current one included (default 12).")
    var months: Int = 12

    @Option(name: .long, help: "Random seed: the same seed gives the same answers (default 42).")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Surveys the demo kiosks run (default surveys).")
    var surveys: String = "surveys"

    @Option(name: .long, help: ArgumentHelp(
        "Generate as if run at the start of this day (YYYY-MM-DD, UTC; today or earlier): the same day, seed and counts give "
            + "the same data set, so its figures can be reproduced exactly (default: now)."))
    var today: String?

    @Flag(name: .long, help: "Replace an existing demo directory.")
    var force = false

    @Option(name: .long, help: "Store the demo's comments and account references encrypted with this key file (from `collector comment-key`).")
    var commentKey: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "warning"

    /// 00:00 UTC of `day` (`YYYY-MM-DD`), which must not be after today.
    static func anchor(_ day: String) throws -> Date {
        guard let number = ReportCalendar.dayNumber(day) else {
            throw ValidationError("--today: '\(day)' is not a day such as 2026-11-30")
        }
        let start = Date(timeIntervalSince1970: Double(number) * 86_400)
        guard start <= Date() else {
            throw ValidationError("--today: \(day) is after today; the collector refuses responses from the future")
        }
        return start
    }

    func run() async throws {
        try bootstrapStandardErrorLogging(levelName: logLevel)
        var options = DemoBuilder.Options(
            output: URL(fileURLWithPath: output, isDirectory: true),
            surveysDirectory: URL(fileURLWithPath: surveys, isDirectory: true), force: force,
            generation: DemoConfiguration(responses: responses, months: months, seed: seed))
        if let commentKey {
            do {
                options.commentCipher = try CommentCipher.load(path: commentKey)
            } catch let error as CollectorError {
                throw ValidationError(error.message)
            }
        }
        let anchor = try today.map(Self.anchor) ?? Date()
        let builder = DemoBuilder(options: options, logger: Logger(label: "touchpoint.demo"), now: { anchor })
        let summary: DemoSummary
        do {
            summary = try await builder.build { say($0) }
        } catch let error as DemoError where error.code == .outputExists || error.code == .invalidConfiguration {
            throw ValidationError(error.description)
        } catch {
            FileHandle.standardError.write(Data("demo failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
        say("")
        say(summary.description)
        var database = shellQuoted(output.hasSuffix("/") ? output + "collector.sqlite" : output + "/collector.sqlite")
        if let commentKey { database += " --comment-key " + shellQuoted(commentKey) }
        let accounts = shellQuoted(output.hasSuffix("/") ? output + "accounts.csv" : output + "/accounts.csv")
        say("""

            accounts.csv is imported already (as `touchpoint collector import-accounts \(accounts) --database \(database)` does).
            Look at it:
              touchpoint report nps --database \(database) --by touchpoint,stage
              touchpoint health --database \(database)
              touchpoint collector user add admin --role admin --database \(database)    # asks for a password
              touchpoint collector serve --database \(database)    # then open http://127.0.0.1:8080/ and sign in
            The dashboard and every read route need a user (or an API token: touchpoint collector token create).
            """)
    }

    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func shellQuoted(_ path: String) -> String {
        path.allSatisfy({ $0.isLetter || $0.isNumber || "/._-".contains($0) }) ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
