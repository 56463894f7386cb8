import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A local incoming-webhook receiver: a python3 `http.server` on 127.0.0.1 that appends every body posted to it
/// to a file and answers 200, for a collector's `--feed`.
///
/// The test can close it (``close()``): then it answers `503` with `Retry-After: 1` and keeps nothing, so a
/// collector killed while posting cannot have had a post accepted that it never recorded. Closing and keeping a
/// body happen under one lock in the receiver, so once ``close()`` returns no accepted post is still unwritten.
final class WebhookReceiver {
    /// The python process, stopped with the site's other children.
    let child: ChildProcess
    /// The port it listens on.
    let port: Int
    /// Where it appends each accepted body: one JSON string per line.
    let bodiesFile: URL

    /// The URL to put in a feed file.
    var webhookURL: String { "http://127.0.0.1:\(port)/hook" }
    private var controlURL: String { "http://127.0.0.1:\(port)" }

    /// The receiver, run by python3 with the body file and the file to write its port to.
    static let script = #"""
        import http.server, json, os, sys, threading

        bodies_path, port_path = sys.argv[1], sys.argv[2]
        lock = threading.Lock()
        state = {"open": True}

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def read_body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline().strip():
                                pass
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def answer(self, status, text, retry_after=None):
                data = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                if retry_after is not None:
                    self.send_header("Retry-After", retry_after)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = self.read_body()
                if self.path in ("/control/open", "/control/close"):
                    with lock:
                        state["open"] = self.path == "/control/open"
                    self.answer(200, "open" if state["open"] else "closed")
                    return
                with lock:
                    accepted = state["open"]
                    if accepted:
                        with open(bodies_path, "a", encoding="utf-8") as bodies:
                            bodies.write(json.dumps(body.decode("utf-8")) + "\n")
                if accepted:
                    self.answer(200, "ok")
                else:
                    self.answer(503, "closed by the test", retry_after="1")

            def log_message(self, format, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        with open(port_path + ".tmp", "w") as port_file:
            port_file.write(str(server.server_address[1]))
        os.rename(port_path + ".tmp", port_path)
        server.serve_forever()
        """#

    /// Starts the receiver in `site`'s workspace (stopped by its ``SyncSite/stopAll()``) and waits up to
    /// `timeout` seconds for it to listen.
    init(site: SyncSite, timeout: Double = 60) throws {
        let scriptFile = site.workspace.url("webhook-receiver.py")
        let portFile = site.workspace.url("webhook-receiver.port")
        bodiesFile = site.workspace.url("webhook-bodies.jsonl")
        try Data(Self.script.utf8).write(to: scriptFile)
        _ = FileManager.default.createFile(atPath: bodiesFile.path, contents: nil)
        let python = try #require(
            ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
                ?? Self.onPath("python3"),
            "no python3 for the webhook receiver")
        let receiver = try site.startProgram("webhook-receiver", executable: python,
                                             [scriptFile.path, bodiesFile.path, portFile.path])
        var bound: Int?
        try site.wait("the webhook receiver to listen", timeout: timeout) {
            bound = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0) }
            return bound != nil || !receiver.isRunning
        }
        child = receiver
        port = try #require(bound, "the webhook receiver exited\n\(receiver.log)")
    }

    /// The bodies it accepted so far, in order (a line still being written is left out).
    func bodies() -> [String] {
        let text = (try? String(contentsOf: bodiesFile, encoding: .utf8)) ?? ""
        var lines = text.components(separatedBy: "\n")
        lines.removeLast()  // empty after the last newline, or a line not finished yet
        return lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])) as? String
        }
    }

    /// From now on answers 503 and keeps nothing; when this returns, every accepted body is in the file.
    func close() async throws {
        let answer = try await LocalHTTP.post(controlURL + "/control/close")
        try #require(answer.status == 200 && answer.body == "closed", "closing the webhook receiver: \(answer)")
    }

    /// Accepts posts again.
    func open() async throws {
        let answer = try await LocalHTTP.post(controlURL + "/control/open")
        try #require(answer.status == 200 && answer.body == "open", "opening the webhook receiver: \(answer)")
    }

    private static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
