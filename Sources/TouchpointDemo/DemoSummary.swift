import Foundation
import TouchpointCore
import TouchpointSync

/// What ``DemoBuilder`` built: per kiosk, how many responses were generated, synced and stored, and how long
/// each step took.
public struct DemoSummary: Sendable, CustomStringConvertible {
    /// One demo kiosk's figures.
    public struct Kiosk: Sendable, Hashable {
        /// The kiosk id.
        public var id: String
        /// Its site.
        public var site: String
        /// Its touchpoint.
        public var touchpoint: String
        /// The survey it runs.
        public var survey: String
        /// Responses generated for it.
        public var generated: Int
        /// What its sync pass reported.
        public var sync: SyncSummary
        /// Responses from it in the collector's database.
        public var stored: Int
        /// Sequence numbers missing at the collector.
        public var missing: UInt64
    }

    /// How long each step took.
    public struct Timings: Sendable, Hashable {
        /// Generating the drafts (pure).
        public var generate: Duration
        /// Keys, enrolment, signing and durable writes.
        public var write: Duration
        /// Syncing every kiosk through the collector.
        public var sync: Duration
        /// Everything.
        public var total: Duration
    }

    /// The demo directory.
    public var output: URL
    /// The kiosks.
    public var kiosks: [Kiosk]
    /// How many accounts `accounts.csv` lists.
    public var accounts: Int
    /// How many of them the collector imported (new or updated).
    public var importedAccounts: Int
    /// The oldest possible response time.
    public var periodStart: Date
    /// The clock's now.
    public var now: Date
    /// What was generated.
    public var configuration: DemoConfiguration
    /// How long it took.
    public var timings: Timings

    /// Responses generated in total.
    public var generated: Int { kiosks.reduce(0) { $0 + $1.generated } }
    /// Responses in the collector's database in total.
    public var stored: Int { kiosks.reduce(0) { $0 + $1.stored } }

    /// A table of the kiosks and a line with the totals and timings.
    public var description: String {
        let width = max(kiosks.map(\.id.count).max() ?? 5, 5)
        let surveyWidth = max(kiosks.map(\.survey.count).max() ?? 6, 6)
        func pad(_ text: String, _ size: Int) -> String { text.padding(toLength: size, withPad: " ", startingAt: 0) }
        func right(_ value: some CustomStringConvertible, _ size: Int) -> String {
            let text = "\(value)"
            return String(repeating: " ", count: max(size - text.count, 0)) + text
        }
        var lines = [pad("kiosk", width) + "  " + pad("survey", surveyWidth) + "  generated  synced  batches  in collector  gaps"]
        for kiosk in kiosks {
            lines.append(pad(kiosk.id, width) + "  " + pad(kiosk.survey, surveyWidth) + "  " + right(kiosk.generated, 9)
                + "  " + right(kiosk.sync.stored, 6) + "  " + right(kiosk.sync.batches, 7) + "  " + right(kiosk.stored, 12)
                + "  " + right(kiosk.missing, 4))
        }
        lines.append(pad("total", width) + "  " + pad("", surveyWidth) + "  " + right(generated, 9) + "  "
            + right(kiosks.reduce(0) { $0 + $1.sync.stored }, 6) + "  " + right(kiosks.reduce(0) { $0 + $1.sync.batches }, 7)
            + "  " + right(stored, 12) + "  " + right(kiosks.reduce(UInt64(0)) { $0 + $1.missing }, 4))
        let from = Timestamp.string(periodStart).prefix(10)
        let to = Timestamp.string(now).prefix(10)
        lines.append("")
        lines.append("\(generated) responses from \(kiosks.count) kiosks at \(Set(kiosks.map(\.site)).count) sites, "
            + "\(from) to \(to), seed \(configuration.seed); \(accounts) accounts in accounts.csv, \(importedAccounts) imported.")
        lines.append("Generated in \(Self.seconds(timings.generate)), signed and stored in \(Self.seconds(timings.write)), "
            + "synced in \(Self.seconds(timings.sync)); \(Self.seconds(timings.total)) in all.")
        return lines.joined(separator: "\n")
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.1f s", value)
    }
}
