import Foundation
import TouchpointCore

/// Reads accounts from CSV (RFC 4180: comma-separated, `"` quoting with `""` for a quote, CRLF or LF).
///
/// The first record names the columns (any order, case and `_`/`-`/space ignored): `id` (required), `name`,
/// `mrr`, `arr`, `owner`, `interactions`, `last_interaction`. Pure: the caller reads the file.
public enum AccountCSV {
    /// The column names, as documented.
    public static let columns = ["id", "name", "mrr", "arr", "owner", "interactions", "last_interaction"]

    /// Parses and checks every record; throws every problem found, so nothing is imported from a bad file.
    public static func parse(text: String, file: String) throws(AccountCSVError) -> AccountImport {
        var problems: [AccountCSVError.Problem] = []
        func problem(_ line: Int, _ column: String?, _ message: String) {
            problems.append(AccountCSVError.Problem(file: file, line: line, column: column, message: message))
        }
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let records: [Record]
        do {
            records = try Self.records(body)
        } catch {
            throw AccountCSVError(problems: [AccountCSVError.Problem(file: file, line: error.line, column: nil, message: error.message)])
        }
        guard let header = records.first else {
            throw AccountCSVError(problems: [AccountCSVError.Problem(
                file: file, line: 1, column: nil, message: "the file is empty; the first line names the columns (\(columns.joined(separator: ", ")))")])
        }

        // Header: which column is which.
        var positions: [Column: Int] = [:]
        var names: [Column: String] = [:]
        for (index, raw) in header.fields.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard let column = Column(header: name) else {
                problem(header.line, name.isEmpty ? "\(index + 1)" : name,
                        "unknown column (expected: \(columns.joined(separator: ", ")))")
                continue
            }
            if positions[column] != nil {
                problem(header.line, name, "the column is named twice")
                continue
            }
            positions[column] = index
            names[column] = name
        }
        if positions[.id] == nil, problems.isEmpty {
            problem(header.line, nil, "no 'id' column: the first line must name the columns, one of them id")
        }
        guard problems.isEmpty else { throw AccountCSVError(problems: problems) }

        var accounts: [Account] = []
        var seen: [String: (id: String, line: Int)] = [:]  // by matching key
        for record in records.dropFirst() {
            if record.fields.count == 1, record.fields[0].trimmingCharacters(in: .whitespaces).isEmpty {
                continue  // a blank line
            }
            guard record.fields.count == header.fields.count else {
                problem(record.line, nil, "\(record.fields.count) fields, but the header names \(header.fields.count) columns")
                continue
            }
            func value(_ column: Column) -> String? {
                positions[column].map { record.fields[$0].trimmingCharacters(in: .whitespaces) }
            }
            func name(_ column: Column) -> String { names[column] ?? column.rawValue }
            let before = problems.count

            let id = value(.id) ?? ""
            if id.isEmpty {
                problem(record.line, name(.id), "empty; every account needs the id its responses carry")
            } else if id.count > Question.maximumAccountLength {
                problem(record.line, name(.id), "'\(id.prefix(20))…' is \(id.count) characters; an account reference is at most "
                    + "\(Question.maximumAccountLength)")
            } else if let earlier = seen[Account.matchingKey(id)] {
                problem(record.line, name(.id), "'\(id)' is already on line \(earlier.line)"
                    + (earlier.id == id ? "" : " as '\(earlier.id)' (ids match ignoring case and spaces)"))
            }
            func amount(_ column: Column) -> Double? {
                guard let text = value(column), !text.isEmpty else { return nil }
                let digits = text.filter { $0 != "." }
                guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), text.filter({ $0 == "." }).count <= 1,
                    let number = Double(text) else {
                    problem(record.line, name(column), "'\(text)' is not an amount: write digits with an optional decimal point, "
                        + "e.g. 1200.50 (no currency signs, thousands separators or minus)")
                    return nil
                }
                return number
            }
            var mrr = amount(.mrr)
            var arr = amount(.arr)
            if let monthly = mrr, let annual = arr, abs(annual - monthly * 12) > 0.5 {
                problem(record.line, name(.arr), "\(HealthModel.format(annual, digits: 2)) is not 12 × mrr \(HealthModel.format(monthly, digits: 2)) "
                    + "(\(HealthModel.format(monthly * 12, digits: 2))); give one of them, or both consistent")
            }
            if mrr == nil, let annual = arr { mrr = annual / 12 }
            if arr == nil, let monthly = mrr { arr = monthly * 12 }

            var interactions = 0
            if let text = value(.interactions), !text.isEmpty {
                if let count = Int(text), count >= 0 {
                    interactions = count
                } else {
                    problem(record.line, name(.interactions), "'\(text)' is not a count: write a whole number, 0 or more")
                }
            }
            var lastInteraction: Date?
            if let text = value(.lastInteraction), !text.isEmpty {
                lastInteraction = date(text)
                if lastInteraction == nil {
                    problem(record.line, name(.lastInteraction), "'\(text)' is not a date: write YYYY-MM-DD or an ISO 8601 time such as 2026-11-02T14:00:00Z")
                }
            }
            guard problems.count == before else { continue }
            seen[Account.matchingKey(id)] = (id, record.line)
            let accountName = value(.name).flatMap { $0.isEmpty ? nil : $0 }
            let owner = value(.owner).flatMap { $0.isEmpty ? nil : $0 }
            accounts.append(Account(
                id: id, name: accountName, mrr: mrr, arr: arr, owner: owner, interactions: interactions,
                lastInteractionAt: lastInteraction))
        }
        guard problems.isEmpty else { throw AccountCSVError(problems: problems) }
        var fields: Set<AccountField> = []
        if positions[.name] != nil { fields.insert(.name) }
        if positions[.mrr] != nil || positions[.arr] != nil { fields.insert(.revenue) }
        if positions[.owner] != nil { fields.insert(.owner) }
        if positions[.interactions] != nil { fields.insert(.interactions) }
        if positions[.lastInteraction] != nil { fields.insert(.lastInteraction) }
        return AccountImport(accounts: accounts, fields: fields)
    }

    /// `YYYY-MM-DD` (midnight UTC) or an ISO 8601 timestamp.
    static func date(_ text: String) -> Date? {
        ReportQuery.parseTime(text, isEnd: false)
    }

    /// The recognised columns.
    enum Column: String, CaseIterable {
        case id, name, mrr, arr, owner, interactions, lastInteraction

        /// The column a header names, ignoring case, spaces, `_` and `-`.
        init?(header: String) {
            let key = header.lowercased().filter { !" _-".contains($0) }
            switch key {
            case "id", "account", "accountid": self = .id
            case "name", "accountname": self = .name
            case "mrr": self = .mrr
            case "arr": self = .arr
            case "owner", "accountowner": self = .owner
            case "interactions", "interactioncount", "meaningfulinteractions": self = .interactions
            case "lastinteraction", "lastinteractionat", "lastinteractiondate": self = .lastInteraction
            default: return nil
            }
        }
    }

    /// One CSV record and the line it starts on.
    struct Record: Equatable {
        var line: Int
        var fields: [String]
    }

    /// A quoting error and where.
    struct SyntaxError: Error {
        var line: Int
        var message: String
    }

    /// Splits `text` into records (RFC 4180); quoted fields may hold commas, quotes (`""`) and line breaks.
    static func records(_ text: String) throws(SyntaxError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var quoted = false        // inside a quoted field
        var afterQuote = false    // just after a quoted field's closing quote
        var fieldStarted = false  // the current field has characters (unquoted)
        var iterator = text.makeIterator()
        var pending: Character?
        func next() -> Character? {
            if let character = pending {
                pending = nil
                return character
            }
            return iterator.next()
        }
        while let character = next() {
            let isNewline = character == "\n" || character == "\r\n" || character == "\r"
            if quoted {
                if character == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.append("\"")
                        } else {
                            quoted = false
                            afterQuote = true
                            pending = following
                        }
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if isNewline { line += 1 }
                    field.append(character)
                }
                continue
            }
            if character == "," {
                fields.append(field)
                field = ""
                afterQuote = false
                fieldStarted = false
            } else if isNewline {
                fields.append(field)
                records.append(Record(line: recordLine, fields: fields))
                fields = []
                field = ""
                afterQuote = false
                fieldStarted = false
                line += 1
                recordLine = line
            } else if afterQuote {
                throw SyntaxError(line: line, message: "text after a closing quote; a quoted field ends at the next comma or line end (write \"\" for a quote)")
            } else if character == "\"" {
                if fieldStarted {
                    throw SyntaxError(line: line, message: "a quote inside an unquoted field; quote the whole field and double the quote (\"\")")
                }
                quoted = true
            } else {
                field.append(character)
                fieldStarted = true
            }
        }
        if quoted {
            throw SyntaxError(line: recordLine, message: "a quoted field is never closed")
        }
        if !fields.isEmpty || !field.isEmpty || afterQuote {
            fields.append(field)
            records.append(Record(line: recordLine, fields: fields))
        }
        return records
    }
}
