import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the figures were measured on.
enum Machine {
    /// `debug` or `release`.
    static var buildConfiguration: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    /// `Linux 6.1.0-… x86_64`.
    static var kernel: String {
        var name = utsname()
        guard uname(&name) == 0 else { return "unknown kernel" }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        return "\(field(name.sysname)) \(field(name.release)) \(field(name.machine))"
    }

    /// The CPU model from `/proc/cpuinfo`, if any.
    static var cpuModel: String? {
        procField("/proc/cpuinfo", "model name")
    }

    /// Total memory, e.g. `7.8 GiB`.
    static var memory: String? {
        guard let value = procField("/proc/meminfo", "MemTotal:"),
            let kib = Double(value.split(separator: " ").first ?? "")
        else { return nil }
        return String(format: "%.1f GiB", kib / 1024 / 1024)
    }

    /// The header printed above the figures.
    static func header(options: BenchOptions, workDirectory: URL) -> [String] {
        let date = ISO8601DateFormatter().string(from: Date())
        var machine = "\(ProcessInfo.processInfo.activeProcessorCount) cores"
        if let cpu = cpuModel { machine += " (\(cpu))" }
        if let memory { machine += ", \(memory) RAM" }
        let counts = "\(options.commits) commits, \(options.syncCount) synced, \(options.memoryCount) for peak memory"
            + (options.quick ? " (--quick)" : "")
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
            .map { $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "unknown"
        return [
            "touchpoint-bench, \(date)",
            "machine: \(machine), \(kernel), load average \(load) at start",
            "build:   \(buildConfiguration), Swift 6 language mode",
            "files:   \(fileSystemType(workDirectory.path)) (\(workDirectory.path))",
            "counts:  \(counts)",
        ]
    }

    /// The file system type of `path` (`ext4`, `tmpfs`, …): the type of its longest mount point in /proc/mounts.
    static func fileSystemType(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return "unknown file system" }
        var best: (point: String, type: String)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            // Mount points escape spaces as \040.
            let point = fields[1].replacingOccurrences(of: "\\040", with: " ")
            let inside = point == "/" || absolute == point || absolute.hasPrefix(point + "/")
            if inside, point.count >= (best?.point.count ?? -1) {
                best = (point, String(fields[2]))
            }
        }
        return best?.type ?? "unknown file system"
    }

    /// The device `path` lives on.
    static func device(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_dev)
    }

    /// Creates the benchmark's temporary directory on the working directory's file system: `$TMPDIR`
    /// (or /tmp) when it is on the same device and not tmpfs, else a hidden directory in the working
    /// directory.
    static func makeWorkDirectory(_ requested: String?) throws -> URL {
        let cwd = FileManager.default.currentDirectoryPath
        let parent: String
        if let requested {
            parent = requested
        } else {
            let tmp = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
            let sameDevice = device(tmp) != nil && device(tmp) == device(cwd)
            parent = sameDevice && fileSystemType(tmp) != "tmpfs" ? tmp : cwd
        }
        let template = URL(fileURLWithPath: parent, isDirectory: true)
            .appendingPathComponent(".touchpoint-bench-XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw BenchError.system("mkdtemp", template) }
        return URL(fileURLWithPath: String(cString: made), isDirectory: true)
    }
}
