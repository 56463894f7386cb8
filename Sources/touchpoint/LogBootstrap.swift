import ArgumentParser
import Logging

/// Sends every library's logs to standard error at `levelName` (a `--log-level` value); the one place
/// the executable bootstraps swift-log.
func bootstrapStandardErrorLogging(levelName: String) throws {
    guard let level = Logger.Level(rawValue: levelName) else {
        throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
