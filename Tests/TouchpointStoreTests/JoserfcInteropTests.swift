import Foundation
import Testing
@testable import TouchpointStore
import TouchpointJOSE

@Suite("Interoperability with a standard JOSE library")
struct JoserfcInteropTests {
    private static let verifier = """
        import json, sys, warnings
        warnings.simplefilter("ignore")
        from joserfc import jws
        from joserfc.jwk import OKPKey
        key = OKPKey.import_key(json.load(open(sys.argv[1])))
        with open(sys.argv[2]) as f:
            value = json.load(f)
        obj = jws.deserialize_json(value, key, algorithms=["EdDSA"])
        print(json.dumps({"header": obj.headers(), "payload": json.loads(obj.payload)}))
        """

    @Test("python joserfc verifies a stored response file with the exported public JWK")
    func joserfcVerifies() throws {
        let probe = try runPython(["-c", "import joserfc"])
        guard probe.status == 0 else {
            Issue.record("python3 cannot import joserfc (run `pip install joserfc`): \(probe.error)")
            return
        }
        try withTemporaryDirectory { dir in
            let key = KioskKey.generate()
            let store = try FileResponseStore(root: dir.appendingPathComponent("responses"), key: key)
            let stored = try store.record(sampleDraft())
            let file = try #require(stored.file)
            let jwkFile = dir.appendingPathComponent("kiosk.pub.jwk")
            try DurableFile.write(try key.publicJWK.jsonData(), to: jwkFile)
            let script = dir.appendingPathComponent("verify.py")
            try Data(Self.verifier.utf8).write(to: script)

            let result = try runPython([script.path, jwkFile.path, file.path])
            #expect(result.status == 0, "joserfc rejected our file: \(result.error)")
            let output = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            let header = output?["header"] as? [String: String]
            let payload = output?["payload"] as? [String: Any]
            #expect(header == ["alg": "EdDSA", "kid": key.keyID, "typ": "touchpoint-response+jws"])
            #expect(payload?["id"] as? String == stored.response.id)
            #expect((payload?["sequence"] as? NSNumber)?.intValue == 1)

            // The same script must fail on a tampered file, or the check above proves nothing.
            var tampered = stored.envelope
            tampered.payload = Base64URL.encode(Data(#"{"id":"forged"}"#.utf8))
            let forged = dir.appendingPathComponent("forged.json")
            try DurableFile.write(try tampered.serialized(), to: forged)
            #expect(try runPython([script.path, jwkFile.path, forged.path]).status != 0)
        }
    }
}
