import Foundation
import TouchpointCore
import TouchpointJOSE

/// What reading one response file found.
public struct ResponseFileCheck: Sendable, Hashable {
    /// The file read.
    public var url: URL
    /// The decoded payload, if it could be decoded (even when the signature fails, for showing).
    public var response: SurveyResponse?
    /// Whether the signature verified; nil when no key was given or the file is not a JWS.
    public var signatureValid: Bool?
    /// What is wrong with the file, or nil if nothing is.
    public var problem: String?

    /// Creates a result.
    public init(url: URL, response: SurveyResponse? = nil, signatureValid: Bool? = nil, problem: String? = nil) {
        self.url = url
        self.response = response
        self.signatureValid = signatureValid
        self.problem = problem
    }

    /// True when the file has no problem (and, if a key was given, its signature verified).
    public var isValid: Bool { problem == nil }
}

/// Reading and checking response files (`<id>.json` flattened JWS envelopes).
public enum ResponseFile {
    /// Reads `url`, verifies its signature with `key` if given, and decodes the payload.
    ///
    /// Never throws: every failure is reported in ``ResponseFileCheck/problem``.
    public static func read(_ url: URL, key: PublicJWK?) -> ResponseFileCheck {
        var check = ResponseFileCheck(url: url)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            check.problem = "cannot read \(url.path): \(error.localizedDescription)"
            return check
        }
        let envelope: FlattenedJWS
        do {
            envelope = try FlattenedJWS.parse(data)
        } catch {
            check.problem = "\(url.path): \(error)"
            return check
        }
        var problems: [String] = []
        let payload: Data
        if let key {
            do {
                payload = try envelope.verify(with: key)
                check.signatureValid = true
            } catch {
                check.signatureValid = false
                problems.append("\(error)")
                guard let unverified = try? envelope.unverifiedPayload() else {
                    check.problem = "\(url.path): " + problems.joined(separator: "; ")
                    return check
                }
                payload = unverified
            }
        } else {
            do {
                payload = try envelope.unverifiedPayload()
            } catch {
                check.problem = "\(url.path): \(error)"
                return check
            }
        }
        if let header = try? envelope.header(), header.typ != FlattenedJWS.responseType {
            problems.append("JWS typ is \(header.typ ?? "missing"), expected \(FlattenedJWS.responseType)")
        }
        do {
            let response = try SurveyResponse.decode(payload)
            check.response = response
            let name = url.deletingPathExtension().lastPathComponent
            if name != response.id {
                problems.append("file name \(url.lastPathComponent) does not match response id \(response.id)")
            }
        } catch {
            problems.append("payload is not a survey response: \(error)")
        }
        if !problems.isEmpty {
            check.problem = "\(url.path): " + problems.joined(separator: "; ")
        }
        return check
    }

    /// The `*.json` files in `directory`, sorted by name (oldest first for UUIDv7 names), skipping temp files.
    public static func scan(_ directory: URL) throws -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw StoreError.wrapping(.io, "cannot list \(directory.path)", error)
        }
        return names
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .sorted()
            .map { directory.appendingPathComponent($0) }
    }
}
