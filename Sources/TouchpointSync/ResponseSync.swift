import Foundation
import Logging
import ServiceLifecycle
import TouchpointCore
import TouchpointStore
import TouchpointProtocol
import TouchpointJOSE

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Drains a kiosk's `responses/pending/` to a collector, batch by batch, and files each response by the
/// collector's answer: `stored`/`duplicate` to `sent/`, `rejected` to `rejected/` beside a `.reason` file,
/// `deferred` left pending.
///
/// Each batch is labelled with the kiosk id its files carry (the `kiosk` field of every signed payload), not
/// with the configured one: the collector accepts a response only from the kiosk its key is enrolled for, so a
/// configuration slip (a missing `--kiosk-id`) must not turn good responses into rejected ones. A responses
/// directory belongs to one kiosk: a pass that meets files of a second kiosk stops with
/// ``SyncError/Code/mixedKiosks`` before sending the batch that would hold them.
///
/// One pass streams the pending directory (it never lists or reads the whole backlog at once), so the kiosk
/// can keep writing while it runs: a new file is sent by this pass or the next. Up to two batches are at the
/// collector at once (``SyncConfiguration/batchesInFlight``): the next batch is read and sent while the previous
/// one is being answered. A file moves only once the collector's answer for its own batch has been read whole,
/// and batches are filed in the order they were sent. Only one sync runs per responses directory at a time
/// (an `flock` on `responses/sync.lock`).
public struct ResponseSync: Sendable {
    /// The name of the lock file in the responses directory.
    public static let lockFileName = "sync.lock"

    /// The responses directory (holding `pending/`, `sent/`, `rejected/` and `sequence`).
    public let responsesDirectory: URL
    /// Files waiting to be sent.
    public let pendingDirectory: URL
    /// Files the collector has.
    public let sentDirectory: URL
    /// Files the collector refused for good, each beside its `.reason` file.
    public let rejectedDirectory: URL
    /// The configured kiosk id: the label of a health-only batch when nothing is pending (batches of
    /// responses carry the kiosk id of their files).
    public let kiosk: String
    /// Batching, retries and retention.
    public let configuration: SyncConfiguration

    let transport: any UploadTransport
    let logger: Logger
    /// `pendingDirectory`, `sentDirectory` and `rejectedDirectory` as paths, for the calls made per file.
    private let pendingPath: String
    private let sentPath: String
    private let rejectedPath: String
    let now: @Sendable () -> Date
    let sleep: @Sendable (Duration) async throws -> Void
    /// Adds what the kiosk says of its configuration (``BufferHealth/configVersion``, …) to each health report.
    let annotateHealth: @Sendable (inout BufferHealth) -> Void

    /// Creates a sync of `responsesDirectory` for `kiosk` over `transport`.
    ///
    /// `now` stamps `.reason` files; `sleep` waits between retries (tests pass one that only records).
    public init(
        responsesDirectory: URL, kiosk: String, transport: any UploadTransport,
        configuration: SyncConfiguration = SyncConfiguration(), logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        annotateHealth: @escaping @Sendable (inout BufferHealth) -> Void = { _ in }
    ) {
        self.annotateHealth = annotateHealth
        self.responsesDirectory = responsesDirectory
        pendingDirectory = responsesDirectory.appendingPathComponent("pending", isDirectory: true)
        sentDirectory = responsesDirectory.appendingPathComponent("sent", isDirectory: true)
        rejectedDirectory = responsesDirectory.appendingPathComponent("rejected", isDirectory: true)
        pendingPath = pendingDirectory.path
        sentPath = sentDirectory.path
        rejectedPath = rejectedDirectory.path
        self.kiosk = kiosk
        self.transport = transport
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "kiosk.id"] = "\(kiosk)"
        self.logger = logger
        self.now = now
        self.sleep = sleep
    }

    /// The `.reason` file name for a rejected response file: `<id>.json` → `<id>.reason`.
    public static func reasonFileName(for responseFileName: String) -> String {
        let base = responseFileName.hasSuffix(".json") ? String(responseFileName.dropLast(5)) : responseFileName
        return base + ".reason"
    }

    /// Sends everything pending in one pass and returns what happened.
    ///
    /// Retryable failures are retried with ``SyncConfiguration/backoff`` up to ``SyncConfiguration/maxAttempts``
    /// times per batch. Throws ``SyncError`` with code `.busy` (another sync holds the lock), `.unauthorized`
    /// (stops at once, nothing moved for that batch), `.unreachable` (attempts used up), `.invalidConfiguration`
    /// (a responses directory that group or others can write to), `.refused` or `.io`;
    /// batches answered before the error keep their moves. When nothing was pending it still sends an empty
    /// batch, if the collector answers its probe, so that the collector hears the buffer health.
    /// Up to ``SyncConfiguration/batchesInFlight`` batches are at the collector at once, each filed by its own
    /// answer in the order they were sent. The counter file (`responses/sequence`) is read once per pass.
    /// A graceful shutdown ends the pass after the batches in flight.
    public func syncOnce(progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncSummary {
        let started = ContinuousClock.now
        try prepareDirectories()
        let lock = try DirectoryLock(
            file: responsesDirectory.appendingPathComponent(Self.lockFileName), directory: responsesDirectory)
        defer { lock.release() }

        var pass = Pass(
            estimate: try PendingEstimate.scan(pending: pendingDirectory, rejected: rejectedDirectory),
            backoff: configuration.backoff, lastSequence: lastSequence())
        pass.total = pass.estimate.pending
        progress(pass.progress)
        logger.debug("sync pass starting", metadata: ["sync.pending": "\(pass.estimate.pending)"])

        // Oldest first: the collector stores (and its comment feed posts) a kiosk's responses in the order they were
        // completed.
        let stream = try DirectoryStream(pendingDirectory, sorted: true)
        defer { stream.close() }
        try await upload(from: stream, pass: &pass, progress: progress)

        if !Task.isShuttingDownGracefully {
            if pass.summary.batches == 0 {
                try await reportHealthOnly(pass: &pass)
            } else if pass.reportedHealth?.pending != pass.estimate.pending {
                // The last batch reported itself as pending; tell the collector what is left now.
                try await reportHealthOnly(pass: &pass, counted: false)
            }
        }
        pass.summary.duration = ContinuousClock.now - started
        logger.info("sync pass finished: \(pass.summary)")
        return pass.summary
    }

    /// Removes files in `sent/` whose id (UUIDv7) is older than `days` days before `now`; returns how many.
    ///
    /// `rejected/` is not touched (see ``pruneRejected(olderThan:now:)``). Files whose name is not a UUIDv7 are kept.
    /// Before the first removal the kiosk's sequence counter is made durable
    /// (``SequenceCounter/makeDurable(file:bootID:)``): the kiosk writes it without fsync and, after a machine crash,
    /// recovers it from the stored files, so a file may go only once a number at least as high as its own is on disk.
    /// Throws (removing nothing) if the counter cannot be.
    @discardableResult
    public func pruneSent(olderThan days: Int, now: Date) throws -> Int {
        try prune(sentDirectory, olderThan: days, now: now, rejected: false)
    }

    /// Removes files in `rejected/` older than `days` days (at most ``SyncConfiguration/maximumRejectedDays``) before
    /// `now`, by the time in their id or, for a name that is not a UUIDv7, the file's modification time; returns how
    /// many. The counter is made durable first, as for ``pruneSent(olderThan:now:)``.
    @discardableResult
    public func pruneRejected(olderThan days: Int, now: Date) throws -> Int {
        try prune(rejectedDirectory, olderThan: min(days, SyncConfiguration.maximumRejectedDays), now: now, rejected: true)
    }

    /// Prunes `sent/` and `rejected/` by the configuration's settings.
    public func pruneKept(now: Date) throws {
        try pruneSent(olderThan: configuration.sentRetentionDays, now: now)
        try pruneRejected(olderThan: configuration.rejectedRetentionDays, now: now)
    }

    private func prune(_ directory: URL, olderThan days: Int, now: Date, rejected: Bool) throws -> Int {
        guard FileManager.default.fileExists(atPath: directory.path) else { return 0 }
        let cutoff = now.addingTimeInterval(-Double(max(days, 0)) * 86_400)
        let stream = try DirectoryStream(directory)
        defer { stream.close() }
        var removed = 0
        var counterIsDurable = false
        while let name = try stream.nextResponseName() {
            let path = directory.appendingPathComponent(name).path
            var date = UUIDv7.date(of: String(name.dropLast(5)))
            if date == nil, rejected {
                var status = stat()
                if stat(path, &status) == 0 {
                    date = Date(timeIntervalSince1970: TimeInterval(status.st_mtim.tv_sec))
                }
            }
            guard let date, date < cutoff else { continue }
            if !counterIsDurable {
                do {
                    try SequenceCounter.makeDurable(file: responsesDirectory.appendingPathComponent("sequence"))
                } catch let error as StoreError {
                    throw SyncError(.io, "not pruning \(directory.path)", cause: error)
                }
                counterIsDurable = true
            }
            guard unlink(path) == 0 || errno == ENOENT else {
                throw SyncError.system("unlink", path)
            }
            if rejected {
                // A rejected file's reason goes with it.
                let reason = directory.appendingPathComponent(Self.reasonFileName(for: name)).path
                guard unlink(reason) == 0 || errno == ENOENT else {
                    throw SyncError.system("unlink", reason)
                }
            }
            removed += 1
        }
        if removed > 0 {
            do {
                try DurableFile.fsyncDirectory(directory)
            } catch {
                throw SyncError(.io, "cannot flush \(directory.path)", cause: DescribedError(description: "\(error)"))
            }
            logger.info("pruned kept responses", metadata: [
                "sync.directory": "\(directory.lastPathComponent)", "sync.pruned": "\(removed)", "sync.days": "\(days)",
            ])
        }
        return removed
    }

    /// Whether `pending/` holds at least one response file (stops at the first one found).
    public func hasPending() throws -> Bool {
        guard FileManager.default.fileExists(atPath: pendingDirectory.path) else { return false }
        let stream = try DirectoryStream(pendingDirectory)
        defer { stream.close() }
        return try stream.nextResponseName() != nil
    }

    /// The buffer health now, counted by streaming `pending/` and `rejected/`.
    public func health() throws -> BufferHealth {
        annotated(try PendingEstimate.scan(pending: pendingDirectory, rejected: rejectedDirectory)
            .health(lastSequence: lastSequence()))
    }

    /// `health` with what the kiosk says of its configuration.
    func annotated(_ health: BufferHealth) -> BufferHealth {
        var health = health
        annotateHealth(&health)
        return health
    }

    // MARK: - One pass

    /// The state of one pass.
    struct Pass {
        var estimate: PendingEstimate
        var backoff: Backoff
        /// The kiosk's last sequence number, read once at the start of the pass.
        let lastSequence: UInt64?
        var summary = SyncSummary()
        var deferred: Set<String> = []
        var handled = 0
        var total = 0
        /// The health sent with the last answered batch.
        var reportedHealth: BufferHealth?
        /// The kiosk id of the files, learnt from the first one read: every batch's label.
        var label: String?
        /// Reads the kiosk id out of each payload.
        let decoder = JSONDecoder()

        var progress: SyncProgress {
            SyncProgress(handled: handled, total: max(total, handled), batches: summary.batches, bytes: summary.bytes)
        }
    }

    /// One response file of a batch.
    struct BatchItem {
        var name: String
        var envelope: FlattenedJWS
        var size: Int
        /// The kiosk id in the signed payload (not verified here; the collector checks it against the key).
        var kiosk: String
    }

    /// Learns the pass's label from the first file, and stops at a file of another kiosk.
    private func label(_ item: BatchItem, pass: inout Pass) throws {
        guard let label = pass.label else {
            pass.label = item.kiosk
            if item.kiosk != kiosk {
                logger.warning(
                    "the pending files are from another kiosk than configured; labelling batches with theirs",
                    metadata: ["sync.files_kiosk": "\(item.kiosk)"])
            }
            return
        }
        guard item.kiosk == label else {
            throw SyncError(
                .mixedKiosks,
                "\(pendingDirectory.path) holds responses of kiosk \(label) and of kiosk \(item.kiosk) "
                    + "(\(item.name)); a responses directory belongs to one kiosk: move the other kiosk's files to "
                    + "its own responses directory and sync them from there. Nothing more was sent")
        }
    }

    /// Creates `pending/`, `sent/` and `rejected/` if missing; the responses directory itself must exist.
    /// None of them may be writable by group or others (``DirectoryPermissions``), as for the kiosk's store.
    private func prepareDirectories() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: responsesDirectory.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw SyncError(.io, "there is no responses directory at \(responsesDirectory.path)")
        }
        for directory in [responsesDirectory, pendingDirectory, sentDirectory, rejectedDirectory] {
            do {
                try DirectoryPermissions.prepare(directory, mode: FileResponseStore.directoryMode, holding: "responses")
            } catch let error as StoreError where error.code == .insecurePermissions {
                throw SyncError(.invalidConfiguration, error.message)
            } catch {
                throw SyncError(.io, "cannot create \(directory.path)", cause: DescribedError(description: "\(error)"))
            }
        }
    }

    /// Reads pending file `name`; nil if it vanished or was unreadable as a response (then it is moved to
    /// `rejected/` with a reason, so it neither blocks nor repeats).
    private func read(_ name: String, from stream: DirectoryStream, pass: inout Pass) throws -> BatchItem? {
        guard let data = try stream.read(name) else { return nil }
        do {
            let envelope = try FlattenedJWS.parse(data)
            let kiosk = try KioskField.read(envelope.unverifiedPayload(), decoder: pass.decoder)
            return BatchItem(name: name, envelope: envelope, size: data.count, kiosk: kiosk)
        } catch {
            let reason = "not a response file (\(error)); kept here by the kiosk, never sent"
            logger.error(
                "pending file is not a flattened JWS with a kiosk id in its payload; moving it to rejected/",
                metadata: ["response.file": "\(name)"])
            try reject(name, reason: reason, by: "the kiosk")
            try flush([pendingDirectory, rejectedDirectory])
            pass.estimate.remove(name, toRejected: true)
            pass.summary.rejected += 1
            pass.summary.lastError = "\(name): not a response file"
            pass.handled += 1
            return nil
        }
    }

    /// Items to upload, and how many attempts at uploading them have failed.
    struct Job {
        var items: ArraySlice<BatchItem>
        var failures = 0
    }

    /// A batch sent and not yet handled: the child task uploading it answers with its `id`.
    struct Flight {
        var id: Int
        var job: Job
        var batch: UploadBatch
    }

    /// Reads batches from `stream` and uploads them, up to ``SyncConfiguration/batchesInFlight`` at once, filing
    /// each batch by its own answer in the order they were sent.
    ///
    /// The first batch goes alone, and after a failed attempt one batch at a time again, until a batch is
    /// answered: a collector that refuses the token or is down gets one batch, not two. When something stops the
    /// pass (a refusal, attempts used up, a local error, a graceful shutdown while waiting to retry), nothing more
    /// is sent; the batch still in flight is waited for and filed if its answer came back whole, otherwise it
    /// stays pending, and the first error is thrown.
    private func upload(
        from stream: DirectoryStream, pass: inout Pass, progress: @Sendable (SyncProgress) -> Void
    ) async throws {
        let transport = self.transport
        let widest = max(configuration.batchesInFlight, 1)
        var stopped: (any Error)?
        try await withThrowingTaskGroup(of: (Int, UploadOutcome).self) { group in
            var flights: [Flight] = []
            var early: [Int: UploadOutcome] = [:]
            var queue: [Job] = []
            var carried: BatchItem?
            var window = 1
            var sent = 0
            var drained = false
            while true {
                while stopped == nil, flights.count < window {
                    let job: Job
                    do {
                        if !queue.isEmpty {
                            job = queue.removeFirst()
                        } else {
                            try Task.checkCancellation()
                            guard !drained, !Task.isShuttingDownGracefully,
                                let items = try nextBatch(from: stream, carried: &carried, pass: &pass)
                            else {
                                drained = true
                                break
                            }
                            job = Job(items: items[...])
                        }
                        if pass.estimate.needsRescan {
                            pass.estimate = try PendingEstimate.scan(pending: pendingDirectory, rejected: rejectedDirectory)
                        }
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        stopped = error
                        break
                    }
                    // The batch's own files count as pending in the health it carries.
                    let batch = UploadBatch(
                        kiosk: pass.label ?? kiosk,
                        health: annotated(pass.estimate.health(lastSequence: pass.lastSequence, including: job.items.map(\.name))),
                        responses: job.items.map(\.envelope))
                    sent += 1
                    let id = sent
                    group.addTask { (id, try await transport.upload(batch)) }
                    flights.append(Flight(id: id, job: job, batch: batch))
                }
                guard !flights.isEmpty else { break }
                let flight = flights.removeFirst()
                var outcome = early.removeValue(forKey: flight.id)
                while outcome == nil, case let (id, answer)? = try await group.next() {
                    if id == flight.id {
                        outcome = answer
                    } else {
                        early[id] = answer
                    }
                }
                guard let outcome else { break }
                if stopped != nil {
                    // Stopping: a whole answer is still filed; anything else leaves the files pending.
                    if case .answered(let result) = outcome, result.answers(flight.batch) {
                        do {
                            try file(Array(flight.job.items), answered: result, pass: &pass)
                        } catch {
                            logger.error("cannot file a batch answered while stopping", metadata: ["sync.error": "\(error)"])
                        }
                    }
                    continue
                }
                let handledBefore = pass.handled
                var answered = false
                do {
                    answered = try await handle(outcome, of: flight, queue: &queue, pass: &pass) == .answered
                    window = answered ? widest : 1
                } catch {
                    stopped = error
                }
                if stopped == nil, answered || pass.handled != handledBefore {
                    // Deferred files are handled but still pending.
                    pass.total = max(pass.total, pass.handled + max(0, pass.estimate.pending - pass.deferred.count))
                    progress(pass.progress)
                }
            }
        }
        if let stopped {
            throw stopped
        }
    }

    /// The next batch from `stream` (starting with the item `carried` over from the last one), or nil when
    /// nothing more is pending. Throws ``SyncError/Code/mixedKiosks`` before a batch holding another kiosk's file
    /// is complete, so none of it is sent.
    private func nextBatch(
        from stream: DirectoryStream, carried: inout BatchItem?, pass: inout Pass
    ) throws -> [BatchItem]? {
        var items: [BatchItem] = []
        var bytes = 0
        if let item = carried {
            items.append(item)
            bytes = item.size
        }
        carried = nil
        while items.count < max(configuration.batchCount, 1), let name = try stream.nextResponseName() {
            guard !pass.deferred.contains(name), let item = try read(name, from: stream, pass: &pass) else { continue }
            try label(item, pass: &pass)
            if !items.isEmpty && bytes + item.size > configuration.batchBytes {
                carried = item
                break
            }
            items.append(item)
            bytes += item.size
        }
        guard !items.isEmpty else { return nil }
        try flushCounter()
        return items
    }

    /// Makes the kiosk's sequence counter durable before a batch leaves: the kiosk overwrites it without fsync
    /// and recovers it after a machine crash from the response files, so a file the collector has must not
    /// carry a number the recovered counter could hand out again (the file's own directory entry may not be
    /// on disk yet if the power fails now). A counter left open in an earlier boot is left to the kiosk's
    /// recovery, which counts these files too.
    private func flushCounter() throws {
        do {
            try SequenceCounter.makeDurable(file: responsesDirectory.appendingPathComponent("sequence"))
        } catch let error as StoreError where error.code == .unrecoveredCounter {
            logger.debug("sequence counter not recovered since the machine restarted; the kiosk will recover it")
        } catch {
            throw SyncError(.io, "cannot flush the sequence counter", cause: DescribedError(description: "\(error)"))
        }
    }

    /// What became of a flight once handled.
    enum Handled {
        /// Answered whole and filed.
        case answered
        /// Sent again later (queued): a retry, or halves after a 413.
        case again
    }

    /// Handles the outcome of one upload: files an answered batch, queues halves after a 413 (a lone file too
    /// large goes to `rejected/`), queues a retry after the backoff delay; throws when the pass must stop.
    private func handle(
        _ outcome: UploadOutcome, of flight: Flight, queue: inout [Job], pass: inout Pass
    ) async throws -> Handled {
        let job = flight.job
        let reason: String
        let retryAfter: Duration?
        switch outcome {
        case .answered(let result) where result.answers(flight.batch):
            pass.reportedHealth = flight.batch.health
            try file(Array(job.items), answered: result, pass: &pass)
            return .answered
        case .answered(let result):
            reason = "the collector's answer has \(result.results.count) result(s) for "
                + "\(flight.batch.responses.count) item(s)"
            retryAfter = nil
        case .retry(let why, let after):
            reason = why
            retryAfter = after
        case .tooLarge where job.items.count > 1:
            // Send the two halves, first half first.
            let middle = job.items.startIndex + job.items.count / 2
            queue.insert(contentsOf: [Job(items: job.items[..<middle]), Job(items: job.items[middle...])], at: 0)
            logger.notice("collector says the batch is too large; halving", metadata: ["sync.items": "\(job.items.count)"])
            return .again
        case .tooLarge:
            if let item = job.items.first {
                let reason = "the collector refused it as too large (HTTP 413) even alone (\(item.size) bytes)"
                logger.error("response too large for the collector; moving it to rejected/",
                             metadata: ["response.id": "\(item.name.dropLast(5))"])
                try reject(item.name, reason: reason, by: "the kiosk")
                try flush([pendingDirectory, rejectedDirectory])
                pass.estimate.remove(item.name, toRejected: true)
                pass.summary.rejected += 1
                pass.summary.lastError = "\(item.name): too large for the collector"
                pass.handled += 1
            }
            return .again
        case .unauthorized(let message):
            logger.error("the collector refused our token; stopping")
            throw SyncError.unauthorized(message)
        case .refused(let status, let message):
            logger.error("the collector refused the batch", metadata: ["sync.status": "\(status)"])
            throw SyncError.refused(status: status, message: message)
        case .untrusted(let message):
            logger.error("the collector's certificate does not verify; stopping")
            throw SyncError.untrusted(message)
        }
        pass.summary.lastError = reason
        let failures = job.failures + 1
        guard failures < max(configuration.maxAttempts, 1) else {
            throw SyncError.unreachable(reason, attempts: failures)
        }
        let delay = pass.backoff.delay(forAttempt: failures, retryAfter: retryAfter)
        pass.summary.retries += 1
        logger.notice(
            "upload failed; retrying",
            metadata: ["sync.reason": "\(reason)", "sync.attempt": "\(failures)", "sync.delay": "\(delay)"])
        queue.insert(Job(items: job.items, failures: failures), at: 0)
        let sleep = self.sleep
        try await cancelWhenGracefulShutdown { try await sleep(delay) }
        return .again
    }

    /// Files every item of an answered batch, then flushes each touched directory once.
    private func file(_ items: [BatchItem], answered result: UploadResult, pass: inout Pass) throws {
        var firstError: (any Error)?
        var touched: [URL] = []
        for (item, itemResult) in zip(items, result.results) {
            let responseID = String(item.name.dropLast(5))
            if let answeredID = itemResult.id, answeredID != responseID {
                logger.warning(
                    "collector answered with another id than the file name",
                    metadata: ["response.id": "\(responseID)", "sync.answered_id": "\(answeredID)"])
            }
            do {
                switch itemResult.status {
                case .stored, .duplicate:
                    try move(item.name, into: sentPath)
                    touched.append(sentDirectory)
                    pass.estimate.remove(item.name, toRejected: false)
                    if itemResult.status == .stored {
                        pass.summary.stored += 1
                    } else {
                        pass.summary.duplicate += 1
                    }
                case .rejected:
                    let reason = itemResult.reason ?? "no reason given"
                    logger.warning(
                        "collector rejected a response", metadata: ["response.id": "\(responseID)", "sync.reason": "\(reason)"])
                    try reject(item.name, reason: reason, by: "the collector")
                    touched.append(rejectedDirectory)
                    pass.estimate.remove(item.name, toRejected: true)
                    pass.summary.rejected += 1
                case .deferred:
                    logger.info(
                        "collector deferred a response",
                        metadata: ["response.id": "\(responseID)", "sync.reason": "\(itemResult.reason ?? "")"])
                    pass.deferred.insert(item.name)
                    pass.summary.deferred += 1
                }
                pass.handled += 1
            } catch {
                logger.error("cannot file a response", metadata: ["response.id": "\(responseID)", "sync.error": "\(error)"])
                firstError = firstError ?? error
            }
        }
        pass.summary.batches += 1
        pass.summary.bytes += items.reduce(0) { $0 + $1.size }
        if !touched.isEmpty {
            touched.append(pendingDirectory)
        }
        try flush(touched)
        if let firstError {
            throw firstError
        }
    }

    /// Renames `pending/<name>` into the directory at `directoryPath` (no fsync: see ``flush(_:)``); a file
    /// already gone is fine.
    private func move(_ name: String, into directoryPath: String) throws {
        let source = pendingPath + "/" + name
        let destination = directoryPath + "/" + name
        guard rename(source, destination) == 0 else {
            if errno == ENOENT { return }
            throw SyncError.system("rename to \(destination)", source)
        }
    }

    /// Writes `rejected/<id>.reason` durably, then moves `pending/<name>` beside it.
    private func reject(_ name: String, reason: String, by whom: String) throws {
        let text = "rejected by \(whom) at \(Timestamp.string(now())): \(reason)\n"
        let reasonFile = rejectedDirectory.appendingPathComponent(Self.reasonFileName(for: name))
        do {
            try DurableFile.write(Data(text.utf8), to: reasonFile)
        } catch {
            throw SyncError(.io, "cannot write \(reasonFile.path)", cause: DescribedError(description: "\(error)"))
        }
        try move(name, into: rejectedPath)
    }

    /// fsyncs each distinct directory once.
    private func flush(_ directories: [URL]) throws {
        var done: Set<String> = []
        for directory in directories where done.insert(directory.path).inserted {
            do {
                try DurableFile.fsyncDirectory(directory)
            } catch {
                throw SyncError(.io, "cannot flush \(directory.path)", cause: DescribedError(description: "\(error)"))
            }
        }
    }

    /// Sends one empty batch so the collector hears the buffer health, if it answers its probe;
    /// `counted` says whether it counts as a batch in the summary.
    private func reportHealthOnly(pass: inout Pass, counted: Bool = true) async throws {
        guard await transport.probe() else {
            logger.debug("nothing pending and the collector is not reachable; no health report")
            return
        }
        let batch = UploadBatch(
            kiosk: pass.label ?? kiosk, health: annotated(pass.estimate.health(lastSequence: pass.lastSequence)), responses: [])
        switch try await transport.upload(batch) {
        case .answered:
            if counted {
                pass.summary.batches += 1
            }
        case .unauthorized(let message):
            throw SyncError.unauthorized(message)
        case .refused(let status, let message):
            throw SyncError.refused(status: status, message: message)
        case .untrusted(let message):
            throw SyncError.untrusted(message)
        case .retry(let reason, _):
            pass.summary.lastError = reason
        case .tooLarge:
            pass.summary.lastError = "the collector refused an empty batch as too large"
        }
    }

    /// The kiosk's last sequence number from `responses/sequence`, if it is there and readable.
    private func lastSequence() -> UInt64? {
        let file = responsesDirectory.appendingPathComponent("sequence")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try? SequenceCounter(file: file).last
    }
}
