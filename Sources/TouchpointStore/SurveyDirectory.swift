import Foundation
import TouchpointCore

/// Reads a surveys directory (`*.yaml`, `*.yml`) into a validated ``SurveyCatalog``.
public enum SurveyDirectory {
    /// Parses every survey file in `directory`; an unreadable directory or file is reported as a problem.
    public static func load(_ directory: URL) -> SurveyCatalog {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            return SurveyCatalog(files: [], unreadable: [(directory.path, "cannot read the surveys directory: \(error.localizedDescription)")])
        }
        let files = names
            .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }
            .map { directory.appendingPathComponent($0) }
        return load(files: files)
    }

    /// Parses the given survey files together (duplicate ids across them are problems).
    public static func load(files: [URL]) -> SurveyCatalog {
        var contents: [(path: String, contents: String)] = []
        var unreadable: [(String, String)] = []
        for file in files {
            do {
                contents.append((file.relativePath, try String(contentsOf: file, encoding: .utf8)))
            } catch {
                unreadable.append((file.relativePath, "cannot read the file (is it UTF-8?)"))
            }
        }
        return SurveyCatalog(files: contents, unreadable: unreadable)
    }
}
