import Foundation
import Logging
import ServiceLifecycle
import TouchpointCollector
import TouchpointCore
import TouchpointCollectorServer

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
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let app = buildApplication(
            configuration: configuration, storage: storage, surveys: surveys, logger: logger,
            onListening: { port in
                listening.yield(port)
                listening.finish()
            })
        let group = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                // If the server stops or fails before it listens, the stream ends without a port.
                defer { listening.finish() }
                try await group.run()
            }
            do {
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else {
                    throw DemoError(.collector, "the in-process collector stopped before it listened")
                }
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
