import Foundation
import TouchpointCore

/// Accounts (the CRM side) and the inputs of their health scores.
public protocol AccountStorage: Sendable {}
