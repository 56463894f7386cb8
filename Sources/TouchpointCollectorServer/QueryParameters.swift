import Foundation
import Hummingbird
import TouchpointCollector

/// A bad query parameter: which, and why — what every `GET` route answers 400 with.
struct ParameterProblem: Error, Hashable {
    /// The parameter's name.
    var parameter: String
    /// `parameter: what is wrong`.
    var message: String
}

extension Request {
    /// The query parameters by name (the last value of a repeated name).
    var queryValues: [String: String] {
        var values: [String: String] = [:]
        for (key, value) in uri.queryParameters {
            values[String(key)] = String(value)
        }
        return values
    }
}

/// Links that carry query parameters: the one way the dashboard's pages write them.
enum QueryLink {
    /// `path?name=value&…`, each value percent-encoded; `path` alone without items.
    static func make(_ path: String, _ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return path }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~:"))
        return path + "?" + items.map { name, value in
            name + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
    }
}
