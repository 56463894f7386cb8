import Foundation
import TouchpointCore

/// When feedback comes in: responses per weekday and hour of the day, in a site's time zone (the dashboard's heatmap).
///
/// Storages count responses per UTC hour (``ReportStorage/responsesPerHour(_:)``); this turns those counts into local
/// weekdays and hours, so a daylight-saving change moves each hour where it belongs.
public struct VolumeHeatmap: Sendable, Hashable {
    /// Responses by weekday (0 = Monday … 6 = Sunday) and hour (0–23), local time.
    public var counts: [[Int]]
    /// The time zone the hours are in.
    public var timeZone: TimeZone

    /// The busiest cell's count (0 when there are no responses).
    public var maximum: Int { counts.joined().max() ?? 0 }
    /// Every response counted.
    public var total: Int { counts.joined().reduce(0, +) }

    /// The weekdays' short names, Monday first.
    public static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// Counts per UTC hour (each key the start of an hour) laid out by local weekday and hour in `timeZone`.
    public init(hourly: [Date: Int], timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var counts = Array(repeating: Array(repeating: 0, count: 24), count: 7)
        for (hour, count) in hourly {
            let parts = calendar.dateComponents([.weekday, .hour], from: hour)
            guard let weekday = parts.weekday, let local = parts.hour else { continue }
            // Calendar weekdays run 1 = Sunday … 7 = Saturday.
            counts[(weekday + 5) % 7][local] += count
        }
        self.counts = counts
        self.timeZone = timeZone
    }
}
