import Foundation
import TouchpointJOSE

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sequence counter as a ``FileResponseStore`` holds it: one in-place write per number, without fsync.
///
/// The first number of a process writes the counter's open form durably (the number and this boot's id, see
/// ``SequenceCounter``); every later one overwrites the 20 digits in place with `pwrite`, before the response
/// file is written. Opening finds the last number so:
/// - no file, or a file in the open form of an earlier boot (the machine crashed or lost power, so the last
///   in-place writes may be lost): the highest of the counter and of every sequence number in `pending/`,
///   `sent/` and `rejected/`. Every response ever confirmed is durable in one of them, or was pruned after
///   ``SequenceCounter/makeDurable(file:bootID:)`` made a number at least as high durable.
/// - the open form of this boot (the last process was killed): the counter; the page cache holds its last write.
/// - the closed form (the last process closed it): the counter.
final class OpenSequenceCounter {
    /// How opening found the last number.
    enum Recovery: Equatable {
        /// From the closed form, or the open form of this boot: the file was trusted.
        case counter
        /// From the counter and the stored files; `highestStored` is the highest sequence among the files.
        case scanned(highestStored: UInt64)
    }

    /// The counter file.
    let file: URL
    /// The last number handed out.
    private(set) var last: UInt64
    /// How opening found ``last``.
    let recovery: Recovery
    /// The boot id written into the open form ("unknown" where the system has none: always recovered).
    private let bootID: String
    /// The open counter file while counting (after the first number or a recovery), else -1.
    private var descriptor: Int32 = -1
    /// Whether the file is in the open form and ``close()`` should write the closed one.
    private var fileIsOpenForm: Bool

    /// Opens the counter `file` of a store whose response files are in `directories`.
    ///
    /// A recovery that had to read the files writes its result at once, so the next start need not read them
    /// again and pruning may go on. Throws `.corruptCounter` (saying how high the stored files go) or `.io`.
    init(file: URL, storedIn directories: [URL], bootID: String? = BootID.current) throws {
        self.file = file
        self.bootID = bootID ?? "unknown"
        let counter: SequenceCounter
        do {
            counter = try SequenceCounter(file: file)
        } catch let error as StoreError where error.code == .corruptCounter {
            let highest = (try? Self.highestSequence(in: directories)).map { "\($0)" } ?? "unknown"
            throw StoreError(
                .corruptCounter,
                error.message + " (the highest in \(directories.map(\.lastPathComponent).joined(separator: ", ")) is "
                    + "\(highest); if sent responses were pruned, the collector's highest sequence for this kiosk may "
                    + "be higher, and the counter must be at least that)")
        }
        let exists = FileManager.default.fileExists(atPath: file.path)
        fileIsOpenForm = counter.openInBoot != nil
        if exists && (counter.openInBoot == nil || counter.openInBoot == bootID) {
            last = counter.last
            recovery = .counter
            return
        }
        let highest = try Self.highestSequence(in: directories)
        last = max(counter.last, highest)
        recovery = .scanned(highestStored: highest)
        if exists || highest > 0 {
            try start(at: last)
        }
    }

    deinit {
        if descriptor >= 0 {
            closeDescriptor(descriptor)
        }
    }

    /// Reserves the next number; it is in the page cache (not yet on disk) when this returns.
    ///
    /// Call it before writing the response that carries the number: after a kill the counter then never lags
    /// behind a stored file.
    func next() throws -> UInt64 {
        guard last < UInt64.max else {
            throw StoreError(.corruptCounter, "sequence counter \(file.path) is exhausted")
        }
        let value = last + 1
        if descriptor < 0 {
            try start(at: value)
        } else {
            try overwrite(with: value)
        }
        last = value
        return value
    }

    /// Writes the closed form durably (the next start trusts it in any boot) and closes the file.
    ///
    /// Optional: nothing depends on it for correctness. Recording again opens the counter again.
    func close() throws {
        if descriptor >= 0 || fileIsOpenForm {
            try DurableFile.write(SequenceCounter.closedForm(last), to: file)
            fileIsOpenForm = false
        }
        if descriptor >= 0 {
            closeDescriptor(descriptor)
            descriptor = -1
        }
    }

    /// Durably writes the open form holding `value`, and opens the new file for in-place writes.
    private func start(at value: UInt64) throws {
        try DurableFile.write(SequenceCounter.openForm(value, bootID: bootID), to: file)
        fileIsOpenForm = true
        let fd = open(file.path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.system("open", file.path) }
        descriptor = fd
    }

    /// Overwrites the open form's 20 digits with `value`, in place.
    private func overwrite(with value: UInt64) throws {
        let digits = Array(SequenceCounter.paddedDigits(value).utf8)
        var offset = 0
        while offset < digits.count {
            let written = digits.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return pwrite(descriptor, base + offset, buffer.count - offset, off_t(offset))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw StoreError.system("pwrite", file.path)
            }
            offset += written
        }
    }

    /// The highest `sequence` in the response files of `directories` (0 if none); unreadable files are skipped.
    static func highestSequence(in directories: [URL]) throws -> UInt64 {
        struct SequenceField: Decodable {
            var sequence: UInt64
        }
        let decoder = JSONDecoder()
        var highest: UInt64 = 0
        for directory in directories where FileManager.default.fileExists(atPath: directory.path) {
            for url in try ResponseFile.scan(directory) {
                guard let data = try? Data(contentsOf: url),
                    let payload = try? FlattenedJWS.parse(data).unverifiedPayload(),
                    let field = try? decoder.decode(SequenceField.self, from: payload)
                else { continue }
                highest = max(highest, field.sequence)
            }
        }
        return highest
    }
}

/// `close(2)`; a free function because ``OpenSequenceCounter/close()`` hides the global name inside the type.
private func closeDescriptor(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}
