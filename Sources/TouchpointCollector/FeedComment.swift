import Foundation
import TouchpointCore

/// The live comment feed: stored comments, newest first, and the outbox that posts them to webhooks.
public protocol FeedStorage: Sendable {}
