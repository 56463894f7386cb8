/// One thing wrong in a survey file, with where it is.
public struct SurveyProblem: Sendable, Hashable, CustomStringConvertible, Error {
    /// The file, as given to the parser.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// What is wrong, for a person.
    public var message: String

    /// Creates a problem.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, the form compilers use.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// A YAML file that cannot be used (a survey, a cases, feed, health, retention or targets file): every problem found,
/// in file order, each as `file:line:column: message`.
public struct YAMLFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems.
    public var problems: [SurveyProblem]

    /// Creates the error.
    public init(problems: [SurveyProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
