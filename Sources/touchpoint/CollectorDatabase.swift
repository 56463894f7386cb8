import ArgumentParser
import Foundation
import Logging
import TouchpointCollector
import TouchpointCollectorPostgres
import TouchpointCollectorSQLite

/// Where the collector keeps its data, as `--database` names it: a `postgres://` (or `postgresql://`) URL
/// chooses PostgreSQL, anything else is a SQLite file path.
enum CollectorDatabase: CustomStringConvertible {
    /// One SQLite file on this machine.
    case sqlite(path: String)
    /// A PostgreSQL database several collector processes can share.
    case postgres(url: String)

    /// Reads a `--database` argument.
    init(_ argument: String) {
        let lowered = argument.lowercased()
        self = lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
            ? .postgres(url: argument) : .sqlite(path: argument)
    }

    /// Opens the storage, migrating it to the current schema. With `mustExist`, a SQLite file that is not
    /// there is an error instead of a new, empty database (the read-only commands).
    func open(commentCipher: CommentCipher? = nil, logger: Logger, mustExist: Bool = false) async throws -> any CollectorStorage {
        switch self {
        case .sqlite(let path):
            guard !mustExist || FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("--database: no collector database at \(path)")
            }
            return try SQLiteCollectorStorage(path: path, commentCipher: commentCipher, logger: logger)
        case .postgres(let url):
            return try await PostgresCollectorStorage(url: url, commentCipher: commentCipher, logger: logger)
        }
    }

    /// The database for messages: the path, or the URL without its password.
    var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): (try? PostgresDatabaseURL(url).description) ?? "a postgres:// URL"
        }
    }
}
