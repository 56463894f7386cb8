import Foundation
import TouchpointCore

/// A command typed in staff mode.
public enum StaffCommand: Sendable, Hashable {
    case help
    case surveys
    case start(survey: String, language: String?, account: String?)
    case unattended(survey: String, language: String?)
    case status
    case stats(today: Bool)
    case reload
    case clear
    case sync
    case quit

    /// The command words, for help and tab completion.
    public static let words = ["help", "surveys", "start", "kiosk", "status", "stats", "sync", "reload", "clear", "quit"]

    /// One line per command, for `help`.
    public static let helpText = """
        help                          this list
        surveys                       the surveys on this kiosk (and any that do not validate)
        start SURVEY [LANG] [@ACCOUNT] one customer session, then back here (LANG: sv, en)
        kiosk SURVEY [LANG]           unattended: restarts after every response; leave with the staff PIN
        status                        buffered responses, key id and configuration
        stats [all]                   NPS, CES and CSAT of today's (or all) buffered responses, by survey
        sync                          send buffered responses to the collector now (it also runs by itself)
        reload                        read the surveys again
        clear                         clear the screen
        quit                          leave the kiosk (also Ctrl-D)
        """

    /// Parses a staff line; nil for an empty line; a message for anything not understood.
    public static func parse(_ line: String) -> Result<StaffCommand, StaffCommandError>? {
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first = words.first?.lowercased() else { return nil }
        let arguments = Array(words.dropFirst())
        func survey(_ usage: String) -> Result<(String, String?, String?), StaffCommandError> {
            guard let id = arguments.first, !id.hasPrefix("@") else { return .failure(StaffCommandError("usage: \(usage)")) }
            var language: String?
            var account: String?
            var rest = Array(arguments.dropFirst())
            // Everything from the first @ to the end of the line is the account reference ("@ACME 42").
            if let at = rest.firstIndex(where: { $0.hasPrefix("@") }) {
                let reference = ([String(rest[at].dropFirst())] + rest[(at + 1)...]).joined(separator: " ")
                    .trimmingCharacters(in: .whitespaces)
                guard !reference.isEmpty else {
                    return .failure(StaffCommandError("type the account reference right after @, as in @ACME-42"))
                }
                guard reference.count <= Question.maximumAccountLength else {
                    return .failure(StaffCommandError(
                        "an account reference is at most \(Question.maximumAccountLength) characters"))
                }
                account = reference
                rest = Array(rest[..<at])
            }
            for word in rest {
                if language == nil {
                    language = word.lowercased()
                } else {
                    return .failure(StaffCommandError("unexpected '\(word)'; usage: \(usage)"))
                }
            }
            return .success((id, language, account))
        }
        switch first {
        case "help", "?": return .success(.help)
        case "surveys": return .success(.surveys)
        case "start":
            return survey("start SURVEY [LANG] [@ACCOUNT]").map { .start(survey: $0.0, language: $0.1, account: $0.2) }
        case "kiosk":
            return survey("kiosk SURVEY [LANG]").flatMap { parsed in
                parsed.2 == nil ? .success(.unattended(survey: parsed.0, language: parsed.1))
                    : .failure(StaffCommandError("an account belongs to one customer: use start SURVEY @ACCOUNT"))
            }
        case "status": return .success(.status)
        case "stats":
            if arguments.isEmpty || arguments == ["today"] { return .success(.stats(today: true)) }
            if arguments == ["all"] { return .success(.stats(today: false)) }
            return .failure(StaffCommandError("usage: stats [today|all]"))
        case "reload": return .success(.reload)
        case "sync": return .success(.sync)
        case "clear": return .success(.clear)
        case "quit", "exit": return .success(.quit)
        default: return .failure(StaffCommandError("unknown command '\(first)'; type help"))
        }
    }

    /// Tab-completion candidates for the word after `words`.
    public static func completions(after words: [String], surveys: [String], languages: [String]) -> [String] {
        switch words.count {
        case 0: return Self.words
        case 1 where ["start", "kiosk"].contains(words[0].lowercased()): return surveys
        case 1 where words[0].lowercased() == "stats": return ["today", "all"]
        case 2 where ["start", "kiosk"].contains(words[0].lowercased()): return languages
        default: return []
        }
    }
}

/// A staff line that is not a command.
public struct StaffCommandError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// Creates the error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
