import Foundation
import Logging
import ServiceLifecycle
import TouchpointCollector
import TouchpointCore

/// The real collector (``buildApplication(configuration:storage:surveys:logger:)``) run inside this process
/// on 127.0.0.1, on a port the system picks, for as long as a body runs.
enum DemoCollector {
    /// Starts the collector on `storage`, runs `body` with its base URL, then shuts it down gracefully.
    static func with<Value: Sendable>(
        storage: any CollectorStorage, surveys: SurveyCatalog, configuration: CollectorConfiguration, logger: Logger,
        _ body: @Sendable (URL) async throws -> Value
    ) async throws -> Value {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let bound = BoundPort()
        let inner = logger.handler
        var serverLogger = Logger(label: "touchpoint.demo.collector") { _ in PortWatchingLogHandler(inner: inner, port: bound) }
        serverLogger.logLevel = logger.logLevel
        let app = buildApplication(configuration: configuration, storage: storage, surveys: surveys, logger: serverLogger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                do {
                    try await group.run()
                    bound.fail("the collector stopped before it listened")
                } catch {
                    bound.fail("the collector failed: \(error)")
                    throw error
                }
            }
            do {
                let port = try await bound.wait(timeout: .seconds(15))
                guard let url = URL(string: "http://127.0.0.1:\(port)") else {
                    throw DemoError(.collector, "the collector's port \(port) makes no URL")
                }
                let value = try await body(url)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return value
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}

/// The port the collector reports in its "listening" log line, once it does.
final class BoundPort: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int?
    private var failure: String?

    /// Records the port (the first one wins).
    func set(_ value: Int) {
        lock.withLock { if port == nil { port = value } }
    }

    /// Records that the server will never listen.
    func fail(_ reason: String) {
        lock.withLock { if failure == nil { failure = reason } }
    }

    /// Waits for the port, polling every 10 ms; throws if the server failed or `timeout` passed.
    func wait(timeout: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (port, failure) = lock.withLock { (self.port, self.failure) }
            if let port { return port }
            if let failure { throw DemoError(.collector, failure) }
            guard ContinuousClock.now < deadline else {
                throw DemoError(.collector, "the in-process collector did not start listening within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// Forwards to another handler, and notes the port from Hummingbird's "Server started and listening on
/// HOST:PORT" line (logged at info, so it is watched whatever the forwarded level).
struct PortWatchingLogHandler: LogHandler {
    private static let marker = "Server started and listening on "

    var inner: any LogHandler
    let port: BoundPort

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    var logLevel: Logger.Level {
        get { min(inner.logLevel, .info) }
        set { inner.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        let text = event.message.description
        if text.hasPrefix(Self.marker), let colon = text.lastIndex(of: ":"),
            let value = Int(text[text.index(after: colon)...].prefix { $0.isNumber })
        {
            port.set(value)
        }
        if event.level >= inner.logLevel {
            inner.log(event: event)
        }
    }
}
