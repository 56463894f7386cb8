import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A kiosk installed from the package as INSTALL says, on a Debian 12 booted with systemd: started by its unit on a
/// terminal, and back by itself after its process is killed (issue 16).
@Suite("The kiosk as a systemd service", .serialized)
struct KioskServiceTests {
    /// INSTALL's (and the README's) commands for a kiosk, run as root on the booted system. The two it asks the installer to do by hand
    /// (typing the PIN, editing touchpoint.yaml) are done by the lines that say so.
    static let installCommands = [
        "tar -xzf touchpoint-*-linux-*.tar.gz && cd touchpoint-*/",
        "install -m 0755 bin/touchpoint /usr/local/bin/touchpoint",
        "useradd --system --home-dir /var/lib/touchpoint --create-home touchpoint",
        "install -d -m 0755 /etc/touchpoint && cp -r surveys /etc/touchpoint/",
        "touchpoint pin hash",
        "cp examples/touchpoint.yaml /etc/touchpoint/touchpoint.yaml",
        "install -m 0644 systemd/touchpoint-kiosk@.service /etc/systemd/system/",
        "systemctl daemon-reload && systemctl enable --now touchpoint-kiosk@tty1.service",
    ]

    /// The kiosk's terminal here: tty8, so the unit's instance is not the console's usual tty1.
    static let tty = "tty8"
    static var unit: String { "touchpoint-kiosk@\(tty).service" }

    @Test("installed as INSTALL says on a booted Debian 12, the kiosk starts unattended on its terminal, and after kill -9 systemd starts it again, keeping what it buffered",
          .timeLimit(.minutes(90)))
    func kioskComesBackAfterKill() async throws {
        try await offTheCooperativePool { try installKillAndWatchTheRestart() }
    }

    private func installKillAndWatchTheRestart() throws {
        let tools = ["debootstrap", "unshare", "nsenter", "pivot_root", "mount"]
        guard getuid() == 0, tools.allSatisfy({ PackagingTests.which($0) != nil }) else {
            if PackagingTests.required { Issue.record("needs root and \(tools.joined(separator: ", ")) (scripts/install-deps)") }
            return
        }
        let workspace = try Workspace()
        let tarball = try PackagingTests.package(in: workspace)
        let root = try PackagingTests.debianRoot(
            with: try PackagingTests.runtimePackages() + ["systemd", "systemd-sysv", "dbus"], in: workspace)
        // The kiosk's terminal: a pty whose slave side the booted system has as /dev/tty8.
        let terminal = try PseudoTerminal("/bin/sleep", ["86400"], directory: workspace.root.path)
        let machine = try BootedDebian(root: root, terminal: terminal, as: Self.tty, in: workspace)
        defer { machine.shutdown() }
        try machine.waitUntilBooted()

        for document in ["packaging/INSTALL", "README.md"] {
            let text = try String(contentsOf: Repository.root.appendingPathComponent(document), encoding: .utf8)
            for command in Self.installCommands {
                #expect(text.contains(command), "\(document) no longer says \(command.debugDescription): keep this test in step")
            }
        }
        try machine.copyIn(URL(fileURLWithPath: tarball), to: "/root")
        let script = """
            set -eu
            cd /root
            \(Self.installCommands[0])
            \(Self.installCommands[1])
            \(Self.installCommands[2])
            \(Self.installCommands[3])
            hash=$(\(Self.installCommands[4]))
            \(Self.installCommands[5])
            # The edit INSTALL asks for: the PIN's hash and the survey to start unattended on.
            printf 'staffPinHash: "%s"\\nunattended: retail-visit\\n' "$hash" >> /etc/touchpoint/touchpoint.yaml
            \(Self.installCommands[6])
            \(Self.installCommands[7].replacingOccurrences(of: "tty1", with: Self.tty))
            """
        let installed = try machine.run(script, input: "2468\n", timeout: 300)
        try #require(installed.status == 0, "installing as INSTALL says failed: \(installed)\n\(machine.diagnostics())")

        // Started by systemd at the customer's screen, as the touchpoint user, with no staff input.
        try expectStartScreen(on: terminal, machine)
        let first = try machine.unitState(Self.unit)
        #expect(first["ActiveState"] == "active" && first["NRestarts"] == "0", "\(first)")
        let firstPID = try #require(first["MainPID"].flatMap { Int($0) }, "\(first)")
        let user = try machine.run("stat -c %U /proc/\(firstPID)")
        #expect(user.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "touchpoint", "\(user)")
        #expect(try machine.run("systemctl is-enabled \(Self.unit)").stdout.contains("enabled"))

        // A customer answers; the response is buffered before the thank-you.
        try answerSurvey(on: terminal, comment: "before the kill", machine)
        try expectStartScreen(on: terminal, machine)

        // Killed outright: systemd starts a new kiosk on the same terminal, at the customer's screen again.
        let kill = try machine.run("kill -9 \(firstPID)")
        #expect(kill.status == 0, "\(kill)")
        let deadline = Date().addingTimeInterval(120)
        var state = try machine.unitState(Self.unit)
        while Date() < deadline, !(state["ActiveState"] == "active" && state["NRestarts"] == "1"
                                   && state["MainPID"] != "0" && state["MainPID"] != String(firstPID)) {
            usleep(200_000)
            state = try machine.unitState(Self.unit)
        }
        #expect(state["ActiveState"] == "active" && state["NRestarts"] == "1", "\(state)\n\(machine.diagnostics())")
        #expect(state["MainPID"] != String(firstPID) && state["MainPID"] != "0", "\(state)")
        try expectStartScreen(on: terminal, machine)

        // The new kiosk goes on where the killed one stopped: the buffered response is there, the next one follows it.
        try answerSurvey(on: terminal, comment: "after the kill", machine)
        let verify = try machine.run("touchpoint responses verify --config /etc/touchpoint/touchpoint.yaml")
        #expect(verify.status == 0 && verify.stdout.contains("2 valid, 0 bad"), "\(verify)")
        let pending = try machine.run("ls /var/lib/touchpoint/responses/pending")
        let names = pending.stdout.split(separator: "\n").filter { $0.hasSuffix(".json") }
        #expect(names.count == 2, "\(pending)")
    }

    private func expectStartScreen(on terminal: PseudoTerminal, _ machine: BootedDebian) throws {
        do {
            try terminal.expect(KioskLockdownTests.start, timeout: 120)
        } catch {
            Issue.record("\(error)\n\(machine.diagnostics())")
            throw error
        }
    }

    private func answerSurvey(on terminal: PseudoTerminal, comment: String, _ machine: BootedDebian) throws {
        terminal.send("\r")
        try terminal.expect("Choose language")
        terminal.send("2\r")
        for answer in ["9", comment, "5", "2"] {
            try terminal.expect(KioskLockdownTests.answerPrompt)
            terminal.send(answer + "\r")
        }
        do {
            try terminal.expect("Thank you for your answers!", timeout: 60)
        } catch {
            Issue.record("\(error)\n\(machine.diagnostics())")
            throw error
        }
    }
}

/// A Debian root booted with systemd as PID 1 of its own PID, mount and UTS namespaces: the nearest this machine comes
/// to switching on a kiosk device (`systemd-nspawn --boot` needs a host run by systemd).
///
/// The root (cached by ``PackagingTests/debianRoot(with:in:)``) is the lower layer of an overlay whose changes go into
/// the workspace, so every boot starts from the same clean system and the cache is never changed. The new root is
/// entered with `pivot_root` (not a bare chroot), so units' sandboxing (`PrivateTmp`, `ProtectSystem`) works as on a
/// real machine. /dev is a tmpfs with the basic devices and the pty of `terminal` at /dev/`tty`: a unit running on that
/// terminal is seen and typed at through `terminal`. Everything mounted belongs to the namespace and goes with it.
final class BootedDebian {
    /// systemd's process id here (outside the namespace).
    let pid1: pid_t
    private let launcher: Process
    private let workspace: Workspace
    private let log: URL
    private var stopped = false

    private static let bootScript = #"""
        set -eu
        lower=$1 work=$2 pty=$3 tty=$4
        mkdir -p "$work/upper" "$work/work" "$work/merged"
        mount -t overlay overlay -o "lowerdir=$lower,upperdir=$work/upper,workdir=$work/work" "$work/merged"
        root=$work/merged
        mount -t proc proc "$root/proc"
        mount -t sysfs -o ro sysfs "$root/sys"
        mount -t tmpfs -o mode=0755 tmpfs "$root/dev"
        for node in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
            set -- $node; mknod -m 0666 "$root/dev/$1" c "$2" "$3"
        done
        mknod -m 0600 "$root/dev/console" c 1 3
        mkdir "$root/dev/pts" "$root/dev/shm"
        touch "$root/dev/$tty" && mount --bind "$pty" "$root/dev/$tty"
        cd "$root" && mkdir -p .host && pivot_root . .host
        exec chroot . /bin/sh -c 'umount -l /.host && rmdir /.host && exec env -i container=touchpoint-test /lib/systemd/systemd --system'
        """#

    /// Boots `root` (read only: changes go to `workspace`), with `terminal`'s pty as /dev/`tty`.
    init(root: URL, terminal: PseudoTerminal, as tty: String, in workspace: Workspace) throws {
        self.workspace = workspace
        let work = workspace.url("booted")
        log = workspace.url("boot.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(PackagingTests.which("unshare")))
        process.arguments = ["--pid", "--fork", "--kill-child", "--mount", "--uts", "/bin/sh", "-c", Self.bootScript, "boot",
                             root.path, work.path, terminal.slavePath, tty]
        process.standardInput = FileHandle.nullDevice
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        try process.run()
        launcher = process
        // systemd is unshare's one child (the forked shell that exec'd it).
        let children = "/proc/\(process.processIdentifier)/task/\(process.processIdentifier)/children"
        let deadline = Date().addingTimeInterval(60)
        var found: pid_t?
        while Date() < deadline, process.isRunning {
            if let text = try? String(contentsOfFile: children, encoding: .utf8),
               let pid = text.split(separator: " ").first.flatMap({ pid_t($0) }),
               (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix("systemd") == true {
                found = pid
                break
            }
            usleep(50_000)
        }
        guard let found else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            Issue.record("systemd did not start in the namespace:\n\(said)")
            throw CancellationError()
        }
        pid1 = found
    }

    deinit { shutdown() }

    /// Runs `script` with /bin/sh as root inside the booted system, `input` on its stdin.
    func run(_ script: String, input: String? = nil, timeout: Double = 120) throws -> CommandResult {
        let nsenter = try #require(PackagingTests.which("nsenter"))
        return try workspace.runProcess(
            nsenter, ["--target", "\(pid1)", "--mount", "--uts", "--pid", "--root", "--wd",
                      "/usr/bin/env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
                      "LANG=C.UTF-8", "/bin/sh", "-c", script],
            input: input, timeout: timeout)
    }

    /// Waits until systemd has finished starting the system (`running`, or `degraded` if some unit failed).
    func waitUntilBooted() throws {
        // Until systemd listens, systemctl answers "offline"; then --wait waits for the boot to finish.
        let deadline = Date().addingTimeInterval(300)
        var state = ""
        repeat {
            let answer = try run("systemctl is-system-running --wait", timeout: 300)
            state = answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if state == "running" || state == "degraded" { return }
            usleep(200_000)
        } while Date() < deadline
        Issue.record("the system did not finish booting (systemctl is-system-running: \(state))\n\(diagnostics())")
        throw CancellationError()
    }

    /// Copies `file` into `directory` of the booted system.
    func copyIn(_ file: URL, to directory: String) throws {
        let target = URL(fileURLWithPath: "/proc/\(pid1)/root" + directory).appendingPathComponent(file.lastPathComponent)
        try FileManager.default.copyItem(at: file, to: target)
    }

    /// `systemctl show`'s MainPID, NRestarts, ActiveState and SubState of `unit`.
    func unitState(_ unit: String) throws -> [String: String] {
        let shown = try run("systemctl show -p MainPID -p NRestarts -p ActiveState -p SubState \(unit)")
        return Dictionary(shown.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let equals = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }, uniquingKeysWith: { _, last in last })
    }

    /// What went on, for a failure message: the boot's output, failed units and the kiosk's journal.
    func diagnostics() -> String {
        let boot = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let inside = (try? run("systemctl --failed --no-pager; journalctl --no-pager -n 60 -u 'touchpoint-kiosk@*'", timeout: 60))
            .map { $0.stdout + $0.stderr } ?? "(could not ask the booted system)"
        return "--- boot output\n\(boot)\n--- inside\n\(inside)"
    }

    /// Powers off at once: systemd and everything in its namespace are killed, and the namespace's mounts go with them.
    func shutdown() {
        guard !stopped else { return }
        stopped = true
        // unshare reaps systemd and exits; killed first, it would leave systemd a zombie nobody reaps.
        kill(pid1, SIGKILL)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, launcher.isRunning { usleep(50_000) }
        if launcher.isRunning { kill(launcher.processIdentifier, SIGKILL) }
        launcher.waitUntilExit()
    }
}
