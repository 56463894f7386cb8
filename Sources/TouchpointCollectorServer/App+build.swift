import Hummingbird
import NIOCore
import Logging
import TouchpointCore
import TouchpointCollector

/// Builds the collector's router: uploads and the fleet, reports and export, the comment feed, the dashboard.
///
/// Tests call this (through ``buildApplication(configuration:storage:surveys:logger:)``) to exercise
/// the routes without a socket.
public func buildRouter(
    storage: any CollectorStorage, surveys: SurveyCatalog, configuration: CollectorConfiguration, logger: Logger
) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    let collectorSurveys = CollectorSurveys(catalog: surveys)
    UploadController(storage: storage, surveys: collectorSurveys, configuration: configuration, logger: logger)
        .addRoutes(to: router)
    ReportController(storage: storage, configuration: configuration, logger: logger).addRoutes(to: router)
    FeedController(storage: storage, configuration: configuration, logger: logger).addRoutes(to: router)
    DashboardController(storage: storage, surveys: collectorSurveys, configuration: configuration, logger: logger)
        .addRoutes(to: router)
    return router
}

/// Builds the collector's HTTP application, bound to `configuration.host` and `configuration.port`.
///
/// The result is a swift-service-lifecycle `Service`: run it in a `ServiceGroup` for graceful shutdown
/// (requests in flight, and so batches being stored, finish before it returns). `onListening` gets the port
/// the server listens on once it does (the one the system picked, for port 0).
public func buildApplication(
    configuration: CollectorConfiguration, storage: any CollectorStorage, surveys: SurveyCatalog, logger: Logger,
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = buildRouter(storage: storage, surveys: surveys, configuration: configuration, logger: logger)
    return Application(
        router: router,
        // A connection that sends nothing for the read deadline (a stalled body, half a header) is closed.
        server: .http1(configuration: .init(idleTimeout: TimeAmount(configuration.readDeadline))),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "touchpoint-collector"),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}
