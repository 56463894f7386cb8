/// Wraps text at word boundaries to a terminal's width.
public enum TextWrapper {
    /// `text` with every line longer than `width` columns broken at spaces. A continuation line keeps
    /// the line's indentation; runs of spaces inside a line (a scale row) are kept where no break falls;
    /// only a word longer than the whole line is broken inside.
    public static func wrap(_ text: String, width: Int) -> String {
        guard width > 0 else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { wrapLine(Substring($0), width: width) }
            .joined(separator: "\n")
    }

    private static func wrapLine(_ line: Substring, width: Int) -> String {
        guard line.count > width else { return String(line) }
        let indent = String(line.prefix { $0 == " " })
        // Keep the indentation only if it leaves room for text.
        let continuation = indent.count < width / 2 ? indent : ""
        var lines: [String] = []
        var current = indent
        var currentHasWord = false
        var rest = line.dropFirst(indent.count)
        while !rest.isEmpty {
            let spaces = rest.prefix { $0 == " " }
            rest = rest.dropFirst(spaces.count)
            var word = Substring(rest.prefix { $0 != " " })
            rest = rest.dropFirst(word.count)
            if word.isEmpty { break }  // trailing spaces
            if currentHasWord && current.count + spaces.count + word.count > width {
                lines.append(current)
                current = continuation
                currentHasWord = false
            } else if currentHasWord {
                current += spaces
            }
            // A word longer than a whole line is broken where the line ends.
            while current.count + word.count > width, width - current.count > 0 {
                let room = width - current.count
                current += word.prefix(room)
                word = word.dropFirst(room)
                lines.append(current)
                current = continuation
            }
            current += word
            currentHasWord = true
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }
}
