/// Cleans customer-typed text: strips terminal control characters and escape sequences.
public enum TextSanitizer {
    /// `text` without ANSI/VT escape sequences (CSI, OSC, two-character escapes) and other control
    /// characters; tabs become spaces, surrounding whitespace is trimmed. Letters such as å, ä, ö stay.
    public static func clean(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar.value {
            case 0x1B:  // ESC: drop the whole sequence
                guard let next = scalars.next() else { break }
                if next == "[" {  // CSI: parameters, then a final byte 0x40–0x7E
                    while let s = scalars.next(), !(0x40...0x7E).contains(s.value) {}
                } else if next == "]" || next == "P" || next == "_" || next == "^" {  // OSC/DCS/APC/PM: until BEL or ST
                    var previous: Unicode.Scalar?
                    while let s = scalars.next() {
                        if s.value == 0x07 || (previous?.value == 0x1B && s == "\\") { break }
                        previous = s
                    }
                } else if (0x20...0x2F).contains(next.value) {  // nF escape: intermediates, then a final byte
                    while let s = scalars.next(), (0x20...0x2F).contains(s.value) {}
                }  // other: two-character escape, both dropped
            case 0x09:
                output.append(" ")
            case 0x00...0x1F, 0x7F, 0x80...0x9F:
                continue
            default:
                output.append(scalar)
            }
        }
        return String(output).trimmingWhitespace()
    }
}

extension String {
    /// The string without leading and trailing spaces and newlines.
    public func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
