import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a command to completion without blocking Swift's cooperative threads, keeping what it printed (stdout and
/// stderr together).
///
/// Not Foundation's `Process`: on Linux it learns that a child ended when a socket the child inherited closes, and
/// `pg_ctl start` passes that socket on to the server it daemonises, so the end of `pg_ctl` is never reported while
/// the server runs. Here the child is made with `posix_spawn` with every descriptor above stderr closed, and reaped
/// with `waitpid` on a thread of its own. Output goes to a file, not a pipe, for the same reason.
struct ChildProcess: Sendable {
    /// How a finished command ended.
    struct Outcome: Sendable {
        /// The exit status, or 128 + the signal that ended it.
        var status: Int32
        var output: String
        var succeeded: Bool { status == 0 }
    }

    var executable: String
    var arguments: [String]
    /// The working directory; `/` by default, which the `postgres` user can always enter.
    var directory = "/"

    /// The command line, for messages.
    var commandLine: String { ([executable] + arguments).joined(separator: " ") }

    /// Runs the command and returns its status and output; throws only when it cannot be started.
    func run() async throws -> Outcome {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("touchpoint-child-\(UUID().uuidString).out").path
        let outputFD = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard outputFD >= 0 else {
            throw PostgresTestServerError(
                .startFailed, "cannot create \(outputPath) for the output of \(commandLine): \(String(cString: strerror(errno)))")
        }
        defer { unlink(outputPath) }
        let spawned: pid_t
        do {
            defer { close(outputFD) }
            spawned = try spawn(outputFD: outputFD)
        }
        let status = await Self.waitForExit(spawned)
        let bytes = FileManager.default.contents(atPath: outputPath) ?? Data()
        return Outcome(status: status, output: String(decoding: bytes, as: UTF8.self))
    }

    /// Runs the command and waits for it on this thread, for the exit handler (where nothing async can run);
    /// output is dropped.
    func runBlocking() {
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        guard null >= 0 else { return }
        defer { close(null) }
        guard let pid = try? spawn(outputFD: null) else { return }
        _ = Self.reap(pid)
    }

    private func spawn(outputFD: Int32) throws -> pid_t {
        #if canImport(Glibc)
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #else
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 2)
        // Nothing of ours (sockets, other children's pipes) may live on in a server this command starts.
        _ = Self.addCloseFrom?(&actions, 3)
        _ = Self.addChdir?(&actions, directory)

        // Undo what this process changed for itself: SIGPIPE ignored, signals blocked on the spawning thread.
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigmask(&attributes, &noMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            environment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environment)
        guard result == 0 else {
            throw PostgresTestServerError(
                .startFailed, "cannot run \(commandLine): \(String(cString: strerror(result)))")
        }
        return pid
    }

    #if canImport(Glibc)
    private typealias FileActions = UnsafeMutablePointer<posix_spawn_file_actions_t>
    #else
    private typealias FileActions = UnsafeMutablePointer<posix_spawn_file_actions_t?>
    #endif

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time: spawn.h declares it only
    /// under `_GNU_SOURCE`, which Swift's Glibc module does not define.
    private static let addCloseFrom = symbol(
        "posix_spawn_file_actions_addclosefrom_np", as: (@convention(c) (FileActions, Int32) -> Int32).self)
    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29+, macOS 10.15+), looked up the same way.
    private static let addChdir = symbol(
        "posix_spawn_file_actions_addchdir_np",
        as: (@convention(c) (FileActions, UnsafePointer<CChar>) -> Int32).self)

    private static func symbol<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(address, to: type)
    }

    /// Waits for the child on a thread of its own, so no cooperative thread blocks in `waitpid`.
    private static func waitForExit(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: reap(pid))
            }
        }
    }

    /// Blocks until the child ends and returns its exit status (128 + signal when a signal ended it).
    private static func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
