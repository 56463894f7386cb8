/// The value of one answer: a scale number, a comment, an option id or yes/no.
///
/// Encoded in JSON as a plain number, string or boolean.
public enum AnswerValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A numeric scale value (NPS, CES, CSAT).
    case number(Int)
    /// A free comment.
    case text(String)
    /// The id of a chosen option.
    case option(String)
    /// A yes/no answer.
    case bool(Bool)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .number(value)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .text(let value), .option(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        }
    }

    /// The numeric value, if this is a scale answer.
    public var number: Int? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var description: String {
        switch self {
        case .number(let value): String(value)
        case .text(let value), .option(let value): value
        case .bool(let value): value ? "yes" : "no"
        }
    }
}
