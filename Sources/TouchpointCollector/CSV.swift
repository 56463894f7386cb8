import Foundation
import TouchpointCore

/// RFC 4180 CSV text: fields quoted when they hold a comma, quote, CR or LF; records end in CRLF.
public enum CSV {
    /// `field`, quoted (with inner quotes doubled) if it needs to be.
    public static func field(_ field: String) -> String {
        var needsQuotes = false
        for byte in field.utf8 where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record: the fields joined by commas, ending in CRLF.
    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }
}

/// Writes exported answers as CSV records, formatting each response's completion time once.
public struct AnswerCSVWriter: Sendable {
    private var lastDate: Date?
    private var lastText = ""

    /// Creates a writer.
    public init() {}

    /// The header record.
    public static var header: String { CSV.record(ExportedAnswer.csvHeader) }

    /// The records of `answers`, in order.
    public mutating func records(_ answers: [ExportedAnswer]) -> String {
        var text = ""
        text.reserveCapacity(answers.count * 160)
        for answer in answers {
            if answer.completedAt != lastDate {
                lastDate = answer.completedAt
                lastText = Timestamp.string(answer.completedAt)
            }
            text += CSV.record(answer.csvFields(completedAt: lastText))
        }
        return text
    }
}
