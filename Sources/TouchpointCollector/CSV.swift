import Foundation

/// RFC 4180 CSV text: fields quoted when they hold a comma, quote, CR or LF; records end in CRLF.
public enum CSV {
    /// `field`, quoted (with inner quotes doubled) if it needs to be.
    public static func field(_ field: String) -> String {
        let special: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\r")]
        let needsQuotes = field.utf8.contains { special.contains($0) }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record: the fields joined by commas, ending in CRLF.
    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }
}
