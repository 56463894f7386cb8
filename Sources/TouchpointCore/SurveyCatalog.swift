/// The surveys of a directory, validated together: each file alone and then across files (unique ids).
public struct SurveyCatalog: Sendable {
    /// The valid surveys, sorted by id.
    public private(set) var surveys: [Survey]
    /// Every problem found, by file and line.
    public private(set) var problems: [SurveyProblem]

    /// Parses every `(path, contents)` pair; a survey whose id repeats an earlier file's is a problem.
    /// `unreadable` lists files that could not be read, with why.
    public init(files: [(path: String, contents: String)], unreadable: [(path: String, reason: String)] = []) {
        var surveys: [String: Survey] = [:]
        var origin: [String: String] = [:]
        var problems = unreadable.map { SurveyProblem(file: $0.path, line: 1, column: 1, message: $0.reason) }
        for file in files.sorted(by: { $0.path < $1.path }) {
            switch SurveyParser.parse(yaml: file.contents, file: file.path) {
            case .success(let survey):
                if let first = origin[survey.id] {
                    let location = SurveyParser.idLocation(yaml: file.contents)
                    problems.append(SurveyProblem(file: file.path, line: location.line, column: location.column,
                                                  message: "survey id '\(survey.id)' is already used by \(first)"))
                } else {
                    surveys[survey.id] = survey
                    origin[survey.id] = file.path
                }
            case .failure(let error):
                problems += error.problems
            }
        }
        self.surveys = surveys.values.sorted { $0.id < $1.id }
        self.problems = problems
    }

    /// This catalog with `surveys` added, each replacing a survey of the same id (the collector's published surveys
    /// over the local folder's: see the kiosk's survey cache).
    public func overlaid(with surveys: [Survey]) -> SurveyCatalog {
        var catalog = self
        let replaced = Set(surveys.map(\.id))
        catalog.surveys = (self.surveys.filter { !replaced.contains($0.id) } + surveys).sorted { $0.id < $1.id }
        return catalog
    }

    /// The survey with `id`, if it validated.
    public func survey(_ id: String) -> Survey? {
        surveys.first { $0.id == id }
    }

    /// The problems of the file that defines survey `id`, found by file name when the survey did not validate.
    public func problems(forFileNamed stem: String) -> [SurveyProblem] {
        problems.filter { problem in
            let name = problem.file.split(separator: "/").last.map(String.init) ?? problem.file
            return name == stem + ".yaml" || name == stem + ".yml"
        }
    }
}
