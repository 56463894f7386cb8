import Foundation
import Testing
@testable import TouchpointStore
import TouchpointJOSE

@Suite("Key files")
struct KeyFileTests {
    @Test("create writes a 0600 JWK in a new 0700 directory; load gives the same key")
    func createAndLoad() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("keys/kiosk.key.jwk")
            let key = try KeyFile.create(at: url)
            #expect(try permissions(of: url) == 0o600)
            #expect(try permissions(of: url.deletingLastPathComponent()) == 0o700)
            #expect(try names(in: url.deletingLastPathComponent()) == ["kiosk.key.jwk"])

            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: String]
            #expect(json?["kty"] == "OKP")
            #expect(json?["crv"] == "Ed25519")
            #expect(json?["x"] == key.publicJWK.x)
            #expect(json?["kid"] == key.keyID)
            #expect(json?["d"]?.count == 43)

            let loaded = try KeyFile.load(at: url)
            #expect(loaded.keyID == key.keyID)
            let jws = try FlattenedJWS.sign(payload: Data("hello".utf8), key: loaded)
            #expect(try jws.verify(with: key.publicJWK) == Data("hello".utf8))
        }
    }

    @Test("create refuses to overwrite an existing key")
    func refusesOverwrite() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("kiosk.key.jwk")
            let key = try KeyFile.create(at: url)
            let before = try Data(contentsOf: url)
            expectCode(.keyExists) { try KeyFile.create(at: url) }
            #expect(try Data(contentsOf: url) == before)
            #expect(try KeyFile.load(at: url).keyID == key.keyID)
            #expect(try names(in: dir) == ["kiosk.key.jwk"])
        }
    }

    @Test("load refuses a key readable by group or others and says chmod 600")
    func refusesOpenPermissions() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("kiosk.key.jwk")
            _ = try KeyFile.create(at: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
            do {
                _ = try KeyFile.load(at: url)
                Issue.record("a 0644 key file was accepted")
            } catch let error as StoreError {
                #expect(error.code == .insecurePermissions)
                #expect(error.message.contains("chmod 600 \(url.path)"))
            }
        }
    }

    @Test("a key in a directory group or others can write to is refused (load and create), naming chmod go-w")
    func refusesAWritableKeyDirectory() throws {
        try withTemporaryDirectory { dir in
            let keys = dir.appendingPathComponent("keys")
            let url = keys.appendingPathComponent("kiosk.key.jwk")
            let key = try KeyFile.create(at: url)
            for mode in [0o777, 0o770, 0o702] {
                try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: keys.path)
                for attempt in [{ try KeyFile.load(at: url) }, { try KeyFile.loadOrCreate(at: url).key },
                                { try KeyFile.create(at: keys.appendingPathComponent("other.jwk")) }] {
                    do {
                        _ = try attempt()
                        Issue.record("a key directory with mode \(String(mode, radix: 8)) was accepted")
                    } catch let error as StoreError {
                        #expect(error.code == .insecurePermissions)
                        #expect(error.message.contains("has mode \(String(mode, radix: 8))"), "\(error)")
                        #expect(error.message.contains("run `chmod go-w \(keys.path)`"), "\(error)")
                    }
                }
            }
            #expect(try names(in: keys) == ["kiosk.key.jwk"])
            // Readable by the group is fine; only writing lets someone swap the key.
            try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: keys.path)
            #expect(try KeyFile.load(at: url).keyID == key.keyID)
        }
    }

    @Test("load explains a missing file, bad JSON, and a wrong key type")
    func loadErrors() throws {
        try withTemporaryDirectory { dir in
            let missing = dir.appendingPathComponent("missing.jwk")
            do {
                _ = try KeyFile.load(at: missing)
                Issue.record("a missing key file was accepted")
            } catch let error as StoreError {
                #expect(error.code == .keyFile)
                #expect(error.message.contains(missing.path))
            }

            let bad = dir.appendingPathComponent("bad.jwk")
            try DurableFile.write(Data("not json".utf8), to: bad, mode: 0o600)
            expectCode(.keyFile) { try KeyFile.load(at: bad) }

            let ec = dir.appendingPathComponent("ec.jwk")
            try DurableFile.write(Data(#"{"kty":"EC","crv":"P-256","d":"AAAA","x":"AAAA"}"#.utf8), to: ec, mode: 0o600)
            do {
                _ = try KeyFile.load(at: ec)
                Issue.record("an EC key was accepted")
            } catch let error as StoreError {
                #expect(error.code == .keyFile)
                #expect(error.message.contains("OKP"))
            }

            let mismatched = dir.appendingPathComponent("mismatch.jwk")
            let other = KioskKey.generate()
            let json = #"{"kty":"OKP","crv":"Ed25519","d":"\#(RFC8037.d)","x":"\#(other.publicJWK.x)"}"#
            try DurableFile.write(Data(json.utf8), to: mismatched, mode: 0o600)
            expectCode(.keyFile) { try KeyFile.load(at: mismatched) }
        }
    }

    @Test("loadOrCreate creates once, then loads the same key")
    func loadOrCreate() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("kiosk.key.jwk")
            let first = try KeyFile.loadOrCreate(at: url)
            let second = try KeyFile.loadOrCreate(at: url)
            #expect(first.created)
            #expect(!second.created)
            #expect(first.key.keyID == second.key.keyID)
        }
    }
}
