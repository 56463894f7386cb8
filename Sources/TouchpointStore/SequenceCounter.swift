import Foundation

/// A kiosk's response counter in a file holding the last number used; numbers are never reused.
public struct SequenceCounter: Sendable {
    /// The counter file (`responses/sequence`): the last used number in decimal and a newline.
    public let file: URL
    /// The last number handed out; 0 before the first.
    public private(set) var last: UInt64

    /// Opens the counter at `file`; a missing file starts at 0, a corrupt one throws `.corruptCounter`.
    public init(file: URL) throws {
        self.file = file
        guard FileManager.default.fileExists(atPath: file.path) else {
            last = 0
            return
        }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw StoreError.wrapping(.io, "cannot read the sequence counter \(file.path)", error)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw StoreError(.corruptCounter, "sequence counter \(file.path) is not text")
        }
        let digits = text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = UInt64(digits)
        else {
            throw StoreError(
                .corruptCounter,
                "sequence counter \(file.path) does not hold a number (found \(digits.prefix(40).debugDescription)); "
                    + "set it to the highest sequence number stored so far")
        }
        last = value
    }

    /// Reserves the next number, durably recording it before returning so a crash never reuses it.
    public mutating func next() throws -> UInt64 {
        guard last < UInt64.max else {
            throw StoreError(.corruptCounter, "sequence counter \(file.path) is exhausted")
        }
        let value = last + 1
        try DurableFile.write(Data("\(value)\n".utf8), to: file)
        last = value
        return value
    }
}
