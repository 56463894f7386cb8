import Foundation
import TouchpointCore
import TouchpointProtocol
import TouchpointStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kiosk's cache of the configuration its collector sent (issue 13): `survey-cache/` (mode 0700) holding
/// each checked document whole as `sets/<version>.json`, and `current`, naming the one installed.
///
/// Every file is written durably and atomically (``TouchpointStore/DurableFile``: a temporary file, fsync,
/// rename, fsync of the directory), the set before the pointer. So a set appears whole or not at all, and a
/// kiosk killed at any moment starts with the old set or the new one, never a mix. Each set is checked again
/// when read (its version is the digest of its content, each survey's digest that of its definition); one
/// that does not check out is passed over for the newest that does.
public struct SurveyCache: Sendable {
    /// The cache directory.
    public let directory: URL
    /// Where the sets are.
    public var setsDirectory: URL { directory.appendingPathComponent("sets", isDirectory: true) }
    /// The pointer to the installed set.
    public var currentFile: URL { directory.appendingPathComponent("current") }

    /// The cache at `directory`; nothing is created until ``install(_:)``.
    public init(directory: URL) {
        self.directory = directory
    }

    /// The installed configuration, checked; nil when none was ever installed (or none checks out). Leftover
    /// temporary files of an install that was cut off are removed.
    public func current() -> InstalledConfig? {
        guard FileManager.default.fileExists(atPath: setsDirectory.path) else { return nil }
        _ = try? DurableFile.removeTemporaryFiles(in: setsDirectory)
        _ = try? DurableFile.removeTemporaryFiles(in: directory)
        if let name = try? String(contentsOf: currentFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            !name.isEmpty, !name.contains("/"),
            let installed = try? read(setsDirectory.appendingPathComponent(name))
        {
            return installed
        }
        // The pointer is missing or names a set that does not check out: the newest set that does.
        let candidates = ((try? FileManager.default.contentsOfDirectory(
            at: setsDirectory, includingPropertiesForKeys: [.contentModificationDateKey])) ?? [])
            .filter { $0.pathExtension == "json" }
            .sorted { Self.modified($0) > Self.modified($1) }
        return candidates.lazy.compactMap { try? read($0) }.first
    }

    /// Installs `document` (already checked with ``KioskConfigCheck``): writes its set, then points `current` at it.
    public func install(_ document: KioskConfigDocument) throws {
        try DirectoryPermissions.prepare(directory, mode: 0o700, holding: "the survey cache")
        try DirectoryPermissions.prepare(setsDirectory, mode: 0o700, holding: "the survey cache")
        let name = Self.fileName(document.version)
        let set = setsDirectory.appendingPathComponent(name)
        if (try? read(set))?.document != document {
            try DurableFile.write(try UploadProtocol.encode(document), to: set, mode: 0o600)
        }
        try DurableFile.write(Data((name + "\n").utf8), to: currentFile, mode: 0o600)
    }

    /// Removes every set but the installed one, except sets holding a survey version in `keeping` (`id`, version,
    /// digest: what pending responses refer to). Returns how many were removed.
    @discardableResult
    public func prune(keeping: Set<SurveyReference>) throws -> Int {
        guard let current = current() else { return 0 }
        let keep = Self.fileName(current.document.version)
        var removed = 0
        for file in (try? FileManager.default.contentsOfDirectory(at: setsDirectory, includingPropertiesForKeys: nil)) ?? []
        where file.lastPathComponent != keep && file.pathExtension == "json" {
            if let set = try? read(file),
                set.document.surveys.contains(where: { keeping.contains(SurveyReference(id: $0.id, version: $0.version, digest: $0.digest)) })
            {
                continue
            }
            guard unlink(file.path) == 0 || errno == ENOENT else {
                throw StoreError(.io, "cannot remove \(file.path): \(String(cString: strerror(errno)))")
            }
            removed += 1
        }
        if removed > 0 { try DurableFile.fsyncDirectory(setsDirectory) }
        return removed
    }

    /// The set file name of a document version: its hex digits (`sha256:` dropped) and `.json`.
    static func fileName(_ version: String) -> String {
        String(version.drop { $0 != ":" }.dropFirst()).filter(\.isHexDigit) + ".json"
    }

    private static func modified(_ url: URL) -> Date {
        (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
    }

    /// The set in `file`, checked again as when it arrived.
    private func read(_ file: URL) throws -> InstalledConfig {
        let data = try Data(contentsOf: file)
        let (document, surveys) = try KioskConfigCheck.check(data, site: nil)
        guard Self.fileName(document.version) == file.lastPathComponent else {
            throw KioskConfigProblem("\(file.lastPathComponent) holds version \(document.version)")
        }
        return InstalledConfig(document: document, surveys: surveys)
    }
}

/// A configuration as installed: the document and its surveys, parsed.
public struct InstalledConfig: Sendable, Hashable {
    /// The document, as the collector sent it.
    public var document: KioskConfigDocument
    /// Its surveys, parsed and checked against their digests, in the document's order.
    public var surveys: [Survey]

    /// The version (``TouchpointProtocol/KioskConfigDocument/version``).
    public var version: String { document.version }
}

/// Why a configuration document cannot be used.
public struct KioskConfigProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the field or survey.
    public var message: String

    /// Creates a problem.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The checks a kiosk makes of a configuration document before it installs it (and again when it reads its cache).
public enum KioskConfigCheck {
    /// The document in `data` and its surveys, parsed, when everything checks out: it decodes, its format is
    /// this build's, its version is the digest of its content, it is for `site` (when given), each survey's YAML
    /// validates as a local survey file would and has the id, version and digest the entry says, and the
    /// settings are ones the kiosk accepts. Otherwise a ``KioskConfigProblem`` that says what is wrong.
    public static func check(_ data: Data, site: String?) throws(KioskConfigProblem) -> (KioskConfigDocument, [Survey]) {
        // The format first: a newer collector's document is named as such even if this build cannot decode the rest.
        struct Format: Decodable { var format: Int }
        if let format = (try? JSONDecoder().decode(Format.self, from: data))?.format, format != KioskConfigDocument.currentFormat {
            throw KioskConfigProblem(
                "format \(format) is not the one this kiosk reads (\(KioskConfigDocument.currentFormat)); upgrade the kiosk")
        }
        let document: KioskConfigDocument
        do {
            document = try JSONDecoder().decode(KioskConfigDocument.self, from: data)
        } catch {
            throw KioskConfigProblem("not a configuration document: \(error)")
        }
        guard document.isSealed else {
            throw KioskConfigProblem("its version \(document.version) is not the digest of its content (changed on the way?)")
        }
        if let site, document.site != site {
            throw KioskConfigProblem("it is for site \(document.site), but this kiosk is configured for site \(site)")
        }
        let ids = document.surveys.map(\.id)
        if let repeated = ids.first(where: { id in ids.filter { $0 == id }.count > 1 }) {
            throw KioskConfigProblem("survey \(repeated) is in it twice")
        }
        var surveys: [Survey] = []
        for entry in document.surveys {
            let label = "\(entry.id) v\(entry.version) from the collector"
            switch SurveyParser.parse(yaml: entry.yaml, file: label) {
            case .failure(let error):
                throw KioskConfigProblem("survey \(label) does not validate: \(error.problems.map(\.description).joined(separator: "; "))")
            case .success(let survey):
                guard survey.id == entry.id, survey.version == entry.version else {
                    throw KioskConfigProblem("survey \(label) defines \(survey.id) v\(survey.version)")
                }
                let digest = try? SurveyDigest.digest(of: survey)
                guard digest == entry.digest else {
                    throw KioskConfigProblem("survey \(label) has digest \(digest ?? "?"), not \(entry.digest)")
                }
                surveys.append(survey)
            }
        }
        if let settings = document.settings {
            var problems = settings.problems()
            if let hash = settings.staffPinHash, (try? PINHash(encoded: hash)) == nil {
                problems.append("staffPinHash: not a hash from `touchpoint pin hash`")
            }
            guard problems.isEmpty else {
                throw KioskConfigProblem("settings: \(problems.joined(separator: "; "))")
            }
        }
        return (document, surveys)
    }
}
