import Foundation
import TouchpointCore

/// Where finished responses go: each is numbered, signed and kept until it is sent.
public protocol ResponseStore {
    /// Assigns an id and sequence number, signs the response and stores it; it is durable on return.
    func record(_ draft: ResponseDraft) throws -> StoredResponse
    /// The files waiting to be sent, oldest first (sorted by name), without temp files.
    func pendingFiles() throws -> [URL]
    /// How many responses are pending, sent and rejected.
    func counts() throws -> BufferCounts
}
