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

    /// `cell` made safe to open in a spreadsheet: if it starts with a character that makes Excel, LibreOffice
    /// or Google Sheets read it as a formula (OWASP's list: `=`, `+`, `-`, `@`, tab, carriage return), a `'` is
    /// put in front, so the cell shows as text; any other cell is returned unchanged.
    ///
    /// Apply it only to text that people outside the company can choose (comments, typed accounts): a number
    /// such as `-3` would become text.
    public static func neutralisingFormula(_ cell: String) -> String {
        switch cell.unicodeScalars.first {
        case "=", "+", "-", "@", "\t", "\r": "'" + cell
        default: cell
        }
    }
}

/// Writes exported answers as CSV records, formatting each response's completion time once.
///
/// By default the cells a kiosk or a customer chooses are neutralised against spreadsheet formulas
/// (see ``ExportedAnswer/csvFields(neutralisingFormulas:)``).
public struct AnswerCSVWriter: Sendable {
    private var lastDate: Date?
    private var lastText = ""
    private let neutralisingFormulas: Bool
    private let maskingPersonalData: Bool
    /// How many items of personal data the comments written so far had masked, by kind.
    public private(set) var masked: [PersonalData.Kind: Int] = [:]

    /// Creates a writer; `neutralisingFormulas: false` writes every cell exactly as stored (raw output);
    /// `maskingPersonalData: false` keeps e-mail addresses, phone numbers, personal identity and card numbers in
    /// comments (``TouchpointCore/PersonalData``), which are masked by default.
    public init(neutralisingFormulas: Bool = true, maskingPersonalData: Bool = true) {
        self.neutralisingFormulas = neutralisingFormulas
        self.maskingPersonalData = maskingPersonalData
    }

    /// The header record.
    public static var header: String { CSV.record(ExportedAnswer.csvHeader) }

    /// The records of `answers`, in order.
    public mutating func records(_ answers: [ExportedAnswer]) -> String {
        var text = ""
        text.reserveCapacity(answers.count * 160)
        for var answer in answers {
            if maskingPersonalData, answer.type == QuestionType.text.rawValue {
                let result = PersonalData.mask(answer.value)
                if result.isChanged {
                    answer.value = result.text
                    masked.merge(result.counts, uniquingKeysWith: +)
                }
            }
            if answer.completedAt != lastDate {
                lastDate = answer.completedAt
                lastText = Timestamp.string(answer.completedAt)
            }
            text += CSV.record(answer.csvFields(completedAt: lastText, neutralisingFormulas: neutralisingFormulas))
        }
        return text
    }
}
