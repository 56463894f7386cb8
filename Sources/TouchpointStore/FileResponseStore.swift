import Foundation
import TouchpointCore
import TouchpointJOSE

/// The on-disk response store: `pending/`, `sent/`, `rejected/` of signed `<id>.json` files and `sequence`.
///
/// Not thread-safe: use one instance from one task, and one process per directory.
public final class FileResponseStore: ResponseStore {
    /// The store's root directory.
    public let root: URL
    /// Files not yet accepted by the collector.
    public let pendingDirectory: URL
    /// Files accepted by the collector.
    public let sentDirectory: URL
    /// Files refused by the collector.
    public let rejectedDirectory: URL
    /// The signing key.
    public let key: KioskKey

    private var counter: SequenceCounter
    private let now: @Sendable () -> Date
    private var generator: any RandomNumberGenerator

    /// The mode of the directories the store creates: the owner writes, its group may read (backups).
    public static let directoryMode: mode_t = 0o750

    /// Opens (creating if needed, mode 0750) the store at `root` and removes temp files left by a crash.
    ///
    /// Throws `.insecurePermissions` if group or others can write to `root` or its subdirectories: they
    /// could remove responses or rewind the sequence counter.
    public init(
        root: URL, key: KioskKey, now: @escaping @Sendable () -> Date = Date.init,
        generator: any RandomNumberGenerator = SystemRandomNumberGenerator()
    ) throws {
        self.root = root
        pendingDirectory = root.appendingPathComponent("pending", isDirectory: true)
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
        counter = try SequenceCounter(file: root.appendingPathComponent("sequence"))
    }

    /// The last sequence number used; 0 before the first response.
    public var lastSequence: UInt64 { counter.last }

    /// Numbers, signs and durably writes `pending/<id>.json`.
    public func record(_ draft: ResponseDraft) throws -> StoredResponse {
        let sequence = try counter.next()
        let id = UUIDv7.make(at: now(), using: &generator)
        let response = SurveyResponse(draft: draft, id: id, sequence: sequence)
        let payload: Data
        do {
            payload = try response.canonicalJSON()
        } catch {
            throw StoreError.wrapping(.malformed, "cannot encode response \(id)", error)
        }
        let envelope = try FlattenedJWS.sign(payload: payload, key: key)
        let file = pendingDirectory.appendingPathComponent("\(id).json")
        try DurableFile.write(try envelope.serialized(), to: file)
        return StoredResponse(response: response, file: file, envelope: envelope)
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
