import Foundation
import Logging
import Testing
import TouchpointCore
import TouchpointProtocol
import TouchpointStore
import TouchpointSync
@testable import TouchpointKiosk
import TouchpointTesting

/// The kiosk running the collector's configuration (issue 13): published surveys over local ones, site settings,
/// and a new set taken only between customers.
@Suite("Kiosk on the collector's configuration")
struct KioskFleetTests {
    static func quick(_ version: Int) -> String {
        Fixtures.quick.replacingOccurrences(of: "version: 1", with: "version: \(version)")
            .replacingOccurrences(of: "title: {en: Quick}", with: "title: {en: Quick v\(version)}")
    }

    /// A kiosk whose cache holds `installed`, with `console` and `store`.
    static func kiosk(
        installed: KioskConfigDocument, console: MemoryConsole, store: InMemoryResponseStore, cache: URL
    ) throws -> (Kiosk, KioskConfigSync) {
        try SurveyCache(directory: cache).install(installed)
        var configuration = KioskConfiguration()
        configuration.site = "showroom-1"
        configuration.kiosk = "k-7"
        let fleet = KioskConfigSync(
            cache: SurveyCache(directory: cache), kiosk: "k-7", site: "showroom-1", touchpoint: nil,
            transport: InMemoryUploadTransport(), logger: Logger(label: "test"))
        let sources = Kiosk.Sources(
            loadSurveys: { Fixtures.catalog() }, digest: { try SurveyDigest.digest(of: $0) }, bufferedResponses: { [] })
        let kiosk = Kiosk(configuration: configuration, console: console, store: store, keyID: store.key.keyID,
                          sources: sources, fleet: fleet)
        return (kiosk, fleet)
    }

    static func directory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-fleet-\(UUID().uuidString)", isDirectory: true)
    }

    @Test func aNewSetIsTakenBetweenCustomersNeverDuringOne() throws {
        let cache = Self.directory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let first = try TestConfigDocument.make(
            site: "showroom-1", yamls: [Self.quick(2)], settings: KioskSettings(thankYou: LocalizedText(["en": "Thanks from the site!"])))
        let second = try TestConfigDocument.make(site: "showroom-1", yamls: [Self.quick(3)])
        let console = MemoryConsole(script: [
            .line("surveys"), .line("start quick"), .line("6"), .line("status"), .line("start quick"), .line("5"), .line("quit"),
        ])
        let store = InMemoryResponseStore()
        let (kiosk, fleet) = try Self.kiosk(installed: first, console: console, store: store, cache: cache)
        // While the first customer answers, the background sync installs a new set.
        console.beforeRead = { index in
            if index == 2 { #expect(fleet.receive((try? TestConfigDocument.body(second)) ?? Data(), at: Date())) }
        }
        #expect(kiosk.run() == 0)
        // The published quick v2 replaced the local v1; the local feedback survey still runs.
        #expect(console.output.contains("quick                  v2  collector"))
        #expect(console.output.contains("feedback               v2  local"))
        // The customer in progress finished on the set they started with; the next one got the new one.
        #expect(store.responses.map(\.response.survey.version) == [2, 3])
        #expect(console.output.contains("Thanks from the site!"))
        #expect(console.output.contains("Now running the collector's configuration \(KioskStatusText.short(second.version))."))
        #expect(console.output.contains("configuration: \(KioskStatusText.short(second.version)) from the collector (quick v3)"))
        #expect(fleet.status.running == second.version)
    }

    @Test func theUnattendedStartScreenRestartsOnTheNewVersionAfterTheCurrentCustomer() throws {
        let cache = Self.directory()
        defer { try? FileManager.default.removeItem(at: cache) }
        // The staff PIN comes from the site's settings.
        let settings = KioskSettings(staffPinHash: PINHash.make(pin: "2468").encoded)
        let first = try TestConfigDocument.make(site: "showroom-1", yamls: [Self.quick(2)], settings: settings)
        let second = try TestConfigDocument.make(site: "showroom-1", yamls: [Self.quick(3)], settings: settings)
        let console = MemoryConsole(script: [
            .line("kiosk quick"),
            .line(""), .line("6"),            // a customer, during whose session the new set arrives
            .timedOut,                        // the start screen waits
            .line(""), .line("7"),            // the next customer
            .interrupt, .line("2468"),
            .line("quit"),
        ])
        let store = InMemoryResponseStore()
        let (kiosk, fleet) = try Self.kiosk(installed: first, console: console, store: store, cache: cache)
        console.beforeRead = { index in
            if index == 2 { #expect(fleet.receive((try? TestConfigDocument.body(second)) ?? Data(), at: Date())) }
        }
        #expect(kiosk.run() == 0)
        #expect(store.responses.map(\.response.survey.version) == [2, 3])
        #expect(console.output.contains("Quick v3"))
        // No PIN was asked to be set: the site's hash is the staff PIN.
        #expect(!console.output.contains("No staff PIN is configured"))
        // With a collector, the start screen looks for a new set every half minute.
        #expect(console.reads.contains { $0.kind == .customer && $0.timeout == Kiosk.configCheckSeconds })
    }
}
