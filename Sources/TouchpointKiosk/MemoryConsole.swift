/// A console for tests: answers reads from a script and records everything written.
public final class MemoryConsole: Console {
    /// One read the kiosk made.
    public struct Read: Sendable, Hashable {
        /// The prompt shown.
        public var prompt: String
        /// What kind of input was asked for.
        public var kind: InputKind
        /// The timeout given.
        public var timeout: Double?
    }

    private var script: [ConsoleInput]
    /// Everything written, in order.
    public private(set) var output = ""
    /// Every read, in order.
    public private(set) var reads: [Read] = []
    /// How many times the screen was cleared.
    public private(set) var clears = 0
    /// Completions supplier, as set by the kiosk.
    public var completer: (@Sendable ([String]) -> [String])?
    /// Whether to behave as a terminal.
    public var isInteractive: Bool
    /// Called with the read's index before each read (tests move a clock here).
    public var beforeRead: ((Int) -> Void)?

    /// A console that answers reads with `script`, then with end of input.
    public init(script: [ConsoleInput], interactive: Bool = true) {
        self.script = script
        self.isInteractive = interactive
    }

    public func read(prompt: String, kind: InputKind, timeout: Double?) -> ConsoleInput {
        beforeRead?(reads.count)
        reads.append(Read(prompt: prompt, kind: kind, timeout: timeout))
        output += prompt
        guard !script.isEmpty else { return .endOfInput }
        let input = script.removeFirst()
        if case .line(let text) = input, kind != .secret { output += text }
        output += "\n"
        return input
    }

    public func write(_ text: String) {
        output += text
    }

    public func clearScreen() {
        clears += 1
        output += "<clear>\n"
    }
}
