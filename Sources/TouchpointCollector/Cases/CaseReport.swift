import Foundation
import TouchpointCore

/// Closed-loop figures per site or owner: cases opened, open and overdue now, median time to first contact and
/// the share closed within the SLA (`touchpoint report cases`, the dashboard's follow-up table).
public struct CaseReport: Sendable, Hashable, Encodable {
    /// What the rows are grouped by.
    public enum Grouping: String, Sendable, Hashable, Codable, CaseIterable {
        case site, owner
    }

    /// One group's figures.
    public struct Row: Sendable, Hashable, Encodable {
        /// The site or owner (`(nobody)` for cases without an owner; empty in the total).
        public var group: String
        /// Cases opened.
        public var cases: Int
        /// Of those, not closed now (open or contacted).
        public var open: Int
        /// Of those, overdue now (not closed, past the due time).
        public var overdue: Int
        /// Cases with a first contact.
        public var contacted: Int
        /// The median time from opening to first contact, in hours, over ``contacted``; nil without any.
        public var medianHoursToFirstContact: Double?
        /// Cases whose SLA outcome is known: closed, or past their due time.
        public var slaKnown: Int
        /// Of those, closed by the due time.
        public var closedWithinSLA: Int

        /// ``closedWithinSLA`` over ``slaKnown`` in percent; nil when nothing is known yet.
        public var withinSLAShare: Double? {
            slaKnown > 0 ? Double(closedWithinSLA) * 100 / Double(slaKnown) : nil
        }

        enum CodingKeys: String, CodingKey {
            case group, cases, open, overdue, contacted, medianHoursToFirstContact, slaKnown, closedWithinSLA,
                withinSLAShare
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(group, forKey: .group)
            try container.encode(cases, forKey: .cases)
            try container.encode(open, forKey: .open)
            try container.encode(overdue, forKey: .overdue)
            try container.encode(contacted, forKey: .contacted)
            try container.encode(medianHoursToFirstContact, forKey: .medianHoursToFirstContact)
            try container.encode(slaKnown, forKey: .slaKnown)
            try container.encode(closedWithinSLA, forKey: .closedWithinSLA)
            try container.encode(withinSLAShare, forKey: .withinSLAShare)
        }

        /// Creates a row.
        public init(
            group: String, cases: Int = 0, open: Int = 0, overdue: Int = 0, contacted: Int = 0,
            medianHoursToFirstContact: Double? = nil, slaKnown: Int = 0, closedWithinSLA: Int = 0
        ) {
            self.group = group
            self.cases = cases
            self.open = open
            self.overdue = overdue
            self.contacted = contacted
            self.medianHoursToFirstContact = medianHoursToFirstContact
            self.slaKnown = slaKnown
            self.closedWithinSLA = closedWithinSLA
        }
    }

    /// What the rows are grouped by.
    public var groupedBy: Grouping
    /// The time the figures are taken at (what "now" means for open and overdue).
    public var at: Date
    /// One row per group, by name.
    public var rows: [Row]
    /// Every case.
    public var total: Row

    /// Creates a report.
    public init(groupedBy: Grouping, at: Date, rows: [Row], total: Row) {
        self.groupedBy = groupedBy
        self.at = at
        self.rows = rows
        self.total = total
    }

    /// The group name of cases without an owner.
    public static let nobody = "(nobody)"

    /// The figures of `cases` at `date`, grouped by `grouping`.
    public static func make(_ cases: [FollowUpCase], by grouping: Grouping, at date: Date) -> CaseReport {
        var groups: [String: [FollowUpCase]] = [:]
        for followUp in cases {
            let key = grouping == .site ? followUp.site : (followUp.owner ?? nobody)
            groups[key, default: []].append(followUp)
        }
        return CaseReport(
            groupedBy: grouping, at: date,
            rows: groups.keys.sorted().map { row($0, groups[$0] ?? [], at: date) },
            total: row("", cases, at: date))
    }

    static func row(_ group: String, _ cases: [FollowUpCase], at date: Date) -> Row {
        var row = Row(group: group, cases: cases.count)
        var delays: [Double] = []
        for followUp in cases {
            if !followUp.status.isClosed { row.open += 1 }
            if followUp.isOverdue(at: date) { row.overdue += 1 }
            if let contact = followUp.firstContactAt {
                row.contacted += 1
                // Never below zero, even if the clocks of two collector processes disagree by a little.
                delays.append(max(0, contact.timeIntervalSince(followUp.openedAt)) / 3600)
            }
            if let within = followUp.closedWithinSLA(at: date) {
                row.slaKnown += 1
                if within { row.closedWithinSLA += 1 }
            }
        }
        row.medianHoursToFirstContact = median(delays)
        return row
    }

    /// The median of `values` (the mean of the middle two for an even count); nil for none.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The figures as a text table, the total under a rule.
    public func table() -> String {
        let header = [groupedBy.rawValue, "cases", "open", "overdue", "contacted", "median h to contact", "within SLA"]
        var table = TextTable(header: header, rightAligned: Set(1..<header.count))
        for row in rows { table.add(Self.cells(row)) }
        table.addRule()
        var total = Self.cells(total)
        total[0] = "total"
        table.add(total)
        return table.render()
    }

    /// The figures as CSV (header, one record per group, then `total`).
    public func csv() -> String {
        var text = CSV.record([groupedBy.rawValue, "cases", "open", "overdue", "contacted", "median_hours_to_first_contact",
                               "sla_known", "closed_within_sla", "within_sla_percent"])
        for row in rows + [total] {
            text += CSV.record([
                row.group.isEmpty ? "total" : row.group, String(row.cases), String(row.open), String(row.overdue),
                String(row.contacted), row.medianHoursToFirstContact.map { String(format: "%.1f", $0) } ?? "",
                String(row.slaKnown), String(row.closedWithinSLA), row.withinSLAShare.map { String(format: "%.1f", $0) } ?? "",
            ])
        }
        return text
    }

    static func cells(_ row: Row) -> [String] {
        [
            row.group, String(row.cases), String(row.open), String(row.overdue), String(row.contacted),
            row.medianHoursToFirstContact.map { String(format: "%.1f", $0) } ?? "–",
            row.withinSLAShare.map { String(format: "%.0f%% of %d", $0, row.slaKnown) } ?? "–",
        ]
    }
}
