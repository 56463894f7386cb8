import Foundation
import Logging
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointSync
import TouchpointJOSE
import TouchpointCollectorSQLite
import TouchpointCollectorServer

/// Builds a demo directory: enrolled demo kiosks with their own keys and response stores, the generated
/// responses signed and stored by the kiosk's store, drained through the real sync over HTTP into the real
/// collector, and `accounts.csv`, imported into the collector's accounts.
///
/// Layout: `collector.sqlite`, `accounts.csv`, `kiosks/<kiosk>/keys/kiosk.key.jwk`, `kiosks/<kiosk>/responses/`,
/// `kiosks/<kiosk>/touchpoint.yaml` and a `.touchpoint-demo` marker (only a directory holding it is ever replaced).
public struct DemoBuilder: Sendable {
    /// The marker file that makes a directory replaceable with `force`.
    public static let markerFileName = ".touchpoint-demo"

    /// Where and what to build.
    public struct Options: Sendable {
        /// The demo directory (created; must not exist unless ``force``).
        public var output: URL
        /// The surveys the kiosks run and the collector checks against.
        public var surveysDirectory: URL
        /// Replace an existing demo directory.
        public var force: Bool
        /// What to generate.
        public var generation: DemoConfiguration
        /// Seal comments and account references at rest with this cipher (`--comment-key`); nil stores them as written.
        public var commentCipher: CommentCipher?

        /// Creates options.
        public init(output: URL, surveysDirectory: URL, force: Bool = false, generation: DemoConfiguration = DemoConfiguration()) {
            self.output = output
            self.surveysDirectory = surveysDirectory
            self.force = force
            self.generation = generation
        }

        /// The collector database in the demo directory.
        public var database: URL { output.appendingPathComponent("collector.sqlite") }
        /// The accounts file in the demo directory.
        public var accountsFile: URL { output.appendingPathComponent("accounts.csv") }

        /// The directory of a demo kiosk.
        public func kioskDirectory(_ kiosk: String) -> URL {
            output.appendingPathComponent("kiosks", isDirectory: true).appendingPathComponent(kiosk, isDirectory: true)
        }
    }

    /// Where and what to build.
    public let options: Options
    let logger: Logger
    let now: @Sendable () -> Date

    /// Creates a builder; `now` is the clock the responses are generated back from.
    public init(options: Options, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.options = options
        self.logger = logger
        self.now = now
    }

    /// Builds the demo directory and returns what is in it; `progress` hears each step as it starts.
    ///
    /// Throws ``DemoError``: `.outputExists` when the directory exists without `force` (or is not a demo
    /// directory), `.sync` when a kiosk could not deliver every response.
    public func build(progress: @Sendable (String) -> Void = { _ in }) async throws -> DemoSummary {
        let clock = ContinuousClock()
        let began = clock.now
        let options = self.options
        let logger = self.logger
        try options.generation.validate()
        let catalog = SurveyDirectory.load(options.surveysDirectory)
        guard !catalog.surveys.isEmpty else {
            throw DemoError(.invalidConfiguration, "no valid survey in \(options.surveysDirectory.path)"
                + (catalog.problems.first.map { " (\($0))" } ?? ""))
        }

        progress("Generating \(options.generation.responses) responses over \(options.generation.months) months (seed \(options.generation.seed))…")
        let dataSet = try DemoDataSet.generate(surveys: catalog.surveys, configuration: options.generation, now: now())
        let generated = clock.now

        try prepareOutput()
        progress("Creating \(dataSet.kiosks.count) demo kiosks with their own Ed25519 keys and enrolling them…")
        let storage: SQLiteCollectorStorage
        do {
            storage = try SQLiteCollectorStorage(path: options.database.path, commentCipher: options.commentCipher, logger: logger)
        } catch {
            throw DemoError(.collector, "cannot create \(options.database.path)", cause: DescribedCause("\(error)"))
        }
        defer {
            do {
                try storage.close()
            } catch {
                logger.warning("cannot close the demo collector database", metadata: ["error": "\(error)"])
            }
        }
        var keys: [String: KioskKey] = [:]
        var tokens: [String: String] = [:]
        for kiosk in dataSet.kiosks {
            let key = try wrapIO("cannot create the key of \(kiosk.id)") {
                try KeyFile.create(at: options.kioskDirectory(kiosk.id).appendingPathComponent("keys/kiosk.key.jwk"))
            }
            // Each kiosk's own upload token, as `collector enroll` issues it; it lives in the kiosk's configuration.
            let token = CollectorToken.generate()
            try await storage.enroll(kiosk: kiosk.id, site: kiosk.site.id, jwk: key.publicJWK, tokenHash: CollectorToken.hash(token),
                                     at: dataSet.periodStart)
            keys[kiosk.id] = key
            tokens[kiosk.id] = token
            try wrapIO("cannot write the configuration of \(kiosk.id)") {
                try DurableFile.write(
                    Data(kioskConfiguration(kiosk, token: token).utf8),
                    to: options.kioskDirectory(kiosk.id).appendingPathComponent("touchpoint.yaml"), mode: 0o600)
            }
        }

        progress("Signing and storing \(dataSet.count) responses in the kiosks' response stores…")
        try await DemoWriter.write(dataSet, keys: keys, seed: options.generation.seed) {
            options.kioskDirectory($0).appendingPathComponent("responses", isDirectory: true)
        }
        let written = clock.now

        progress("Syncing every kiosk to the collector over HTTP…")
        let collectorConfiguration = CollectorConfiguration(surveysDirectory: options.surveysDirectory.path)
        let uploadTokens = tokens
        let syncs = try await DemoCollector.with(
            storage: storage, surveys: catalog, configuration: collectorConfiguration, logger: logger
        ) { url in
            try await Self.sync(dataSet.kiosks.map(\.id), tokens: uploadTokens, to: url, options: options, logger: logger)
        }
        let synced = clock.now

        progress("Writing accounts.csv and importing it into the collector…")
        let csv = DemoAccount.csv(dataSet.accounts, now: dataSet.now)
        try wrapIO("cannot write \(options.accountsFile.path)") {
            try DurableFile.write(Data(csv.utf8), to: options.accountsFile)
        }
        let imported: AccountImportSummary
        do {
            // The same parse and import as `touchpoint collector import-accounts`.
            imported = try await storage.importAccounts(
                try AccountCSV.parse(text: csv, file: options.accountsFile.path), at: dataSet.now)
        } catch {
            throw DemoError(.collector, "cannot import \(options.accountsFile.path)", cause: DescribedCause("\(error)"))
        }
        let records = Dictionary(try await storage.kiosks().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = dataSet.kiosks.map { kiosk in
            DemoSummary.Kiosk(
                id: kiosk.id, site: kiosk.site.id, touchpoint: kiosk.touchpoint, survey: kiosk.survey,
                generated: dataSet.drafts[kiosk.id]?.count ?? 0, sync: syncs[kiosk.id] ?? SyncSummary(),
                stored: records[kiosk.id]?.responseCount ?? 0, missing: records[kiosk.id]?.missingCount ?? 0)
        }
        let summary = DemoSummary(
            output: options.output, kiosks: rows, accounts: dataSet.accounts.count, importedAccounts: imported.inserted + imported.updated, periodStart: dataSet.periodStart,
            now: dataSet.now, configuration: options.generation,
            timings: .init(generate: generated - began, write: written - generated, sync: synced - written,
                           total: clock.now - began))
        if let short = rows.first(where: { $0.stored != $0.generated }) {
            throw DemoError(.sync, "kiosk \(short.id) generated \(short.generated) responses but the collector holds "
                + "\(short.stored) (see \(options.kioskDirectory(short.id).path)/responses/rejected/)")
        }
        return summary
    }

    /// A `touchpoint.yaml` for a demo kiosk (absolute paths), so that `touchpoint kiosk --config …` runs it
    /// live against `touchpoint collector serve --database <demo>/collector.sqlite` on port 8080.
    func kioskConfiguration(_ kiosk: DemoKiosk, token: String) -> String {
        let directory = options.kioskDirectory(kiosk.id).standardizedFileURL
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return """
            # Demo kiosk \(kiosk.id), written by `touchpoint demo`.
            # Run it: touchpoint kiosk --config \(directory.appendingPathComponent("touchpoint.yaml").path)
            site: \(quoted(kiosk.site.id))
            kiosk: \(quoted(kiosk.id))
            surveys: \(quoted(options.surveysDirectory.standardizedFileURL.path))
            responses: \(quoted(directory.appendingPathComponent("responses").path))
            keyFile: \(quoted(directory.appendingPathComponent("keys/kiosk.key.jwk").path))
            historyFile: \(quoted(directory.appendingPathComponent(".touchpoint_history").path))
            surveyCache: \(quoted(directory.appendingPathComponent("survey-cache").path))
            collector: "http://127.0.0.1:8080"
            collectorToken: \(quoted(token))

            """
    }

    /// Drains each kiosk's `responses/pending/` through ``ResponseSync`` over HTTP, two kiosks at a time.
    static func sync(
        _ kiosks: [String], tokens: [String: String], to url: URL, options: Options, logger: Logger
    ) async throws -> [String: SyncSummary] {
        try await withThrowingTaskGroup(of: (String, SyncSummary).self) { group in
            var results: [String: SyncSummary] = [:]
            var next = kiosks.makeIterator()
            func start(_ kiosk: String) {
                let directory = options.kioskDirectory(kiosk).appendingPathComponent("responses", isDirectory: true)
                // Each kiosk sends its own upload token.
                let configuration = HTTPUploadTransport.Configuration(collectorURL: url, token: tokens[kiosk])
                group.addTask {
                    let summary = try await HTTPUploadTransport.withTransport(configuration: configuration, logger: logger) { transport in
                        try await ResponseSync(responsesDirectory: directory, kiosk: kiosk, transport: transport, logger: logger).syncOnce()
                    }
                    return (kiosk, summary)
                }
            }
            for _ in 0..<2 { if let kiosk = next.next() { start(kiosk) } }
            while let (kiosk, summary) = try await group.next() {
                results[kiosk] = summary
                if let kiosk = next.next() { start(kiosk) }
            }
            return results
        }
    }

    /// Creates the output directory, replacing an existing demo directory only with `force`.
    private func prepareOutput() throws {
        let manager = FileManager.default
        let path = options.output.path
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard options.force else {
                throw DemoError(.outputExists, "\(path) already exists; pass --force to replace it, or choose --output")
            }
            let contents = (try? manager.contentsOfDirectory(atPath: path)) ?? []
            guard isDirectory.boolValue, contents.isEmpty || contents.contains(Self.markerFileName) else {
                throw DemoError(.outputExists, "\(path) exists and is not a demo directory (no \(Self.markerFileName)); "
                    + "refusing to replace it")
            }
            try wrapIO("cannot remove \(path)") { try manager.removeItem(at: options.output) }
        }
        try wrapIO("cannot create \(path)") {
            try manager.createDirectory(at: options.output, withIntermediateDirectories: true)
            try Data("touchpoint demo\n".utf8).write(to: options.output.appendingPathComponent(Self.markerFileName))
        }
    }

    private func wrapIO<T>(_ message: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw DemoError(.io, message, cause: DescribedCause("\(error)"))
        }
    }
}
