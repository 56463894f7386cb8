import Foundation
import TouchpointCore
import TouchpointProtocol

/// The pending and rejected counts and the oldest pending names, counted once per pass by streaming the
/// directories and then kept up to date as the pass moves files (so health costs nothing per batch).
struct PendingEstimate {
    /// How many of the oldest pending names are remembered.
    static let oldestLimit = 128

    /// Response files in `pending/`.
    private(set) var pending: Int
    /// Response files in `rejected/`.
    private(set) var rejected: Int
    /// The smallest pending names, sorted (UUIDv7 names sort by time), at most ``oldestLimit``.
    private(set) var oldest: [String]
    /// Whether ``oldest`` held every pending name when counted.
    private var oldestIsComplete: Bool

    /// Counts `pending` and `rejected` (missing directories count as empty).
    static func scan(pending: URL, rejected: URL) throws -> PendingEstimate {
        var estimate = PendingEstimate(pending: 0, rejected: 0, oldest: [], oldestIsComplete: true)
        if FileManager.default.fileExists(atPath: pending.path) {
            let stream = try DirectoryStream(pending)
            defer { stream.close() }
            while let name = try stream.nextResponseName() {
                estimate.pending += 1
                estimate.remember(name)
            }
        }
        estimate.oldestIsComplete = estimate.pending <= oldestLimit
        if FileManager.default.fileExists(atPath: rejected.path) {
            let stream = try DirectoryStream(rejected)
            defer { stream.close() }
            while try stream.nextResponseName() != nil {
                estimate.rejected += 1
            }
        }
        return estimate
    }

    /// True when files are pending but every remembered oldest name has gone: count again to know the oldest.
    var needsRescan: Bool {
        oldest.isEmpty && pending > 0 && !oldestIsComplete
    }

    /// Notes that `name` left `pending/`, for `rejected/` or not.
    mutating func remove(_ name: String, toRejected: Bool) {
        pending = max(0, pending - 1)
        if toRejected {
            rejected += 1
        }
        let index = binarySearch(name)
        if index < oldest.count && oldest[index] == name {
            oldest.remove(at: index)
        }
    }

    /// The health to report; `batch` names (still pending) make sure the batch itself is counted.
    func health(lastSequence: UInt64?, including batch: [String] = []) -> BufferHealth {
        let oldestName = [oldest.first, batch.min()].compactMap { $0 }.min()
        return BufferHealth(
            pending: max(pending, batch.count), rejected: rejected,
            oldestPendingAt: oldestName.flatMap { UUIDv7.date(of: String($0.dropLast(5))) },
            lastSequence: lastSequence)
    }

    /// Keeps `name` if it is among the ``oldestLimit`` smallest seen.
    private mutating func remember(_ name: String) {
        if oldest.count == Self.oldestLimit, let last = oldest.last, name >= last { return }
        oldest.insert(name, at: binarySearch(name))
        if oldest.count > Self.oldestLimit {
            oldest.removeLast()
        }
    }

    /// The index of the first remembered name not less than `name`.
    private func binarySearch(_ name: String) -> Int {
        var low = 0
        var high = oldest.count
        while low < high {
            let middle = (low + high) / 2
            if oldest[middle] < name {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}
