import Foundation
import Testing
import TouchpointCore
import TouchpointJOSE
import TouchpointProtocol
@testable import TouchpointSync

/// The transport's body is built from each response's file bytes, and must be what `UploadProtocol.encode` writes.
@Suite("Upload body")
struct UploadBodyTests {
    @Test("the body is byte for byte UploadProtocol.encode's, for odd kiosk ids, health and members too")
    func bodyMatchesTheEncoder() throws {
        let key = KioskKey.generate()
        let signed = try (0..<5).map { index in
            try FlattenedJWS.sign(payload: Data(#"{"kiosk":"kiosk-7","n":\#(index),"s":"a/b"}"#.utf8), key: key)
        }
        let odd = [
            FlattenedJWS(payload: #"a"b"#, protected: "a/b", signature: "line\nbreak"),
            FlattenedJWS(payload: "é", protected: "", signature: "\u{7F}\\"),
        ]
        let healths = [
            BufferHealth(pending: 0, rejected: 0),
            BufferHealth(pending: 12, rejected: 3, oldestPendingAt: Date(timeIntervalSince1970: 1_795_000_000.125),
                         lastSequence: 40),
        ]
        for kiosk in ["kiosk-7", "", #"k"i\o/s"#, "kiosk-é\n"] {
            for health in healths {
                for responses in [[], Array(signed.prefix(1)), signed, signed + odd] {
                    let batch = UploadBatch(kiosk: kiosk, health: health, responses: responses)
                    let body = try batch.body()
                    #expect(body == (try UploadProtocol.encode(batch)))
                    #expect(try JSONDecoder().decode(UploadBatch.self, from: body) == batch)
                }
            }
        }
    }
}
