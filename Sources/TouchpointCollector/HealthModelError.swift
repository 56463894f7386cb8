import TouchpointCore

/// A health model file that did not validate: every problem found, in file order, as `file:line:column: message`.
public struct HealthModelError: Error, Sendable, CustomStringConvertible {
    /// The problems (the survey parser's problem type: file, line, column, message).
    public var problems: [SurveyProblem]

    /// Creates the error.
    public init(problems: [SurveyProblem]) {
        self.problems = problems
    }

    /// One problem per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
