import Testing
import TouchpointCollector
import TouchpointStore
import TouchpointJOSE

@Suite("Upload tokens")
struct CollectorTokenTests {
    @Test func tokensAreAPrefixAnd32RandomBytesInBase64URL() throws {
        let token = CollectorToken.generate()
        // Never an option on a command line (`--token -x…`): every token starts with tp_.
        #expect(token.hasPrefix("tp_") && token.count == 46)
        #expect(try #require(Base64URL.decode(String(token.dropFirst(3)))).count == 32)
        for _ in 0..<200 {
            #expect(!CollectorToken.generate().hasPrefix("-"))
        }
        #expect(CollectorToken.generate() != token)
        var first = SeededGenerator(state: 1)
        var second = SeededGenerator(state: 1)
        #expect(CollectorToken.generate(using: &first) == CollectorToken.generate(using: &second))
    }

    @Test func hashIsSHA256Hex() {
        // FIPS 180-2 example: SHA-256("abc").
        #expect(CollectorToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(CollectorToken.matches("abc", hash: CollectorToken.hash("abc")))
        #expect(!CollectorToken.matches("abd", hash: CollectorToken.hash("abc")))
        #expect(!CollectorToken.matches("abc", hash: ""))
    }

    @Test func bearerHeaderParsing() {
        #expect(CollectorToken.bearerToken(fromAuthorization: "Bearer abc") == "abc")
        #expect(CollectorToken.bearerToken(fromAuthorization: "bearer  abc ") == "abc")
        #expect(CollectorToken.bearerToken(fromAuthorization: "Basic abc") == nil)
        #expect(CollectorToken.bearerToken(fromAuthorization: "Bearer") == nil)
    }
}
