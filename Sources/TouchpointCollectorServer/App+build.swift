import Foundation
import Hummingbird
import HummingbirdAuth
import HummingbirdCore
import NIOCore
import Logging
import TouchpointCore
import TouchpointCollector

/// Builds the collector's router: uploads and the fleet, reports and export, the comment feed, the dashboard.
///
/// Tests call this (through ``buildApplication(configuration:storage:surveys:logger:)``) to exercise
/// the routes without a socket.
public func buildRouter(
    storage: any CollectorStorage, surveys: SurveyCatalog, configuration: CollectorConfiguration, logger: Logger,
    now: @escaping @Sendable () -> Date = { Date() }
) -> Router<CollectorRequestContext> {
    let router = Router(context: CollectorRequestContext.self)
    router.add(middleware: ProtocolVersionMiddleware())
    // Who is calling (a dashboard session or an API token), then whether they may (AccessPolicy, in one place).
    router.add(middleware: SessionMiddleware(
        storage: StorageSessionDriver(storage: storage, now: now),
        configuration: SessionMiddlewareConfiguration(
            sessionCookieParameters: SessionCookieParameters(
                name: "touchpoint_session", path: "/", secure: configuration.sessionCookieIsSecure, sameSite: .strict),
            keyPrefix: "", defaultSessionExpiration: configuration.sessionLifetime)))
    router.add(middleware: SessionAuthenticator(context: CollectorRequestContext.self) { (session: LoginSession, _) in
        do {
            return try await storage.user(named: session.user).map { Caller(kind: .user, name: $0.name, role: $0.role) }
        } catch {
            throw AccessUnavailable(error: error)
        }
    })
    router.add(middleware: APITokenAuthenticator(storage: storage, now: now))
    router.add(middleware: CrossSiteRequestMiddleware())
    router.add(middleware: AccessPolicyMiddleware())
    let collectorSurveys = CollectorSurveys(catalog: surveys)
    LoginController(storage: storage, configuration: configuration, logger: logger, now: now).addRoutes(to: router)
    UploadController(storage: storage, surveys: collectorSurveys, configuration: configuration, logger: logger)
        .addRoutes(to: router)
    KioskConfigController(storage: storage, logger: logger).addRoutes(to: router)
    ReportController(storage: storage, configuration: configuration, logger: logger).addRoutes(to: router)
    FeedController(storage: storage, configuration: configuration, logger: logger).addRoutes(to: router)
    AlertController(storage: storage, logger: logger, now: now).addRoutes(to: router)
    CaseController(storage: storage, logger: logger, now: now).addRoutes(to: router)
    var dashboard = DashboardController(storage: storage, surveys: collectorSurveys, configuration: configuration, logger: logger)
    dashboard.now = now
    dashboard.addRoutes(to: router)
    return router
}

/// Builds the collector's HTTP application, bound to `configuration.host` and `configuration.port`, serving
/// HTTPS when `configuration.tls` is set.
///
/// The result is a swift-service-lifecycle `Service`: run it in a `ServiceGroup` for graceful shutdown
/// (requests in flight, and so batches being stored, finish before it returns). `onListening` gets the port
/// the server listens on once it does (the one the system picked, for port 0).
public func buildApplication(
    configuration: CollectorConfiguration, storage: any CollectorStorage, surveys: SurveyCatalog, logger: Logger,
    now: @escaping @Sendable () -> Date = { Date() }, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = buildRouter(storage: storage, surveys: surveys, configuration: configuration, logger: logger, now: now)
    let http1 = HTTP1Channel.Configuration(idleTimeout: TimeAmount(configuration.readDeadline))
    return Application(
        router: router,
        // A connection that sends nothing for the read deadline (a stalled body, half a header) is closed.
        server: configuration.tls?.http1Server(configuration: http1)
            ?? .http1(configuration: http1),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "touchpoint-collector"),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}
