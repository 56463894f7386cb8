import Foundation
import Testing

/// Headless Chromium, found on PATH, to load the dashboard like a browser does.
struct DashboardChromium {
    /// The executable.
    let path: String

    /// Chromium from PATH; fails the test (it does not skip it) when it is not installed.
    static func require() throws -> DashboardChromium {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        let found = directories.map { "\($0)/chromium" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        let path = try #require(
            found, "chromium is not on PATH: the dashboard check needs headless Chromium; run scripts/install-deps (apt package chromium)")
        return DashboardChromium(path: path)
    }

    /// Runs Chromium headless on `url` with `flags` in a fresh profile under `directory`; returns what it printed.
    func run(_ flags: [String], url: String, in directory: URL) async throws -> (status: Int32, stdout: String, stderr: String) {
        let profile = directory.appendingPathComponent("chromium-profile-\(UUID().uuidString)", isDirectory: true)
        let arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--mute-audio",
            "--user-data-dir=\(profile.path)",
        ] + flags + [url]
        // coreutils `timeout` is a safety net against a hung browser, not a timing check.
        return try await DashboardProcess.run("/usr/bin/env", ["timeout", "120", path] + arguments, in: directory)
    }
}

extension DashboardChromium {
    /// What `scripts/chromium-signin` saw.
    struct SignedIn: Decodable, CustomStringConvertible {
        struct Cookie: Decodable {
            var name: String
            var httpOnly: Bool?
            var sameSite: String?
            var secure: Bool?
        }

        /// Where a step after signing in ended.
        struct Step: Decodable {
            var url: String
        }

        /// The path (and query) the browser ended on, and the path the sign-in form was on.
        var url: String
        var formPage: String
        var cookies: [Cookie]
        /// The steps taken after signing in, in order (their DOMs beside the first one's, `.stepN.html`).
        var steps: [Step]

        var description: String { "ended on \(url), form on \(formPage), cookies \(cookies.map(\.name))" }
    }

    /// Opens `url` in headless Chromium, signs in through the form as `name`, and writes the page it lands on (its DOM
    /// and a 1280×2000 screenshot); then takes `steps` (see `scripts/chromium-signin`: navigate, fill a form, click),
    /// writing each page's DOM to `dom` + `.stepN.html`. Driven over the DevTools protocol by `scripts/chromium-signin`.
    func signIn(
        url: String, name: String, password: String, dom: URL, screenshot: URL, steps: [[String: Any]] = [], in directory: URL
    ) async throws -> SignedIn {
        let stepsFile = directory.appendingPathComponent("chromium-steps-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: steps).write(to: stepsFile)
        let profile = directory.appendingPathComponent("chromium-profile-\(UUID().uuidString)", isDirectory: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/chromium-signin").path
        // coreutils `timeout` is a safety net against a hung browser, not a timing check.
        let run = try await DashboardProcess.run(
            "/usr/bin/env",
            ["timeout", "120", "python3", script, path, profile.path, url, name, password, dom.path, screenshot.path, "1280", "2000",
             stepsFile.path],
            in: directory)
        try #require(run.status == 0, "chromium-signin failed (\(run.status)): \(run.stderr)\n\(run.stdout)")
        return try JSONDecoder().decode(SignedIn.self, from: Data(run.stdout.utf8))
    }
}

/// Runs a child process without blocking a concurrency thread, with its output in files.
enum DashboardProcess {
    /// Runs `executable` with `arguments` and waits for it to exit.
    static func run(_ executable: String, _ arguments: [String], in directory: URL) async throws -> (status: Int32, stdout: String, stderr: String) {
        let name = UUID().uuidString
        let out = directory.appendingPathComponent("\(name).out"), err = directory.appendingPathComponent("\(name).err")
        for file in [out, err] {
            try #require(FileManager.default.createFile(atPath: file.path, contents: nil), "cannot create \(file.path)")
        }
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in
                continuation.resume(returning: finished.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let stdout = String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self)
        return (status, stdout, stderr)
    }
}

/// What `scripts/png-stats` reports about a PNG: its size, colours and how much of it is not white.
struct DashboardPNGStats: Decodable {
    var width: Int
    var height: Int
    /// Distinct RGB colours.
    var distinct: Int
    /// The fraction of pixels that are not near-white.
    var nonwhite: Double
    /// Pixels exactly equal to each asked colour (`rrggbb`).
    var counts: [String: Int]

    /// `scripts/png-stats` at the repository root.
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/png-stats").path

    /// Decodes `png` with `scripts/png-stats` (python3, standard library only), counting `colours`.
    static func read(_ png: URL, counting colours: [String], in directory: URL) async throws -> DashboardPNGStats {
        let result = try await DashboardProcess.run(
            "/usr/bin/env", ["python3", script, png.path] + colours.flatMap { ["--count", $0] }, in: directory)
        try #require(result.status == 0, "png-stats failed: \(result.stderr)")
        return try JSONDecoder().decode(DashboardPNGStats.self, from: Data(result.stdout.utf8))
    }
}
