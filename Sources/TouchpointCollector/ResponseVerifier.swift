import Crypto
import Foundation
import TouchpointCore
import TouchpointProtocol
import TouchpointJOSE

/// Checks the items of a batch before anything is stored: key, signature, payload, survey, answers.
///
/// The collector stores exactly what was signed, and only what can be true: the payload must be strict
/// JSON with only the fields of a response (``StrictJSON``, ``payloadFields``), name the kiosk's enrolled
/// site, be completed no later than the collector's clock plus ``clockSkew`` and not before it started,
/// carry the digest of the survey version the collector knows, and answer it as ``ResponseValidator``
/// checks. Pure apart from the CPU: the enrolled keys and the time come in as parameters, so it is
/// testable without a database or a clock. Signature checks are the collector's bottleneck, so a batch
/// is verified in chunks on every core.
public struct ResponseVerifier: Sendable {
    /// The surveys answers are checked against.
    public let surveys: CollectorSurveys

    /// How far a response's `completedAt` may be ahead of the collector's clock (5 minutes): kiosk clocks drift.
    public static let clockSkew: TimeInterval = 5 * 60

    /// The fields a response payload may have, by path: those of `SurveyResponse`'s JSON form (the README's
    /// "Response files"); any other field is refused.
    public static let payloadFields: StrictJSON.Fields = { path in
        switch path {
        case []:
            PayloadFieldSets.response
        case [.key("survey")]:
            PayloadFieldSets.survey
        case let path where path.count == 2 && path[0] == .key("answers"):
            PayloadFieldSets.answer
        default:
            nil
        }
    }

    /// The sets ``payloadFields`` returns, built once rather than for every object of every payload.
    private enum PayloadFieldSets {
        static let response: Set<String> = [
            "id", "sequence", "survey", "site", "kiosk", "touchpoint", "stage", "language", "startedAt", "completedAt",
            "answers", "status", "suspect", "mode", "account", "appVersion",
        ]
        static let survey: Set<String> = ["id", "version", "digest"]
        static let answer: Set<String> = ["question", "type", "value"]
    }

    /// The outcome for one item.
    public enum Outcome: Sendable, Hashable {
        /// Everything checked out: store it.
        case verified(VerifiedItem)
        /// Not stored: `rejected` or `deferred`, with the reason.
        case refused(ItemResult)

        /// The item's position in the batch.
        public var index: Int {
            switch self {
            case .verified(let item): item.index
            case .refused(let result): result.index
            }
        }
    }

    /// Creates a verifier over `surveys`.
    public init(surveys: CollectorSurveys) {
        self.surveys = surveys
    }

    /// The key ids named in the items' protected headers (items without a readable one are skipped).
    public static func keyIDs(in responses: [FlattenedJWS]) -> Set<String> {
        let decoder = JSONDecoder()
        return Set(responses.compactMap { try? $0.header(using: decoder).kid })
    }

    /// What the items of one chunk of a batch share: one JSON decoder, and each enrolled key's Ed25519
    /// public key parsed once (or why it cannot be), by kid.
    struct BatchContext {
        let decoder = JSONDecoder()
        let verifyingKeys: [String: Result<Curve25519.Signing.PublicKey, JOSEError>]

        init(keys: [String: EnrolledKey]) {
            verifyingKeys = keys.mapValues { Self.verifyingKey(of: $0.jwk) }
        }

        /// The key to check signatures of `kid` with, parsed from `jwk` if it is not among the batch's keys.
        func verifyingKey(kid: String, jwk: PublicJWK) throws -> Curve25519.Signing.PublicKey {
            try (verifyingKeys[kid] ?? Self.verifyingKey(of: jwk)).get()
        }

        static func verifyingKey(of jwk: PublicJWK) -> Result<Curve25519.Signing.PublicKey, JOSEError> {
            do {
                return .success(try jwk.verifyingKey())
            } catch let error as JOSEError {
                return .failure(error)
            } catch {
                return .failure(JOSEError(.unsupportedKey, "JWK is not an Ed25519 public key: \(error)"))
            }
        }
    }

    /// Checks every item of `batch` against `keys` (by kid) at time `now`, on all cores; outcomes in batch order.
    public func verify(_ batch: UploadBatch, keys: [String: EnrolledKey], at now: Date) async -> [Outcome] {
        let items = batch.responses
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, items.count / 16))
        if workers == 1 {
            let context = BatchContext(keys: keys)
            return items.indices.map {
                check(index: $0, jws: items[$0], batchKiosk: batch.kiosk, keys: keys, at: now, context: context)
            }
        }
        let chunkSize = (items.count + workers - 1) / workers
        return await withTaskGroup(of: (Int, [Outcome]).self) { group in
            for start in stride(from: 0, to: items.count, by: chunkSize) {
                let range = start..<min(start + chunkSize, items.count)
                // Run on the global pool even if the caller prefers an event loop as its executor.
                group.addTask(executorPreference: globalConcurrentExecutor) {
                    let context = BatchContext(keys: keys)
                    return (start, range.map {
                        check(index: $0, jws: items[$0], batchKiosk: batch.kiosk, keys: keys, at: now, context: context)
                    })
                }
            }
            var chunks: [(Int, [Outcome])] = []
            for await chunk in group {
                chunks.append(chunk)
            }
            return chunks.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    /// Checks one item at time `now`: header, key, signature, strict payload, kiosk, site, times, survey and
    /// digest, answers, in that order.
    public func check(index: Int, jws: FlattenedJWS, batchKiosk: String, keys: [String: EnrolledKey], at now: Date) -> Outcome {
        check(index: index, jws: jws, batchKiosk: batchKiosk, keys: keys, at: now, context: BatchContext(keys: keys))
    }

    /// ``check(index:jws:batchKiosk:keys:at:)`` with the decoder and parsed keys of `context`.
    func check(
        index: Int, jws: FlattenedJWS, batchKiosk: String, keys: [String: EnrolledKey], at now: Date, context: BatchContext
    ) -> Outcome {
        func reject(_ reason: String, id: String? = nil) -> Outcome {
            .refused(ItemResult(index: index, id: id ?? Self.unverifiedID(jws), status: .rejected, reason: reason))
        }
        let header: JWSHeader
        do {
            header = try jws.header(using: context.decoder)
        } catch {
            return reject("malformed JWS: \(error)")
        }
        guard let kid = header.kid else {
            return reject("the JWS header names no key (kid)")
        }
        guard let key = keys[kid] else {
            return reject("unknown key \(kid)")
        }
        if key.revokedAt != nil {
            return reject("key \(kid) of kiosk \(key.kiosk) was revoked")
        }
        if key.kiosk != batchKiosk {
            return reject("key \(kid) belongs to kiosk \(key.kiosk), but the batch comes from kiosk \(batchKiosk)")
        }
        if let typ = header.typ, typ != FlattenedJWS.responseType {
            return reject("JWS typ is \(typ), expected \(FlattenedJWS.responseType)")
        }
        let payload: Data
        do {
            // The same checks, in the same order, as `FlattenedJWS.verify(with:)`, with the key parsed once per batch.
            let parsed = try ParsedJWS(jws, header: header, expectedKeyID: key.jwk.kid)
            let publicKey = try context.verifyingKey(kid: kid, jwk: key.jwk)
            payload = try parsed.verify(with: publicKey, keyName: key.jwk.kid ?? key.jwk.thumbprint())
        } catch let error as JOSEError where error.code == .signature {
            return reject("bad signature: the JWS does not verify with key \(kid)")
        } catch {
            return reject("bad signature: \(error)")
        }
        let response: SurveyResponse
        if let plain = PlainPayload.response(payload) {
            response = plain
        } else {
            // Not in the form kiosks write: the general reading decides, and says why it refuses.
            do throws(StrictJSON.Problem) {
                try StrictJSON.check(payload, fields: Self.payloadFields)
            } catch {
                return reject("payload is not strict JSON: \(error)")
            }
            do {
                response = try SurveyResponse.decode(payload, using: context.decoder)
            } catch {
                return reject("payload is not a survey response: \(DecodingProblem.describe(error))")
            }
        }
        let id = response.id
        guard Self.isLowercaseUUID(id) else {
            return reject("field id: \(ResponseValidator.quoted(id)) is not a lowercase UUID")
        }
        if response.kiosk != key.kiosk {
            return reject(
                "field kiosk: \(ResponseValidator.quoted(response.kiosk)) does not match kiosk \(key.kiosk) of key \(kid)", id: id)
        }
        if response.site != key.site {
            return reject(
                "field site: \(ResponseValidator.quoted(response.site)) is not site \(key.site), where kiosk \(key.kiosk) is enrolled",
                id: id)
        }
        guard response.sequence >= 1, response.sequence <= UInt64(Int64.max) else {
            return reject("field sequence: \(response.sequence) is not a valid sequence number", id: id)
        }
        if response.startedAt > response.completedAt {
            return reject(
                "field startedAt: \(Timestamp.string(response.startedAt)) is after completedAt \(Timestamp.string(response.completedAt))",
                id: id)
        }
        if response.completedAt > now.addingTimeInterval(Self.clockSkew) {
            return reject(
                "field completedAt: \(Timestamp.string(response.completedAt)) is later than the collector's clock "
                    + "(\(Timestamp.string(now))) plus \(Int(Self.clockSkew / 60)) minutes", id: id)
        }
        let survey: Survey
        switch surveys.lookup(id: response.survey.id, version: response.survey.version) {
        case .found(let found):
            survey = found
        case .unknownSurvey:
            return .refused(ItemResult(
                index: index, id: id, status: .deferred,
                reason: "survey \(response.survey.id) is not known to the collector yet"))
        case .unknownVersion:
            return .refused(ItemResult(
                index: index, id: id, status: .deferred,
                reason: "survey \(response.survey.id) version \(response.survey.version) is not known to the collector yet"))
        }
        let digest = surveys.digest(id: survey.id, version: survey.version)
        if response.survey.digest != digest {
            return reject(
                "field survey.digest: \(ResponseValidator.quoted(response.survey.digest)) is not the digest of survey "
                    + "\(survey.id) version \(survey.version) known to the collector (\(digest ?? "none"))", id: id)
        }
        if let problem = ResponseValidator.problem(in: response, against: survey) {
            return reject(problem, id: id)
        }
        let hash = CollectorToken.hex(SHA256.hash(data: payload))
        return .verified(VerifiedItem(
            index: index, response: response, jws: jws, kid: kid, contentHash: hash,
            cesPoints: VerifiedItem.cesPoints(of: survey)))
    }

    /// Whether `id` is a UUID in its canonical lowercase text (8-4-4-4-12 hex digits): what
    /// `UUID(uuidString:)` reads and writes back, lowercased, as the same text.
    static func isLowercaseUUID(_ id: String) -> Bool {
        var id = id
        return id.withUTF8 { bytes in
            guard bytes.count == 36 else { return false }
            for (index, byte) in bytes.enumerated() {
                switch index {
                case 8, 13, 18, 23:
                    guard byte == UInt8(ascii: "-") else { return false }
                default:
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                    else { return false }
                }
            }
            return true
        }
    }

    private struct IDOnly: Decodable {
        var id: String
    }

    /// The response id of a payload that did not verify, for the kiosk's logs; nil if unreadable.
    static func unverifiedID(_ jws: FlattenedJWS) -> String? {
        guard let data = try? jws.unverifiedPayload(), let payload = try? JSONDecoder().decode(IDOnly.self, from: data) else {
            return nil
        }
        let id = payload.id
        return id.count <= 64 ? id : nil
    }
}
