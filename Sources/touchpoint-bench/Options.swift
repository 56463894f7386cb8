import Foundation

/// The command line: `touchpoint-bench [--quick] [--surveys DIR] [--work-dir DIR] [--keep]`, plus the
/// hidden subcommands the benchmark runs in child processes (`sync-child`, `idle-child`).
struct BenchOptions {
    /// Commits timed in section 1.
    var commits = 2000
    /// Responses synced in section 2.
    var syncCount = 10_000
    /// Pending files synced in section 3.
    var memoryCount = 100_000
    /// Responses generated for the report latency of sections 4 and 6.
    var reportCount = 1_000_000
    /// Responses synced by the kiosks of section 5, all kiosks together.
    var fleetCount = 20_000
    /// Run only this section (`reports`), if given.
    var only: String?
    /// Whether `--quick` was given.
    var quick = false
    /// The surveys directory, if given.
    var surveys: String?
    /// Where to create the temporary directory, if given.
    var workDirectory: String?
    /// Keep the temporary directory (for inspection).
    var keep = false

    static let usage = """
        usage: touchpoint-bench [--quick] [--only reports|postgres] [--surveys DIR] [--work-dir DIR] [--keep]
          --quick          smaller counts (500 commits, 2000 synced, 10000 for peak memory, 4000 from the fleet,
                           100000 for reports)
          --only reports   run only section 4 (report latency over generated responses, SQLite)
          --only postgres  run only sections 5 and 6 (ingest with one and two collector processes on PostgreSQL
                           beside SQLite; report latency on PostgreSQL)
          PostgreSQL: a throwaway cluster (initdb + pg_ctl from Debian's postgresql), or the server named by
                      TOUCHPOINT_TEST_POSTGRES_URL (a role that may create databases)
          --surveys DIR    the surveys directory (default: ./surveys, or found above the executable)
          --work-dir DIR   where to create the temporary directory (default: $TMPDIR if it is on the
                           working directory's file system and not tmpfs, else the working directory)
          --commits N, --sync N, --memory N, --fleet N, --reports N   override the counts
          --keep           keep the temporary directory
        """

    static func parse(_ arguments: [String]) throws -> BenchOptions {
        var options = BenchOptions()
        var overrides: [(WritableKeyPath<BenchOptions, Int>, Int)] = []
        var index = 0
        func value(_ flag: String) throws -> String {
            index += 1
            guard index < arguments.count else { throw BenchError("\(flag) needs a value\n\(usage)") }
            return arguments[index]
        }
        func count(_ flag: String) throws -> Int {
            let text = try value(flag)
            guard let number = Int(text), number > 0 else { throw BenchError("\(flag) needs a positive number, got \(text)") }
            return number
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--quick":
                options.quick = true
                options.commits = 500
                options.syncCount = 2000
                options.memoryCount = 10_000
                options.reportCount = 100_000
                options.fleetCount = 4000
            case "--only":
                let section = try value(argument)
                guard section == "reports" || section == "postgres" else {
                    throw BenchError("--only takes reports or postgres, not \(section)")
                }
                options.only = section
            case "--reports": overrides.append((\.reportCount, try count(argument)))
            case "--surveys": options.surveys = try value(argument)
            case "--work-dir": options.workDirectory = try value(argument)
            case "--keep": options.keep = true
            case "--commits": overrides.append((\.commits, try count(argument)))
            case "--sync": overrides.append((\.syncCount, try count(argument)))
            case "--memory": overrides.append((\.memoryCount, try count(argument)))
            case "--fleet": overrides.append((\.fleetCount, try count(argument)))
            case "-h", "--help":
                say(usage)
                exit(0)
            default:
                throw BenchError("unknown argument \(argument)\n\(usage)")
            }
            index += 1
        }
        for (path, number) in overrides {
            options[keyPath: path] = number
        }
        return options
    }
}

/// The hidden `sync-child` subcommand's arguments.
struct SyncChildOptions {
    var directory: String
    var url: String
    var kiosk: String
    var result: String

    static func parse(_ arguments: [String]) throws -> SyncChildOptions {
        let values = try ChildArguments.parse(arguments, command: "sync-child")
        guard let directory = values["dir"], let url = values["url"], let kiosk = values["kiosk"],
            let result = values["result"]
        else {
            throw BenchError("sync-child needs --dir, --url, --kiosk and --result")
        }
        return SyncChildOptions(directory: directory, url: url, kiosk: kiosk, result: result)
    }

    var arguments: [String] {
        ["sync-child", "--dir", directory, "--url", url, "--kiosk", kiosk, "--result", result]
    }
}

/// The arguments of a hidden child subcommand: `--name value` pairs.
enum ChildArguments {
    static func parse(_ arguments: [String], command: String) throws -> [String: String] {
        var values: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let flag = arguments[index]
            guard flag.hasPrefix("--"), index + 1 < arguments.count else {
                throw BenchError("\(command): bad argument \(flag)")
            }
            values[String(flag.dropFirst(2))] = arguments[index + 1]
            index += 2
        }
        return values
    }
}
