import Foundation
import TouchpointCore
import TouchpointProtocol
import TouchpointSync

/// `touchpoint-bench cache-child DIR`: installs two configurations into the survey cache at DIR, one after the other,
/// forever — the child a test kills at random moments to show that a cache install is all or nothing (issue 13).
/// Prints `ready VERSION1 VERSION2` once the first is installed.
enum CacheChild {
    /// The two documents the child alternates between (the same ones every run, so the test can compare).
    static func documents() throws -> [KioskConfigDocument] {
        try [1, 2].map { version in
            let yaml = """
                id: visit
                version: \(version)
                title: {en: Visit \(version)}
                touchpoint: retail
                stage: shop
                languages: [en]
                questions:
                  - id: recommend
                    type: nps
                    text: {en: Recommend us?}
                """
            let survey = try SurveyParser.parse(yaml: yaml, file: "visit.yaml").get()
            return try KioskConfigDocument(
                site: "cache-test",
                surveys: [.init(id: survey.id, version: version, digest: try SurveyDigest.digest(of: survey), yaml: yaml)],
                settings: KioskSettings(idleTimeout: Double(60 * version))
            ).sealed()
        }
    }

    static func run(_ arguments: [String]) throws {
        guard let path = arguments.first else { throw BenchError("usage: touchpoint-bench cache-child DIR") }
        let cache = SurveyCache(directory: URL(fileURLWithPath: path, isDirectory: true))
        let documents = try documents()
        var next = 0
        try cache.install(documents[next])
        FileHandle.standardOutput.write(Data("ready \(documents.map(\.version).joined(separator: " "))\n".utf8))
        while true {
            next = 1 - next
            try cache.install(documents[next])
            if next == 0 { try cache.prune(keeping: []) }
        }
    }
}
