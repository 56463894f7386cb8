import Foundation
import TouchpointCore
import TouchpointProtocol
import TouchpointSync

extension KioskConfiguration {
    /// This configuration with a site's `settings` from the collector over it, except the settings named in `flags`
    /// (given on the command line, which win). Precedence: built-in defaults < `touchpoint.yaml` < site settings <
    /// flags.
    public func applying(_ settings: KioskSettings?, except flags: Set<String>) -> KioskConfiguration {
        guard let settings else { return self }
        var configuration = self
        if let language = settings.language, !flags.contains("language") { configuration.language = language }
        if let idleTimeout = settings.idleTimeout, !flags.contains("idleTimeout") { configuration.idleTimeout = idleTimeout }
        if let minimumSeconds = settings.minimumSeconds, !flags.contains("minimumSeconds") {
            configuration.minimumSeconds = minimumSeconds
        }
        if let thankYou = settings.thankYou, !flags.contains("thankYou") { configuration.thankYou = thankYou }
        if let hash = settings.staffPinHash, !flags.contains("staffPinHash") { configuration.staffPINHash = hash }
        if let notice = settings.privacyNotice, !flags.contains("privacyNotice") { configuration.privacyNotice = notice }
        return configuration
    }
}

/// The kiosk's `status` lines about the collector's configuration.
public enum KioskStatusText {
    /// A version as shown to staff: the first 8 hex digits of its digest, or `none`.
    public static func short(_ version: String?) -> String {
        version.map(KioskConfigDocument.shortVersion) ?? "none"
    }

    /// `configuration: 3fa2c1d0 from the collector (2 surveys), checked 12 s ago`, and any problem or pending switch.
    public static func configuration(_ status: KioskConfigSync.Status, running: InstalledConfig?, now: Date) -> [String] {
        var lines: [String] = []
        let checked = status.lastChecked.map { " checked \(Timestamp.string($0)) (\(Int(max(0, now.timeIntervalSince($0)))) s ago)" }
            ?? " not checked with the collector yet"
        if let running {
            let surveys = running.surveys.map { "\($0.id) v\($0.version)" }.joined(separator: ", ")
            lines.append("configuration: \(short(running.version)) from the collector (\(surveys.isEmpty ? "no surveys" : surveys));\(checked)")
        } else {
            lines.append("configuration: none from the collector, local surveys only;\(checked)")
        }
        if let installed = status.installed, installed.version != running?.version {
            lines.append("               \(short(installed.version)) installed; runs from the next customer")
        }
        if let problem = status.problem {
            lines.append("               PROBLEM with the last one received (the last good one stays): \(problem)")
        }
        if let error = status.lastError {
            lines.append("               not fetched: \(error)")
        }
        return lines
    }
}
