import ArgumentParser
import Foundation
import Logging
import TouchpointCollector

/// The time range, filters and flags `touchpoint report` and `touchpoint export` share.
struct ReportFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Responses completed on or after this day (YYYY-MM-DD, UTC) or ISO 8601 time.") var from: String?
    @Option(name: .long, help: "Responses completed up to this day (inclusive) or before this ISO 8601 time.") var to: String?
    @Option(name: .long, help: "Only this site.") var site: String?
    @Option(name: .long, help: "Only this touchpoint.") var touchpoint: String?
    @Option(name: .long, help: "Only this journey stage (shop or own).") var stage: String?
    @Option(name: .long, help: "Only this survey id.") var survey: String?
    @Option(name: .long, help: "Only this question id.") var question: String?
    @Option(name: .long, help: "Only this language.") var language: String?
    @Flag(name: .long, help: "Count responses marked suspect (too fast in unattended mode).") var includeSuspect = false
    @Flag(name: .long, help: "Count partial (abandoned) responses.") var includePartial = false

    /// The selection; a bad value throws a `ValidationError` naming its flag.
    func selection() throws -> AnswerSelection {
        var selection = AnswerSelection(includeSuspect: includeSuspect, includePartial: includePartial)
        for (flag, text, isEnd) in [("--from", from, false), ("--to", to, true)] {
            guard let text else { continue }
            guard let date = ReportQuery.parseTime(text, isEnd: isEnd) else {
                throw ValidationError("\(flag) must be a day such as 2026-01-31 or an ISO 8601 time such as 2026-01-31T18:30:00Z, not '\(text)'")
            }
            if isEnd { selection.to = date } else { selection.from = date }
        }
        if let from = selection.from, let to = selection.to, to <= from {
            throw ValidationError("--to must be after --from")
        }
        let filters: [(ReportDimension, String?)] = [
            (.site, site), (.touchpoint, touchpoint), (.stage, stage), (.survey, survey), (.question, question), (.language, language),
        ]
        for (dimension, text) in filters {
            guard let text else { continue }
            switch dimension.checkFilter(text) {
            case .success(let value): selection.filters[dimension] = value
            case .failure(let problem): throw ValidationError("--\(dimension.rawValue) \(problem)")
            }
        }
        return selection
    }
}

extension CollectorCommand.Options {
    /// Opens the collector database for reading; a missing SQLite file is a `ValidationError` (not a new
    /// database).
    func openExistingStorage(logger: Logging.Logger) async throws -> any CollectorStorage {
        try await CollectorDatabase(database).open(commentCipher: try commentCipher(), logger: logger, mustExist: true)
    }

    /// Opens the existing database, runs `body`, closes it (also when `body` throws).
    func withExistingStorage<T>(label: String = "touchpoint", _ body: (any CollectorStorage) async throws -> T) async throws -> T {
        let storage = try await openExistingStorage(logger: Logging.Logger(label: label))
        do {
            let result = try await body(storage)
            try await storage.close()
            return result
        } catch {
            try? await storage.close()
            throw error
        }
    }
}
