import TouchpointKiosk

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
        /// The text the line started out with.
        public var prefill: String?
        /// The keys that answer a single-key read; nil for a line.
        public var keys: [String]?
    }

    private var script: [ConsoleInput]
    /// Everything written, in order.
    public private(set) var output = ""
    /// Every read, in order.
    public private(set) var reads: [Read] = []
    /// How many times the screen was cleared (pages included).
    public private(set) var clears = 0
    /// How many times typeahead was discarded.
    public private(set) var discards = 0
    /// Every pause, in seconds.
    public private(set) var pauses: [Double] = []
    /// Lockdown switches, in order.
    public private(set) var lockdowns: [Bool] = []
    /// The width pages are drawn at.
    public var width = 80
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

    public func read(prompt: String, kind: InputKind, timeout: Double?, prefill: String?) -> ConsoleInput {
        next(Read(prompt: prompt, kind: kind, timeout: timeout, prefill: prefill))
    }

    /// Answers from the script like a line read; records the keys asked for.
    public func readKey(prompt: String, keys: [String], timeout: Double?) -> ConsoleInput {
        next(Read(prompt: prompt, kind: .customer, timeout: timeout, keys: keys))
    }

    private func next(_ read: Read) -> ConsoleInput {
        let prompt = read.prompt
        let kind = read.kind
        beforeRead?(reads.count)
        reads.append(read)
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

    public func showPage(_ page: @escaping (Int) -> String) {
        clearScreen()
        output += page(width)
    }

    public func clearScreen() {
        clears += 1
        output += "<clear>\n"
    }

    public func discardPendingInput() {
        discards += 1
    }

    public func pause(seconds: Double) -> Bool {
        pauses.append(seconds)
        return true
    }

    public func setLockdown(_ on: Bool) {
        lockdowns.append(on)
    }
}
