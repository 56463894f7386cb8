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
        var table = TextTable(
            header: ["kiosk", "survey", "generated", "synced", "batches", "in collector", "gaps"], rightAligned: [2, 3, 4, 5, 6])
        for kiosk in kiosks {
            table.add([kiosk.id, kiosk.survey, "\(kiosk.generated)", "\(kiosk.sync.stored)", "\(kiosk.sync.batches)",
                       "\(kiosk.stored)", "\(kiosk.missing)"])
        }
        table.add(["total", "", "\(generated)", "\(kiosks.reduce(0) { $0 + $1.sync.stored })",
                   "\(kiosks.reduce(0) { $0 + $1.sync.batches })", "\(stored)", "\(kiosks.reduce(UInt64(0)) { $0 + $1.missing })"])
        var lines = [table.render()]
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
        String(format: "%.1f s", duration.seconds)
    }
}
