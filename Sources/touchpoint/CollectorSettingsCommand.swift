import ArgumentParser
import Foundation
import Logging
import TouchpointCollector
import TouchpointCore
import TouchpointStore

extension CollectorCommand {
    /// `touchpoint collector settings set|clear|list`: per-site kiosk settings sent with each kiosk's configuration
    /// (issue 13).
    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "settings",
            abstract: "Per-site kiosk settings (language, idle timeout, …) that kiosks of the site take at their next sync.",
            subcommands: [Put.self, Clear.self, List.self])

        /// The setting names, as in `touchpoint.yaml` and the configuration document.
        static let names = ["language", "idleTimeout", "minimumSeconds", "thankYou", "staffPinHash", "privacyNotice"]

        struct Put: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "set",
                abstract: "Set settings of a site; each one given replaces the site's value, the others stay.",
                discussion: """
                    A site setting replaces the kiosk's own value from touchpoint.yaml; a command-line flag of the kiosk \\
                    still wins. Texts are given per language: --thank-you en="Thank you!" --thank-you sv="Tack!".
                    """)
            @OptionGroup var options: Options
            @Option(name: .long, help: "The site.") var site: String
            @Option(name: .long, help: "The language every session starts in (en, sv).") var language: String?
            @Option(name: .long, help: "Seconds without input before a session is abandoned.") var idleTimeout: Double?
            @Option(name: .long, help: "Unattended responses faster than this many seconds are marked suspect.") var minimumSeconds: Double?
            @Option(name: .long, help: "The thank-you text in one language, as LANG=TEXT (repeat for each language).")
            var thankYou: [String] = []
            @Option(name: .long, help: "The staff PIN's hash, as `touchpoint pin hash` prints it.") var staffPinHash: String?
            @Option(name: .long, help: "The privacy notice in one language, as LANG=TEXT (repeat for each language).")
            var privacyNotice: [String] = []

            func run() async throws {
                try options.bootstrapLogging()
                if let problem = Identifier.problem(site, name: "--site") { throw ValidationError(problem) }
                let given = KioskSettings(
                    language: language?.lowercased(), idleTimeout: idleTimeout, minimumSeconds: minimumSeconds,
                    thankYou: try Self.text(thankYou, option: "--thank-you"), staffPinHash: staffPinHash,
                    privacyNotice: try Self.text(privacyNotice, option: "--privacy-notice"))
                guard !given.isEmpty else {
                    throw ValidationError("give at least one setting (--language, --idle-timeout, --minimum-seconds, --thank-you, --staff-pin-hash, --privacy-notice)")
                }
                if let hash = given.staffPinHash {
                    do {
                        _ = try PINHash(encoded: hash)
                    } catch {
                        throw ValidationError("--staff-pin-hash is not a hash from `touchpoint pin hash`: \(error)")
                    }
                }
                let problems = given.problems()
                guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "; ")) }
                let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
                do {
                    var settings = try await storage.fleetPlan().settings[site] ?? KioskSettings()
                    settings.merge(given)
                    let now = Date()
                    let changed = try await storage.setSiteSettings(settings, site: site, at: now, by: commandLineActor)
                    if changed {
                        try await storage.recordAudit(AuditEvent(
                            at: now, actor: commandLineActor, action: "site-settings-set", target: site))
                    }
                    try await storage.close()
                    print("\(changed ? "set" : "unchanged")  settings of site \(site): \(Settings.summary(settings))")
                } catch {
                    try? await storage.close()
                    throw error
                }
            }

            /// `["en=Thanks", "sv=Tack"]` as a text by language; nil for none.
            static func text(_ values: [String], option: String) throws -> LocalizedText? {
                guard !values.isEmpty else { return nil }
                var translations: [String: String] = [:]
                for value in values {
                    guard let equals = value.firstIndex(of: "="), equals != value.startIndex else {
                        throw ValidationError("\(option) takes LANG=TEXT, such as \(option) en=\"Thank you!\", not '\(value)'")
                    }
                    translations[value[..<equals].lowercased()] = String(value[value.index(after: equals)...])
                }
                return LocalizedText(translations)
            }
        }

        struct Clear: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Remove settings of a site (the named ones, or all): its kiosks use their own values again.")
            @OptionGroup var options: Options
            @Option(name: .long, help: "The site.") var site: String
            @Argument(help: "Settings to remove (\(Settings.names.joined(separator: ", "))); none: all.") var names: [String] = []

            func validate() throws {
                for name in names where !Settings.names.contains(name) {
                    throw ValidationError("unknown setting '\(name)' (known: \(Settings.names.joined(separator: ", ")))")
                }
            }

            func run() async throws {
                try options.bootstrapLogging()
                let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
                do {
                    var settings = try await storage.fleetPlan().settings[site] ?? KioskSettings()
                    if names.isEmpty {
                        settings = KioskSettings()
                    } else {
                        for name in names { settings.clear(name) }
                    }
                    let now = Date()
                    let changed = try await storage.setSiteSettings(settings, site: site, at: now, by: commandLineActor)
                    if changed {
                        try await storage.recordAudit(AuditEvent(
                            at: now, actor: commandLineActor, action: "site-settings-cleared",
                            target: names.isEmpty ? site : "\(site): \(names.joined(separator: ", "))"))
                    }
                    try await storage.close()
                    print("\(changed ? "cleared" : "unchanged")  settings of site \(site): \(Settings.summary(settings))")
                } catch {
                    try? await storage.close()
                    throw error
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List each site's kiosk settings.")
            @OptionGroup var options: Options

            func run() async throws {
                try options.bootstrapLogging()
                let storage = try await options.openStorage(logger: Logger(label: "touchpoint.collector"))
                let settings = try await storage.fleetPlan().settings
                try await storage.close()
                guard !settings.isEmpty else {
                    print("No site settings. Set some with: touchpoint collector settings set --site SITE --language sv …")
                    return
                }
                var rows: [[String]] = []
                for (site, values) in settings.sorted(by: { $0.key < $1.key }) {
                    for (name, value) in values.entries { rows.append([site, name, value]) }
                }
                print(TextTable.render(header: ["site", "setting", "value"], rows: rows))
            }
        }

        /// `language=sv, idleTimeout=90` (the PIN hash only as `set`), or `none`.
        static func summary(_ settings: KioskSettings) -> String {
            let entries = settings.entries.map { "\($0.name)=\($0.value)" }
            return entries.isEmpty ? "none" : entries.joined(separator: ", ")
        }
    }
}

extension KioskSettings {
    /// Replaces each setting `other` gives.
    mutating func merge(_ other: KioskSettings) {
        language = other.language ?? language
        idleTimeout = other.idleTimeout ?? idleTimeout
        minimumSeconds = other.minimumSeconds ?? minimumSeconds
        thankYou = other.thankYou ?? thankYou
        staffPinHash = other.staffPinHash ?? staffPinHash
        privacyNotice = other.privacyNotice ?? privacyNotice
    }

    /// Removes the setting `name` (one of ``CollectorCommand/Settings/names``).
    mutating func clear(_ name: String) {
        switch name {
        case "language": language = nil
        case "idleTimeout": idleTimeout = nil
        case "minimumSeconds": minimumSeconds = nil
        case "thankYou": thankYou = nil
        case "staffPinHash": staffPinHash = nil
        case "privacyNotice": privacyNotice = nil
        default: break
        }
    }

    /// Each setting given, by name, as shown to staff: texts as `en: …; sv: …`, the PIN hash only as `set`.
    var entries: [(name: String, value: String)] {
        func text(_ text: LocalizedText) -> String {
            text.translations.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        }
        var entries: [(name: String, value: String)] = []
        if let language { entries.append(("language", language)) }
        if let idleTimeout { entries.append(("idleTimeout", "\(idleTimeout.formatted())")) }
        if let minimumSeconds { entries.append(("minimumSeconds", "\(minimumSeconds.formatted())")) }
        if let thankYou { entries.append(("thankYou", text(thankYou))) }
        if staffPinHash != nil { entries.append(("staffPinHash", "set")) }
        if let privacyNotice { entries.append(("privacyNotice", text(privacyNotice))) }
        return entries
    }
}
