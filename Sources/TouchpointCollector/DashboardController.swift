import Hummingbird
import Logging
import TouchpointCore

/// `GET /`: the server-rendered HTML dashboard.
struct DashboardController {
    let storage: any CollectorStorage
    let surveys: SurveyCatalog
    let configuration: CollectorConfiguration
    let logger: Logger

    /// Adds the dashboard's routes.
    func addRoutes(to router: Router<BasicRequestContext>) {}
}
