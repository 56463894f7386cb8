import Foundation
import Logging
import ServiceLifecycle
import Testing
import TouchpointStore
@testable import TouchpointSync
import TouchpointTesting
import TouchpointProtocol

@Suite("Sync service")
struct SyncServiceTests {
    static func configuration(watchInterval: Duration = .seconds(3600)) -> SyncConfiguration {
        SyncConfiguration(
            maxAttempts: 2, watchInterval: watchInterval, healthReportInterval: .seconds(3600),
            backoff: Backoff(base: .milliseconds(5), cap: .milliseconds(20), random: SeededGenerator(state: 3)))
    }

    /// The service over `buffer` and `transport`; `sleep` is how it waits between passes.
    static func service(
        _ buffer: Buffer, _ transport: InMemoryUploadTransport, watchInterval: Duration = .seconds(3600),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) -> SyncService {
        let sync = ResponseSync(
            responsesDirectory: buffer.root, kiosk: "kiosk-7", transport: transport,
            configuration: configuration(watchInterval: watchInterval), logger: testLogger(),
            sleep: { _ in })
        return SyncService(sync: sync, logger: testLogger(), sleep: sleep)
    }

    @Test("drains at start, then waits; trigger() forces a pass at once")
    func drainsAndTriggers() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(3)
        let transport = InMemoryUploadTransport()
        // The service's waits end only when it is triggered (or cancelled).
        let sleeper = ParkedSleeper()
        let service = Self.service(buffer, transport, sleep: sleeper.sleep)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        // The first pass is over once the service waits.
        #expect(try await eventually { sleeper.delays.count == 1 })
        #expect(sleeper.delays == [.seconds(3600)], "it waits the watch interval")
        #expect(try buffer.ids(in: buffer.sent).count == 3)
        let status = service.board.status
        #expect(status.lastSuccess != nil)
        #expect(status.reachable == true && status.lastError == nil && status.lastSummary?.stored == 3)

        try buffer.record(2)
        service.trigger()
        // The triggered pass is over once the service waits again.
        #expect(try await eventually { sleeper.delays.count == 2 })
        #expect(try buffer.ids(in: buffer.sent).count == 5)
        // (Batches without responses only carry the buffer's health.)
        let uploaded = transport.receivedBatches.map(\.responses.count).filter { $0 > 0 }
        #expect(uploaded == [3, 2], "one pass at start, one when triggered")
        task.cancel()
        try await task.value
    }

    @Test("keeps probing while the collector is down and drains once it is back")
    func waitsForCollector() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(2)
        let transport = InMemoryUploadTransport(reachable: false)
        let service = Self.service(buffer, transport)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        #expect(try await eventually { transport.probeCount >= 3 })
        #expect(service.board.status.reachable == false)
        #expect(transport.receivedBatches.isEmpty)
        transport.reachable = true
        #expect(try await eventually { try buffer.ids(in: buffer.sent).count == 2 })
        #expect(try await eventually { service.board.status.reachable == true })
        task.cancel()
        try await task.value
    }

    @Test("a refused token stops the service until triggered, without hammering")
    func unauthorizedWaitsForTrigger() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(1)
        let triggered = Flag()
        let uploadsBeforeTrigger = Counter()
        let transport = InMemoryUploadTransport { _, _ in
            if !triggered.value { uploadsBeforeTrigger.increment() }
            return .unauthorized("HTTP 401 unauthorized: unknown token")
        }
        // A retry timer, if the service set one, would never fire: the sleeper only records it.
        let sleeper = ParkedSleeper()
        let service = Self.service(buffer, transport, watchInterval: .milliseconds(1), sleep: sleeper.sleep)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        #expect(try await eventually { service.board.status.waitingForTrigger })
        #expect(service.board.status.lastError?.contains("the collector refused our token") == true)
        triggered.set()
        service.trigger()
        #expect(try await eventually { transport.receivedBatches.count == 2 })
        // The second upload proves the service got past its wait after the 401: it waited for the trigger
        // alone (no timer), and uploaded nothing more before it.
        #expect(uploadsBeforeTrigger.value == 1)
        #expect(sleeper.delays.isEmpty, "the service set a retry timer after a 401: \(sleeper.delays)")
        #expect(try buffer.ids(in: buffer.pending).count == 1)
        task.cancel()
        try await task.value
    }

    @Test("graceful shutdown ends the service while it waits")
    func gracefulShutdown() async throws {
        let buffer = try Buffer()
        defer { buffer.remove() }
        try buffer.record(1)
        let transport = InMemoryUploadTransport()
        let service = Self.service(buffer, transport)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [service], logger: testLogger()))
        let task = Task { try await group.run() }
        #expect(try await eventually { try buffer.ids(in: buffer.sent).count == 1 })
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
