import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TouchpointCollector
import TouchpointCore
import TouchpointStore
import TouchpointCollectorSQLite
import TouchpointCollectorServer

/// `touchpoint collector …`: the central collector.
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector", abstract: "The central collector: serve uploads, enrol and revoke kiosks.",
        subcommands: [
            Serve.self, Enroll.self, Revoke.self, Kiosks.self, ImportAccounts.self, Migrate.self, User.self, Token.self, Audit.self,
            Surveys.self, Settings.self, Alerts.self, Erase.self, Erasures.self, Prune.self, SubjectAccess.self, CommentKey.self,
        ])

    /// Options every collector command shares.
    struct Options: ParsableArguments {
        @Option(name: .long, help: "The collector's database: a SQLite file (default collector.sqlite) or postgres://USER@HOST:PORT/DB.")
        var database: String = "collector.sqlite"

        @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: String = "info"

        @Option(name: .long, help: "Store comments encrypted at rest with this key file (from `collector comment-key`; mode 0600), and read them with it.")
        var commentKey: String?

        /// The cipher `--comment-key` names, if any.
        func commentCipher() throws -> CommentCipher? {
            guard let commentKey else { return nil }
            do {
                return try CommentCipher.load(path: commentKey)
            } catch let error as CollectorError {
                throw ValidationError(error.message)
            }
        }

        func bootstrapLogging() throws {
            try bootstrapStandardErrorLogging(levelName: logLevel)
        }

        /// Opens (creating and migrating if needed) the database `--database` names.
        func openStorage(logger: Logger) async throws -> any CollectorStorage {
            try await CollectorDatabase(database).open(commentCipher: try commentCipher(), logger: logger)
        }
    }

    /// `touchpoint collector serve`.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve POST /v1/responses, GET /v1/kiosks and GET /healthz.")
        @OptionGroup var options: Options
        @Option(name: .long, help: "Address to bind (default 127.0.0.1).") var host: String = "127.0.0.1"
        @Option(name: .long, help: "Port (default 8080; 0 picks a free one).") var port: Int = 8080
        @Option(name: .long, help: "Surveys the answers are checked against (default surveys).") var surveys: String = "surveys"
        @Option(name: .long, help: "Largest upload body in bytes (default 8 MiB).") var maxBodyBytes: Int = 8 * 1024 * 1024
        @Option(name: .long, help: "Comment feed webhook routes (YAML); without it nothing is posted.") var feed: String?
        @Option(name: .long, help: "Account health model (YAML); default: the built-in model.") var health: String?
        @Option(name: .long, help: "Follow-up case rules (YAML: what opens a case, owners, SLAs, channels); default: every NPS detractor, 48 h.")
        var cases: String?
        @Option(name: .long, help: "The collector's address as people reach it (e.g. https://cx.example.com), for links to cases in posts.")
        var publicURL: String?
        @Option(name: .long, help: "NPS targets per site and touchpoint (YAML), drawn on the dashboard's bars.") var targets: String?
        @Option(name: .long, help: "The retention policy (YAML: how long comments, responses and inactive accounts are kept); pruned daily.")
        var retention: String?
        @Option(name: .long, help: "The time zone of the dashboard's weekday × hour heatmap, e.g. Europe/Stockholm (default UTC).")
        var timeZone: String = "UTC"
        @Option(name: .long, help: "Report groups under this many answers are flagged (default 30).") var minGroupSize: Int = 30
        @Option(name: .long, help: "Serve HTTPS with this PEM certificate (chain); needs --tls-key.") var tlsCert: String?
        @Option(name: .long, help: "The certificate's PEM private key (mode 0600); needs --tls-cert.") var tlsKey: String?
        @Flag(name: .long, help: "Serve plain HTTP on a non-loopback --host because a proxy in front terminates TLS.")
        var allowPlainHTTP = false

        func validate() throws {
            guard (tlsCert == nil) == (tlsKey == nil) else {
                throw ValidationError("--tls-cert and --tls-key go together: give both (PEM files) or neither")
            }
            var binding = CollectorConfiguration(host: host)
            binding.allowPlainHTTP = allowPlainHTTP
            if tlsCert == nil, let problem = binding.bindingProblem {
                throw ValidationError(problem)
            }
        }

        func run() async throws {
            try options.bootstrapLogging()
            let logger = Logger(label: "touchpoint.collector")
            // The certificate and key first, like the files below: a bad one stops the collector before it opens anything.
            var tls: CollectorTLS?
            if let tlsCert, let tlsKey {
                do {
                    tls = try CollectorTLS(certificateFile: tlsCert, keyFile: tlsKey)
                } catch let error as CollectorTLSError {
                    throw ValidationError(error.description)
                }
                if let tls, tls.notValidAfter < Date() {
                    logger.warning("the TLS certificate has expired: kiosks will refuse it", metadata: [
                        "tls.certificate": "\(tlsCert)", "tls.not_valid_after": "\(tls.notValidAfter)",
                    ])
                }
            }
            // Read the feed routes first: a bad file stops the collector before it opens anything.
            var feedConfiguration: FeedConfiguration?
            if let feed {
                let text: String
                do {
                    text = try String(contentsOfFile: feed, encoding: .utf8)
                } catch {
                    throw ValidationError("cannot read the feed configuration \(feed): \(error.localizedDescription)")
                }
                do {
                    feedConfiguration = try FeedConfiguration.parse(
                        yaml: text, file: feed, environment: ProcessInfo.processInfo.environment)
                } catch {
                    throw ValidationError("the feed configuration does not validate:\n\(error)")
                }
            }
            // And the case rules: their channels must be webhooks of the feed.
            let caseRules: CaseRules
            do {
                caseRules = try CaseRules.load(path: cases)
            } catch {
                throw ValidationError("the case rules do not validate:\n\(error)")
            }
            let webhookNames = Set(feedConfiguration?.webhooks.map(\.name) ?? [])
            for (owner, webhook) in caseRules.channels.sorted(by: { $0.key < $1.key }) where !webhookNames.contains(webhook) {
                throw ValidationError(
                    "\(cases ?? "cases"): channels: \(owner) is sent to the webhook '\(webhook)', which is not in the feed configuration"
                        + (feed == nil ? " (give --feed)" : " \(feed ?? "")"))
            }
            do {
                _ = try NPSTargets.load(path: targets)
            } catch {
                throw ValidationError("the NPS targets do not validate:\n\(error)")
            }
            var retentionPolicy: RetentionPolicy?
            if let retention {
                do {
                    retentionPolicy = try RetentionPolicy.load(path: retention)
                } catch {
                    throw ValidationError("the retention policy does not validate:\n\(error)")
                }
            }
            guard let zone = TimeZone(identifier: timeZone) else {
                throw ValidationError("--time-zone must be a time zone such as Europe/Stockholm or UTC, not '\(timeZone)'")
            }
            var publicAddress: URL?
            if let publicURL {
                guard let url = URL(string: publicURL), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                    url.host?.isEmpty == false
                else {
                    throw ValidationError("--public-url must be an http:// or https:// address such as https://cx.example.com, not '\(publicURL)'")
                }
                publicAddress = url
            }
            // Likewise the health model: the dashboard's matrix would otherwise only say it is unavailable.
            do {
                _ = try HealthModel.load(path: health)
            } catch {
                throw ValidationError("the health model cannot be used:\n\(error)")
            }
            let storage = try await options.openStorage(logger: logger)
            if let commentKey = options.commentKey {
                logger.info("comments and account references sealed at rest", metadata: ["comment_key.file": "\(commentKey)"])
            }
            let catalog = SurveyDirectory.load(URL(fileURLWithPath: surveys, isDirectory: true))
            for problem in catalog.problems { logger.warning("survey does not validate", metadata: ["problem": "\(problem)"]) }
            var configuration = CollectorConfiguration(
                host: host, port: port, maxBodyBytes: maxBodyBytes, surveysDirectory: surveys,
                minimumGroupSize: minGroupSize, feedConfigPath: feed, healthModelPath: health)
            configuration.tls = tls
            configuration.allowPlainHTTP = allowPlainHTTP
            configuration.caseRules = caseRules
            configuration.publicURL = publicAddress
            configuration.targetsPath = targets
            configuration.timeZone = zone
            if let tls {
                logger.info("serving HTTPS", metadata: ["tls.certificate": "\(tls.certificateFile)"])
            }
            let app = buildApplication(configuration: configuration, storage: storage, surveys: catalog, logger: logger)
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: app)]
            if let feedConfiguration {
                services.append(.init(service: FeedDeliveryService(
                    configuration: feedConfiguration, storage: storage, caseLinks: configuration.caseLinks,
                    logger: Logger(label: "touchpoint.feed"))))
                services.append(.init(service: CaseOverdueService(
                    rules: caseRules, links: configuration.caseLinks, storage: storage, logger: Logger(label: "touchpoint.cases"))))
                logger.info("comment feed on", metadata: [
                    "feed.webhooks": "\(feedConfiguration.webhooks.map(\.description).joined(separator: ", "))",
                ])
                if let alerts = feedConfiguration.alerts {
                    services.append(.init(service: FleetAlertService(
                        configuration: alerts, storage: storage, logger: Logger(label: "touchpoint.alerts"))))
                    logger.info("fleet alerts on", metadata: [
                        "alerts.webhook": "\(alerts.webhook)", "alerts.not_seen_after": "\(alerts.thresholds.notSeenAfter)",
                        "alerts.backlog_older_than": "\(alerts.thresholds.backlogOlderThan)",
                        "alerts.check_every": "\(alerts.checkInterval)",
                    ])
                }
            }
            if let retentionPolicy {
                services.append(.init(service: RetentionService(
                    policy: retentionPolicy, storage: storage, logger: Logger(label: "touchpoint.retention"))))
                logger.info("retention policy on", metadata: [
                    "retention.policy": "\(retentionPolicy.description)", "retention.check_every": "\(retentionPolicy.checkEvery)",
                ])
            }
            let group = ServiceGroup(configuration: .init(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            try await storage.close()
        }
    }

    /// `touchpoint collector enroll`.
    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enrol a kiosk's public key (from `touchpoint keys export`) and issue its upload token (printed once).")
        @OptionGroup var options: Options
        @Option(name: .long, help: "The kiosk id (as in its configuration).") var kiosk: String
        @Option(name: .long, help: "The kiosk's site.") var site: String
        @Option(name: .long, help: "The public JWK file, or - for standard input.") var jwk: String
        @Option(name: .long, help: "Also write the upload token to this file (mode 0600, not overwritten).")
        var tokenFile: String?

        func run() async throws {
            try checkIDs()
            try options.bootstrapLogging()
            let logger = Logger(label: "touchpoint.collector")
            let key = try loadPublicKey(jwk: jwk, keyFile: "")
            if let tokenFile, FileManager.default.fileExists(atPath: tokenFile) {
                throw ValidationError("--token-file: \(tokenFile) exists; give a new file")
            }
            let storage = try await options.openStorage(logger: logger)
            // Every kiosk gets its own upload token; the collector keeps only its hash.
            let secret = CollectorToken.generate()
            let kid: String
            do {
                kid = try await storage.enroll(kiosk: kiosk, site: site, jwk: key, tokenHash: CollectorToken.hash(secret), at: Date())
            } catch {
                try? await storage.close()
                throw error
            }
            try await storage.close()
            if let tokenFile {
                try DurableFile.write(Data((secret + "\n").utf8), to: URL(fileURLWithPath: tokenFile), mode: 0o600)
            }
            print("Enrolled kiosk \(kiosk) (site \(site)) with key \(kid).")
            let place = tokenFile.map { "collectorTokenFile: \($0) (copied to the kiosk)" } ?? "collectorToken"
            print("Upload token (shown once; in the kiosk's touchpoint.yaml as \(place)):")
            print(secret)
        }
    }

    /// `touchpoint collector revoke`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop accepting responses signed by a kiosk's key.")
        @OptionGroup var options: Options
        @Option(name: .long, help: "The kiosk id.") var kiosk: String

        func run() async throws {
            try options.bootstrapLogging()
            let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
            let kid = try await storage.revoke(kiosk: kiosk, at: Date())
            print("Revoked key \(kid) of kiosk \(kiosk): its responses are rejected from now on.")
            try await storage.close()
        }
    }

    /// `touchpoint collector kiosks`.
    struct Kiosks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List enrolled kiosks: last seen, counts, highest sequence, gaps, reported buffer health.")
        @OptionGroup var options: Options
        @Flag(name: .long, help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            try options.bootstrapLogging()
            let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
            let kiosks = try await storage.kiosks()
            let plan = try await storage.fleetPlan()
            try await storage.close()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(kiosks), as: UTF8.self))
                return
            }
            print(FleetTable.render(kiosks, plan: plan, now: Date()))
        }
    }
}

/// The `collector kiosks` table.
enum FleetTable {
    static func render(_ kiosks: [KioskRecord], plan: FleetPlan, now: Date) -> String {
        guard !kiosks.isEmpty else { return "No kiosks enrolled." }
        func ago(_ date: Date?) -> String {
            guard let date else { return "never" }
            let seconds = Int(now.timeIntervalSince(date))
            switch seconds {
            case ..<60: return "\(max(0, seconds))s ago"
            case ..<3600: return "\(seconds / 60)m ago"
            case ..<86400: return "\(seconds / 3600)h ago"
            default: return "\(seconds / 86400)d ago"
            }
        }
        var table = TextTable(
            header: ["kiosk", "site", "state", "last seen", "responses", "highest", "missing",
                     "buffer (pending / oldest / rejected)", "surveys"],
            rightAligned: [4, 5])
        for kiosk in kiosks {
            let state = kiosk.revokedAt == nil ? "active" : "REVOKED"
            let gaps = kiosk.gaps.isEmpty ? "none"
                : kiosk.gaps.prefix(3).map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
                    .joined(separator: ",") + (kiosk.gaps.count > 3 ? ",…" : "") + " (\(kiosk.missingCount))"
            var buffer = "not reported"
            if let health = kiosk.health {
                let oldest = health.oldestPendingAt.flatMap(Timestamp.date).map { ago($0) } ?? "–"
                buffer = "\(health.pending) / \(oldest) / \(health.rejected) (\(ago(kiosk.healthReportedAt)))"
            }
            table.add([kiosk.id, kiosk.site, state, ago(kiosk.lastSeenAt), "\(kiosk.responseCount)",
                       "\(kiosk.highestSequence)", gaps, buffer, plan.surveySet(of: kiosk)?.summary ?? "not reported"])
        }
        return table.render()
    }
}


