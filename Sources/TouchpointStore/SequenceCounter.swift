import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A kiosk's response counter in a file holding the last number used; numbers are never reused.
///
/// The file (`responses/sequence`) has one of two forms; both start with the number, and ``last`` reads either:
/// - closed, `42\n`: the last number in decimal and a newline, durable. ``next()`` and a clean
///   ``FileResponseStore/close()`` write it.
/// - open, `00000000000000000042 <boot id>\n`: the number in 20 digits, a space, and the Linux boot id of the
///   machine boot in which a ``FileResponseStore`` counts with it. The store writes this form durably once, then
///   overwrites the 20 digits in place at every commit without fsync; the page cache keeps the newest number
///   for any process of the same boot, and a store that finds an open form of an earlier boot (the machine
///   crashed or lost power) recovers the number from the stored response files.
public struct SequenceCounter: Sendable {
    /// The counter file (`responses/sequence`).
    public let file: URL
    /// The last number handed out; 0 before the first.
    public private(set) var last: UInt64
    /// The boot id of an open counter file (see the type's summary); nil for a closed or missing one.
    public let openInBoot: String?

    /// The number of digits of the open form's number.
    static let openDigits = 20

    /// Opens the counter at `file`; a missing file starts at 0, a corrupt one throws `.corruptCounter`.
    public init(file: URL) throws {
        self.file = file
        guard FileManager.default.fileExists(atPath: file.path) else {
            last = 0
            openInBoot = nil
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
        let line = text.hasSuffix("\n") ? String(text.dropLast()) : text
        let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        var digits = String(parts[0])
        var boot: String?
        if parts.count == 2 {
            // The open form: exactly 20 digits, one space, a boot id.
            let id = String(parts[1])
            if digits.utf8.count == Self.openDigits && Self.isBootID(id) {
                boot = id
            } else {
                digits = line
            }
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = UInt64(digits)
        else {
            throw StoreError(
                .corruptCounter,
                "sequence counter \(file.path) does not hold a number (found \(line.prefix(40).debugDescription)); "
                    + "set it to the highest sequence number stored so far")
        }
        last = value
        openInBoot = boot
    }

    /// Reserves the next number, durably recording it (closed form) before returning so a crash never reuses it.
    ///
    /// ``FileResponseStore`` does not use this: it keeps the file open and writes it in place (see the type's
    /// summary). Never call it on a counter a running store holds open.
    public mutating func next() throws -> UInt64 {
        guard last < UInt64.max else {
            throw StoreError(.corruptCounter, "sequence counter \(file.path) is exhausted")
        }
        let value = last + 1
        try DurableFile.write(Self.closedForm(value), to: file)
        last = value
        return value
    }

    /// Flushes the counter file to disk; call it before removing any response file.
    ///
    /// A running store updates the counter without fsync, so until this returns, a power loss could bring back
    /// an older number, and the store would then recover the newest one from the response files: removing
    /// files first would remove that evidence. Any process may call it (the page cache is shared), also while a
    /// kiosk runs. Throws `.unrecoveredCounter` if the counter was left open by a store in an earlier boot of
    /// the machine (it may lag behind the files; starting the kiosk recovers it), `.corruptCounter` if the file
    /// does not hold a number, `.io` if the flush fails. A missing file is nothing to flush.
    public static func makeDurable(file: URL, bootID: String? = BootID.current) throws {
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return }
            throw StoreError.system("open", file.path)
        }
        defer { close(fd) }
        let counter = try SequenceCounter(file: file)
        if let boot = counter.openInBoot, boot != bootID {
            throw StoreError(
                .unrecoveredCounter,
                "sequence counter \(file.path) was left open by a kiosk before the machine restarted, so it may be "
                    + "behind the stored responses; no response file may be removed until the kiosk has started once "
                    + "on \(file.deletingLastPathComponent().path) and recovered it")
        }
        guard fsync(fd) == 0 || errno == EINVAL else { throw StoreError.system("fsync", file.path) }
    }

    /// `42\n`.
    static func closedForm(_ value: UInt64) -> Data {
        Data("\(value)\n".utf8)
    }

    /// `00000000000000000042 <boot id>\n`.
    static func openForm(_ value: UInt64, bootID: String) -> Data {
        Data((paddedDigits(value) + " " + bootID + "\n").utf8)
    }

    /// `value` in exactly 20 decimal digits (UInt64.max has 20).
    static func paddedDigits(_ value: UInt64) -> String {
        let digits = String(value)
        return String(repeating: "0", count: openDigits - digits.count) + digits
    }

    /// Whether `text` can be a boot id here: 1 to 64 letters, digits and hyphens.
    static func isBootID(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0)
                || (0x61...0x7A).contains($0) }
    }
}
