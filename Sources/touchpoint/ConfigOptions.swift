import ArgumentParser
import Foundation
import Logging
import TouchpointCore
import TouchpointKiosk

/// Flags shared by the commands that use the kiosk configuration; flags win over the config file.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (YAML). Default: ./touchpoint.yaml if it exists.")
    var config: String?

    @Option(name: .long, help: "Site id.") var site: String?
    @Option(name: .customLong("kiosk-id"), help: "Kiosk id.") var kioskID: String?
    @Option(name: .long, help: "Touchpoint recorded with responses (overrides each survey's).") var touchpoint: String?
    @Option(name: .long, help: "Language customers get without choosing (sv, en).") var language: String?
    @Option(name: .long, help: "Seconds of inactivity before a session is abandoned (default 120).") var idleTimeout: Double?
    @Option(name: .long, help: "Unattended responses faster than this are marked suspect (default 5).") var minSeconds: Double?
    @Option(name: .long, help: "Seconds the thank-you stays on screen (default 4).") var thankYouSeconds: Double?
    @Option(name: .long, help: "Surveys directory (default surveys).") var surveys: String?
    @Option(name: .long, help: "Responses directory (default responses).") var responses: String?
    @Option(name: .long, help: "Kiosk private key file (default keys/kiosk.key.jwk).") var key: String?
    @Option(name: .long, help: "Staff command history file (default .touchpoint_history).") var history: String?
    @Option(name: .long, help: "Collector base URL, e.g. http://127.0.0.1:8080 (enables sync).") var collector: String?
    @Option(name: .long, help: "The upload token the collector issued for this kiosk.") var token: String?
    @Option(name: .long, help: "A file holding the upload token (collector enroll --token-file), mode 0600.")
    var tokenFile: String?
    @Option(name: .customLong("collector-ca"), help: "PEM file of the private CA that signed the collector's TLS certificate (default: the system's CAs).")
    var collectorCA: String?
    @Option(name: .long, help: "Start straight in unattended mode on this survey (a kiosk started at boot); needs staffPinHash.")
    var unattended: String?
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "warning"

    /// The configuration file in use: `--config`, or ./touchpoint.yaml if it exists.
    var configFile: String? {
        config ?? (FileManager.default.fileExists(atPath: "touchpoint.yaml") ? "touchpoint.yaml" : nil)
    }

    /// The configuration: defaults, then the config file, then flags.
    func load() throws -> KioskConfiguration {
        var configuration = KioskConfiguration()
        if let path = configFile {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read configuration file \(path): \(error.localizedDescription)")
            }
            do {
                try configuration.apply(yaml: text, file: path)
            } catch let error as ConfigurationError {
                throw ValidationError(error.message)
            }
        }
        if let site { configuration.site = site }
        if let kioskID { configuration.kiosk = kioskID }
        if let touchpoint { configuration.touchpoint = touchpoint }
        if let language {
            let code = language.lowercased()
            guard Phrasebook.languages.contains(code) else {
                throw ValidationError("--language must be one of \(Phrasebook.languages.joined(separator: ", "))")
            }
            configuration.language = code
        }
        if let idleTimeout {
            guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be above 0 seconds") }
            configuration.idleTimeout = idleTimeout
        }
        if let minSeconds { configuration.minimumSeconds = minSeconds }
        if let thankYouSeconds { configuration.thankYouSeconds = thankYouSeconds }
        if let surveys { configuration.surveysDirectory = surveys }
        if let responses { configuration.responsesDirectory = responses }
        if let key { configuration.keyFile = key }
        if let history { configuration.historyFile = history }
        if let collector {
            guard let url = URL(string: collector), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("--collector must be an http(s) URL such as http://127.0.0.1:8080")
            }
            configuration.collector = collector
        }
        if let token { configuration.collectorToken = token }
        if let tokenFile { configuration.collectorTokenFile = tokenFile }
        if let collectorCA { configuration.collectorCA = collectorCA }
        if let unattended { configuration.unattendedSurvey = unattended }
        return configuration
    }

    /// The kiosk settings given as flags (``KioskSettings`` names): a collector's site settings never replace them.
    var flagSettings: Set<String> {
        Set([("language", language != nil), ("idleTimeout", idleTimeout != nil), ("minimumSeconds", minSeconds != nil)]
            .filter(\.1).map(\.0))
    }

    /// Sends logs to standard error at the chosen level.
    func bootstrapLogging() throws {
        try bootstrapStandardErrorLogging(levelName: logLevel)
    }
}
