import Foundation
import Logging
import TouchpointCore
import TouchpointProtocol

/// The kiosk's side of the collector's configuration (issue 13): asks for it during each sync cycle
/// (`GET /v1/kiosk/config` with the installed version as `If-None-Match`), checks what arrives
/// (``KioskConfigCheck``) and installs it in the ``SurveyCache``. A document that does not check out changes
/// nothing: the last good set stays installed and the problem goes into the next health reports. A collector
/// that is down, refuses, or is too old to serve configurations changes nothing either.
///
/// It only installs; the kiosk switches to an installed set between customers and says so with
/// ``markRunning(_:)``, which is what the health reports carry as ``TouchpointProtocol/BufferHealth/configVersion``.
public final class KioskConfigSync: @unchecked Sendable {
    /// What the configuration is, for `status` and the health reports.
    public struct Status: Sendable, Hashable {
        /// The configuration installed in the cache, if any.
        public var installed: InstalledConfig?
        /// When the collector last answered with a configuration or a 304.
        public var lastChecked: Date?
        /// Why the last document received was not installed; nil once one is.
        public var problem: String?
        /// Why the last request got no configuration (unreachable, refused, an older collector); nil once one does.
        public var lastError: String?
        /// The version whose surveys the kiosk runs (nil: its local surveys only).
        public var running: String?
    }

    /// The cache it installs into.
    public let cache: SurveyCache
    private let kiosk: String
    private let site: String
    private let touchpoint: String?
    private let transport: any UploadTransport
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let keeping: @Sendable () -> Set<SurveyReference>
    private let lock = NSLock()
    private var current: Status

    /// Creates the sync for `kiosk` of `site` (at `touchpoint`, if configured) over `transport`, starting from what
    /// `cache` holds. `keeping` lists the survey versions pending responses refer to (kept in the cache).
    public init(
        cache: SurveyCache, kiosk: String, site: String, touchpoint: String?, transport: any UploadTransport, logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init, keeping: @escaping @Sendable () -> Set<SurveyReference> = { [] }
    ) {
        self.cache = cache
        self.kiosk = kiosk
        self.site = site
        self.touchpoint = touchpoint
        self.transport = transport
        self.logger = logger
        self.now = now
        self.keeping = keeping
        var status = Status()
        if let installed = cache.current() {
            if installed.document.site == site {
                status.installed = installed
            } else {
                status.problem = "the cached configuration is for site \(installed.document.site), not \(site); waiting for this site's"
            }
        }
        current = status
    }

    /// A snapshot of the status.
    public var status: Status {
        lock.withLock { current }
    }

    /// The kiosk now runs the surveys of `version` (nil: its local surveys only).
    public func markRunning(_ version: String?) {
        lock.withLock { current.running = version }
    }

    /// Adds the configuration the kiosk runs, and any problem with the last one received, to `health`.
    public func annotate(_ health: inout BufferHealth) {
        let status = self.status
        health.configVersion = status.running
        health.configProblem = status.problem
    }

    /// Asks the collector once and installs what it sends if it checks out; throws only `CancellationError`.
    public func refresh() async throws {
        let tag = status.installed?.document.entityTag
        let answer = try await transport.fetchConfig(kiosk: kiosk, touchpoint: touchpoint, ifNoneMatch: tag)
        let date = now()
        switch answer {
        case .unchanged:
            lock.withLock {
                current.lastChecked = date
                current.lastError = nil
            }
        case .document(let data):
            receive(data, at: date)
        case .unavailable(let reason), .refused(let reason):
            logger.debug("no configuration from the collector", metadata: ["config.reason": "\(reason)"])
            lock.withLock { current.lastError = reason }
        }
    }

    /// Checks a document the collector sent and installs it if it checks out; otherwise keeps the last good one and
    /// notes the problem. Returns whether it is installed now.
    @discardableResult
    public func receive(_ data: Data, at date: Date) -> Bool {
        do {
            let (document, surveys) = try KioskConfigCheck.check(data, site: site)
            let isNew = document.version != status.installed?.version
            if isNew {
                try cache.install(document)
            }
            // Installed durably, now visible to the kiosk (which switches between customers), then logged.
            lock.withLock {
                current.installed = InstalledConfig(document: document, surveys: surveys)
                current.lastChecked = date
                current.problem = nil
                current.lastError = nil
            }
            if isNew {
                logger.notice(
                    "configuration installed",
                    metadata: ["config.version": "\(document.version)", "config.surveys": "\(surveys.map { "\($0.id) v\($0.version)" })"])
                do {
                    try cache.prune(keeping: keeping())
                } catch {
                    logger.warning("old survey sets not removed", metadata: ["error": "\(error)"])
                }
            }
            return true
        } catch let problem as KioskConfigProblem {
            logger.error("configuration refused; keeping the last good one", metadata: ["config.problem": "\(problem.message)"])
            lock.withLock {
                current.problem = problem.message
                current.lastChecked = date
                current.lastError = nil
            }
        } catch {
            logger.error("configuration not installed; keeping the last good one", metadata: ["error": "\(error)"])
            lock.withLock { current.problem = "cannot install it: \(error)" }
        }
        return false
    }
}
