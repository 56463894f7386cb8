/// An accounts CSV file that did not validate: every problem, as `FILE:LINE: column X: what`.
public struct AccountCSVError: Error, Sendable, CustomStringConvertible {
    /// One thing wrong in the file.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The file, as given.
        public var file: String
        /// The 1-based line the record starts on.
        public var line: Int
        /// The column's header name, if the problem is in one column.
        public var column: String?
        /// What is wrong.
        public var message: String

        /// Creates a problem.
        public init(file: String, line: Int, column: String?, message: String) {
            self.file = file
            self.line = line
            self.column = column
            self.message = message
        }

        /// `FILE:LINE: column X: message` (without the column part when there is none).
        public var description: String {
            "\(file):\(line): " + (column.map { "column \($0): " } ?? "") + message
        }
    }

    /// The problems, in file order.
    public var problems: [Problem]

    /// Creates the error.
    public init(problems: [Problem]) {
        self.problems = problems
    }

    /// One problem per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
