import ArgumentParser
import Foundation
import Logging
import TouchpointCollector
import TouchpointCore

extension CollectorCommand {
    /// `touchpoint collector alerts`: the fleet alerts open now (and, with `--recent`, those cleared in the last day).
    struct Alerts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List open fleet alerts (kiosks not seen, backlogs, gaps, rejected responses, defaults, configuration problems).")
        @OptionGroup var options: Options
        @Flag(name: .long, help: "Also list alerts cleared in the last 24 hours.") var recent = false
        @Flag(name: .long, help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            try options.bootstrapLogging()
            let now = Date()
            let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
            let alerts: [FleetAlert]
            do {
                alerts = try await storage.fleetAlerts(clearedSince: recent ? now.addingTimeInterval(-86_400) : nil)
            } catch {
                try? await storage.close()
                throw error
            }
            try await storage.close()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(alerts), as: UTF8.self))
                return
            }
            if alerts.isEmpty {
                print(recent ? "No fleet alerts open or cleared in the last 24 hours." : "No fleet alerts open.")
                return
            }
            var table = TextTable(header: ["kiosk", "site", "problem", "since", "cleared", "detail"])
            for alert in alerts {
                let kind = alert.subject.isEmpty ? alert.kind.rawValue : "\(alert.kind.rawValue) \(alert.subject)"
                table.add([
                    alert.kiosk, alert.site, kind, FeedEvent.time(alert.raisedAt),
                    alert.clearedAt.map(FeedEvent.time) ?? "open", alert.detail,
                ])
            }
            print(table.render())
        }
    }
}
