import Foundation
import TouchpointCore
import TouchpointJOSE

/// A response as stored: the payload, its file (nil in memory) and the signed envelope.
public struct StoredResponse: Sendable, Hashable {
    /// The signed payload.
    public var response: SurveyResponse
    /// The file holding the envelope, or nil for an in-memory store.
    public var file: URL?
    /// The signed envelope.
    public var envelope: FlattenedJWS

    /// Creates a stored response.
    public init(response: SurveyResponse, file: URL?, envelope: FlattenedJWS) {
        self.response = response
        self.file = file
        self.envelope = envelope
    }
}
