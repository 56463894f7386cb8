import Foundation
import TouchpointCore
import TouchpointJOSE

/// The on-disk response store: `pending/`, `sent/`, `rejected/` of signed `<id>.json` files and `sequence`.
///
/// A commit makes one durable write, the response file's. The sequence counter is written in place without
/// fsync before it, and recovered from the stored files after a machine crash (``SequenceCounter``); whatever
/// removes response files calls ``SequenceCounter/makeDurable(file:bootID:)`` first.
///
/// Not thread-safe: use one instance from one task, and one process per directory (`touchpoint kiosk` holds
/// `kiosk.lock` before it opens the store).
public final class FileResponseStore: ResponseStore {
    /// The store's root directory.
    public let root: URL
    /// Files not yet accepted by the collector.
    public let pendingDirectory: URL
    /// ``pendingDirectory``'s path, kept for the commit path.
    private let pendingPath: String
    /// Files accepted by the collector.
    public let sentDirectory: URL
    /// Files refused by the collector.
    public let rejectedDirectory: URL
    /// The signing key.
    public let key: KioskKey

    private let counter: OpenSequenceCounter
    private let now: @Sendable () -> Date
    private var generator: any RandomNumberGenerator
    /// The id of the last response recorded by this store, so the next sorts after it.
    private var lastID: String?

    /// The mode of the directories the store creates: the owner writes, its group may read (backups).
    public static let directoryMode: mode_t = 0o750

    /// Opens (creating if needed, mode 0750) the store at `root` and removes temp files left by a crash.
    ///
    /// Finds the last sequence number as ``OpenSequenceCounter`` says: after a machine crash that reads every
    /// stored file. Throws `.corruptCounter` if `sequence` does not hold a number.
    ///
    /// Throws `.insecurePermissions` if group or others can write to `root` or its subdirectories: they
    /// could remove responses or rewind the sequence counter.
    public init(
        root: URL, key: KioskKey, now: @escaping @Sendable () -> Date = Date.init,
        generator: any RandomNumberGenerator = SystemRandomNumberGenerator()
    ) throws {
        self.root = root
        pendingDirectory = root.appendingPathComponent("pending", isDirectory: true)
        pendingPath = pendingDirectory.path
        sentDirectory = root.appendingPathComponent("sent", isDirectory: true)
        rejectedDirectory = root.appendingPathComponent("rejected", isDirectory: true)
        self.key = key
        self.now = now
        self.generator = generator
        for directory in [root, pendingDirectory, sentDirectory, rejectedDirectory] {
            try DirectoryPermissions.prepare(directory, mode: Self.directoryMode, holding: "responses")
        }
        _ = try DurableFile.removeTemporaryFiles(in: root)
        _ = try DurableFile.removeTemporaryFiles(in: pendingDirectory)
        counter = try OpenSequenceCounter(
            file: root.appendingPathComponent("sequence"),
            storedIn: [pendingDirectory, sentDirectory, rejectedDirectory])
    }

    /// The last sequence number used; 0 before the first response.
    public var lastSequence: UInt64 { counter.last }

    /// How opening found the last sequence number (for tests).
    var counterRecovery: OpenSequenceCounter.Recovery { counter.recovery }

    /// Numbers, signs and durably writes `pending/<id>.json`: one durable write.
    ///
    /// The number is taken (written in place into `sequence`) before the file is written, so a kill at any
    /// point never leaves a stored file above the counter.
    public func record(_ draft: ResponseDraft) throws -> StoredResponse {
        let sequence = try counter.next()
        // Ids (and so file names) sort in sequence order, even for responses made in the same millisecond.
        let id = UUIDv7.make(at: now(), after: lastID, using: &generator)
        lastID = id
        let response = SurveyResponse(draft: draft, id: id, sequence: sequence)
        let payload: Data
        do {
            payload = try response.canonicalJSON()
        } catch {
            throw StoreError.wrapping(.malformed, "cannot encode response \(id)", error)
        }
        let envelope = try FlattenedJWS.sign(payload: payload, key: key)
        let path = pendingPath + "/" + id + ".json"
        try DurableFile.write(try envelope.serialized(), toPath: path, inDirectory: pendingPath)
        return StoredResponse(response: response, file: URL(fileURLWithPath: path), envelope: envelope)
    }

    /// Writes the counter durably in its closed form, so that a start after a machine restart trusts it without
    /// reading the stored files. Optional (a killed kiosk never gets here); recording again reopens the counter.
    public func close() throws {
        try counter.close()
    }

    /// The pending response files, oldest first.
    public func pendingFiles() throws -> [URL] {
        try ResponseFile.scan(pendingDirectory)
    }

    /// How many files are in `pending/`, `sent/` and `rejected/`.
    public func counts() throws -> BufferCounts {
        BufferCounts(
            pending: try ResponseFile.scan(pendingDirectory).count,
            sent: try ResponseFile.scan(sentDirectory).count,
            rejected: try ResponseFile.scan(rejectedDirectory).count)
    }
}
