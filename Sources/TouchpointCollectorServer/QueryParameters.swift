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
