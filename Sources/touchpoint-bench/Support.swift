import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the benchmark itself (not a figure).
struct BenchError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }

    /// `<call> <path>: <strerror(errno)>`.
    static func system(_ call: String, _ path: String, errno code: Int32 = errno) -> BenchError {
        BenchError("\(call) \(path): \(String(cString: strerror(code)))")
    }
}

/// Figures go to standard output, unbuffered, so a long run shows them as they come.
func say(_ line: String = "") {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Progress notes go to standard error, so standard output holds only the figures.
func note(_ line: String) {
    FileHandle.standardError.write(Data(("· " + line + "\n").utf8))
}

/// Monotonic nanoseconds.
@inline(__always)
func nowNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// Seconds elapsed since `start` (from ``nowNanoseconds()``).
func secondsSince(_ start: UInt64) -> Double {
    Double(nowNanoseconds() - start) / 1e9
}

/// Latency samples in nanoseconds.
struct Samples {
    private(set) var values: [UInt64] = []
    private var sorted: [UInt64] = []

    init(capacity: Int) {
        values.reserveCapacity(capacity)
    }

    mutating func add(_ nanoseconds: UInt64) {
        values.append(nanoseconds)
        sorted = []
    }

    /// The nearest-rank percentile `p` (0–100) in milliseconds.
    mutating func percentile(_ p: Double) -> Double {
        if sorted.count != values.count { sorted = values.sorted() }
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return Double(sorted[min(max(rank, 1), sorted.count) - 1]) / 1e6
    }

    /// The mean in milliseconds.
    var mean: Double {
        values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count) / 1e6
    }

    /// `p50 0.81 ms   p99 2.95 ms   mean 0.93 ms`.
    mutating func summary() -> String {
        "p50 \(ms(percentile(50)))   p99 \(ms(percentile(99)))   mean \(ms(mean))"
    }
}

/// `0.81 ms`, `12.3 ms`.
func ms(_ value: Double) -> String {
    value < 10 ? String(format: "%.2f ms", value) : String(format: "%.1f ms", value)
}

/// `1.23 s`.
func seconds(_ value: Double) -> String {
    String(format: "%.2f s", value)
}

/// A rate rounded to a whole number, without digit grouping: `12345`.
func rate(_ value: Double) -> String {
    String(format: "%.0f", value)
}

/// `35.2 MiB` from KiB.
func mebibytes(kibibytes: Int) -> String {
    String(format: "%.1f MiB", Double(kibibytes) / 1024)
}

/// `label` padded to `width` columns.
func pad(_ label: String, _ width: Int) -> String {
    label.count >= width ? label + " " : label + String(repeating: " ", count: width - label.count)
}

/// The first line of `path` starting with `key`, after the colon; nil if absent.
func procField(_ path: String, _ key: String) -> String? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(key) {
        guard let colon = line.firstIndex(of: ":") else { continue }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return nil
}

/// A `/proc/self/status` size field (`VmHWM`, `VmRSS`) in KiB, or nil.
func selfStatusKiB(_ key: String) -> Int? {
    guard let value = procField("/proc/self/status", key + ":") else { return nil }
    return Int(value.split(separator: " ").first ?? "")
}

/// This process's CPU time (user + system) in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
