import Foundation
import TouchpointJOSE
import TouchpointProtocol

extension UploadBatch {
    /// The body of `POST /v1/responses`: the bytes ``UploadProtocol/encode(_:)`` writes for this batch, with each
    /// response written as its file is (``FlattenedJWS/serialized()``) rather than by `JSONEncoder` again.
    ///
    /// The members in the order sorted keys give them (`health`, `kiosk`, `responses`); a test checks the bytes
    /// against ``UploadProtocol/encode(_:)``.
    func body() throws -> Data {
        let health = try UploadProtocol.encode(self.health)
        let kiosk = try UploadProtocol.encode(self.kiosk)
        var responses: [Data] = []
        responses.reserveCapacity(self.responses.count)
        for response in self.responses {
            var file = try response.serialized()
            if file.last == UInt8(ascii: "\n") {
                file.removeLast()
            }
            responses.append(file)
        }
        var body = Data(capacity: 40 + health.count + kiosk.count + responses.reduce(responses.count) { $0 + $1.count })
        body.append(contentsOf: #"{"health":"#.utf8)
        body.append(health)
        body.append(contentsOf: #","kiosk":"#.utf8)
        body.append(kiosk)
        body.append(contentsOf: #","responses":["#.utf8)
        for (index, response) in responses.enumerated() {
            if index > 0 {
                body.append(UInt8(ascii: ","))
            }
            body.append(response)
        }
        body.append(contentsOf: "]}".utf8)
        return body
    }
}
