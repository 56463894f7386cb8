import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A release that runs on a plain Debian 12 without Swift, started by systemd (issue 16).
@Suite("The package on a kiosk device", .serialized)
struct PackagingTests {
    /// Whether the machine may be required to have what a test needs (CI), or a test without it may skip.
    static var required: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The path of `program` on PATH (or the sbin directories), if any.
    static func which(_ program: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("touchpoint --version names the release and, built from a checkout, says so (the package names its commit)")
    func versionNamesTheBuild() throws {
        let workspace = try Workspace()
        let version = try workspace.run(["--version"])
        #expect(version.status == 0 && version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0 (a source build)", "\(version)")
    }

    @Test("the kiosk and collector units pass systemd-analyze verify; the collector's settings are not in its unit")
    func unitsVerify() throws {
        guard let analyze = Self.which("systemd-analyze") else {
            if Self.required { Issue.record("systemd-analyze is not installed (scripts/install-deps installs systemd)") }
            return
        }
        let workspace = try Workspace()
        let binary = try TouchpointBinary.require()
        let units = Repository.root.appendingPathComponent("packaging/systemd")
        for name in ["touchpoint-kiosk@.service", "touchpoint-collector.service"] {
            let text = try String(contentsOf: units.appendingPathComponent(name), encoding: .utf8)
            #expect(text.contains("ExecStart=/usr/local/bin/touchpoint "), "\(name)")
            // Verified with the binary built here standing in for the installed one.
            try text.replacingOccurrences(of: "/usr/local/bin/touchpoint", with: binary)
                .write(to: workspace.url(name), atomically: true, encoding: .utf8)
        }
        let collector = try String(contentsOf: workspace.url("touchpoint-collector.service"), encoding: .utf8)
        for option in ["NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "StateDirectory=", "ConfigurationDirectory=",
                       "EnvironmentFile=/etc/touchpoint-collector/collector.env", "User=touchpoint-collector"] {
            #expect(collector.contains(option), "the collector unit lacks \(option)")
        }
        for setting in ["--database", "--tls-cert", "--tls-key", "postgres://"] {
            #expect(!collector.contains(setting), "the collector unit holds \(setting): settings belong in collector.env")
        }
        let kiosk = try String(contentsOf: workspace.url("touchpoint-kiosk@.service"), encoding: .utf8)
        for option in ["Restart=always", "Conflicts=getty@%i.service", "TTYPath=/dev/%I", "User=touchpoint", "StandardInput=tty"] {
            #expect(kiosk.contains(option), "the kiosk unit lacks \(option)")
        }
        let result = try workspace.runProcess(
            analyze, ["verify", "./touchpoint-collector.service", "./touchpoint-kiosk@tty1.service"], timeout: 120)
        #expect(result.status == 0, "\(result)")
        let ours = (result.stdout + result.stderr).split(separator: "\n").filter { $0.contains("touchpoint") }
        #expect(ours.isEmpty, "systemd-analyze says:\n\(ours.joined(separator: "\n"))")
    }

    /// The Debian packages the release binary needs at run time (packaging/runtime-packages; INSTALL's apt line).
    static func runtimePackages() throws -> [String] {
        try String(contentsOf: Repository.root.appendingPathComponent("packaging/runtime-packages"), encoding: .utf8)
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// The release tarball as scripts/package builds it (written into `workspace`; up to date after .ci/run's build, 12 s).
    static func package(in workspace: Workspace) throws -> String {
        let package = try workspace.runProcess(
            "/bin/bash", [Repository.root.appendingPathComponent("scripts/package").path, workspace.url("dist").path], timeout: 4800)
        try #require(package.status == 0, "scripts/package failed: \(package)")
        let tarball = try #require(package.stdout.split(separator: "\n").last.map(String.init))
        try #require(tarball.hasSuffix(".tar.gz") && FileManager.default.fileExists(atPath: tarball), "\(package)")
        return tarball
    }

    /// A minimal Debian 12 root with only `packages` added, made once with debootstrap and kept (per package list)
    /// under /var/cache/touchpoint-tests, as CI keeps caches between runs where it can.
    static func debianRoot(with packages: [String], in workspace: Workspace) throws -> URL {
        let name = "bookworm-" + packages.joined(separator: "+")
        let cache = URL(fileURLWithPath: "/var/cache/touchpoint-tests", isDirectory: true)
        let root = cache.appendingPathComponent(name, isDirectory: true)
        let done = root.appendingPathComponent(".touchpoint-complete")
        if FileManager.default.fileExists(atPath: done.path) { return root }
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        // Another test run on this machine may be making the same root: one at a time, and the second finds it made.
        let lock = open(cache.appendingPathComponent("\(name).lock").path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        try #require(lock >= 0, "cannot open a lock file in \(cache.path)")
        defer { close(lock) }
        flock(lock, LOCK_EX)
        if FileManager.default.fileExists(atPath: done.path) { return root }
        try? FileManager.default.removeItem(at: root)
        let debootstrap = try #require(which("debootstrap"))
        let result = try workspace.runProcess(
            debootstrap,
            ["--variant=minbase", "--include=" + packages.joined(separator: ","), "bookworm", root.path, "http://deb.debian.org/debian"],
            timeout: 1800)
        try #require(result.status == 0, "debootstrap failed: \(result)")
        try Data().write(to: done)
        return root
    }

    @Test("the package runs in a plain Debian 12 root holding only the runtime libraries: version, validate, a kiosk session, verify",
          .timeLimit(.minutes(90)))
    func packageRunsWithoutSwift() async throws {
        try await offTheCooperativePool { try runPackageInPlainDebian() }
    }

    private func runPackageInPlainDebian() throws {
        guard getuid() == 0, Self.which("debootstrap") != nil, Self.which("chroot") != nil else {
            if Self.required { Issue.record("needs root, debootstrap and chroot (scripts/install-deps installs debootstrap)") }
            return
        }
        let workspace = try Workspace()
        let tarball = try Self.package(in: workspace)

        let packages = try Self.runtimePackages()
        let root = try Self.debianRoot(with: packages, in: workspace)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("usr/bin/swift").path))
        // Unpacked into the root afresh, run there with /proc mounted (the Swift runtime reads /proc/self), removed after.
        let place = "opt/touchpoint-test-\(UUID().uuidString.prefix(8))"
        let target = root.appendingPathComponent(place, isDirectory: true)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: target) }
        let unpack = try workspace.runProcess("/bin/tar", ["-xzf", tarball, "-C", target.path, "--strip-components=1"], timeout: 120)
        try #require(unpack.status == 0, "\(unpack)")
        let proc = root.appendingPathComponent("proc")
        let mount = try workspace.runProcess("/bin/mount", ["-t", "proc", "proc", proc.path], timeout: 30)
        try #require(mount.status == 0, "\(mount)")
        defer { _ = try? workspace.runProcess("/bin/umount", [proc.path], timeout: 30) }
        let chroot = try #require(Self.which("chroot"))
        let binary = "/\(place)/bin/touchpoint"
        func inRoot(_ arguments: [String], input: String? = nil) throws -> CommandResult {
            try workspace.runProcess(chroot, [root.path, "/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "HOME=/\(place)", "LANG=C.UTF-8",
                                              binary] + arguments, input: input, timeout: 120)
        }
        let libraries = try workspace.runProcess(chroot, [root.path, "/usr/bin/ldd", binary], timeout: 60)
        #expect(libraries.status == 0 && !libraries.stdout.contains("not found"), "\(libraries)")
        #expect(!libraries.stdout.contains("libswift"), "the Swift runtime is not linked in:\n\(libraries.stdout)")

        let version = try inRoot(["--version"])
        #expect(version.status == 0 && version.stdout.contains("0.1.0 (commit "), "\(version)")
        let validate = try inRoot(["survey", "validate", "/\(place)/surveys/retail-visit.yaml"])
        #expect(validate.status == 0, "\(validate)")
        let run = "/\(place)/run"
        let flags = ["--site", "debian-site", "--kiosk-id", "kiosk-1", "--surveys", "/\(place)/surveys", "--responses", "\(run)/responses",
                     "--key", "\(run)/keys/kiosk.key.jwk", "--history", "\(run)/history", "--thank-you-seconds", "0"]
        let session = try inRoot(["kiosk"] + flags, input: ["start retail-visit en", "9", "in a plain Debian", "5", "2", "quit"].joined(separator: "\n") + "\n")
        #expect(session.status == 0 && session.stdout.contains("Thank you for your answers!"), "\(session)")
        let verify = try inRoot(["responses", "verify"] + flags)
        #expect(verify.status == 0 && verify.stdout.contains("1 valid, 0 bad"), "\(verify)")
    }
}
