import Hummingbird
import Logging
import TouchpointCore

/// The feed routes.
struct FeedController {
    let storage: any CollectorStorage
    let configuration: CollectorConfiguration
    let logger: Logger

    /// Adds the routes.
    func addRoutes(to router: Router<BasicRequestContext>) {}
}
