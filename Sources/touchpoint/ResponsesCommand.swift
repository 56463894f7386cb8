import ArgumentParser
import Foundation
import TouchpointKiosk
import TouchpointStore
import TouchpointJOSE

/// `touchpoint responses …`: the buffered response files.
struct ResponsesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "responses", abstract: "Check and show buffered response files.",
        subcommands: [Verify.self, Show.self])

    /// `touchpoint responses verify`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify every buffered file (pending, sent, rejected) against the kiosk key; list bad ones; exit 1 if any.")
        @OptionGroup var options: ConfigOptions
        @Option(name: .long, help: "Verify against this public JWK file instead of the kiosk's own key.")
        var jwk: String?

        func run() throws {
            let configuration = try options.load()
            let publicKey = try loadPublicKey(jwk: jwk, keyFile: configuration.keyFile)
            let root = URL(fileURLWithPath: configuration.responsesDirectory, isDirectory: true)
            var good = 0
            var bad: [ResponseFileCheck] = []
            for folder in ["pending", "sent", "rejected"] {
                let directory = root.appendingPathComponent(folder, isDirectory: true)
                guard FileManager.default.fileExists(atPath: directory.path) else { continue }
                for file in try ResponseFile.scan(directory) {
                    let check = ResponseFile.read(file, key: publicKey)
                    if check.isValid { good += 1 } else { bad.append(check) }
                }
            }
            for check in bad { print("BAD  \(check.problem ?? check.url.path)") }
            print("\(good) valid, \(bad.count) bad (key \(publicKey.kid ?? publicKey.thumbprint()))")
            if !bad.isEmpty { throw ExitCode(1) }
        }
    }

    /// `touchpoint responses show FILE`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a response file's decoded payload and whether its signature holds.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "A response file.") var file: String
        @Option(name: .long, help: "Verify against this public JWK file instead of the kiosk's own key.")
        var jwk: String?

        func run() throws {
            let configuration = try options.load()
            let publicKey = try? loadPublicKey(jwk: jwk, keyFile: configuration.keyFile)
            let check = ResponseFile.read(URL(fileURLWithPath: file), key: publicKey)
            if let response = check.response {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(response), as: UTF8.self))
            }
            switch check.signatureValid {
            case true?: print("signature: valid (key \(publicKey?.kid ?? "?"))")
            case false?: print("signature: INVALID")
            case nil: print("signature: not checked (no key)")
            }
            if let problem = check.problem { print("problem: \(problem)") }
            if !check.isValid { throw ExitCode(1) }
        }
    }
}

/// The public key to verify with: a JWK file, or the kiosk's own key.
func loadPublicKey(jwk: String?, keyFile: String) throws -> PublicJWK {
    if let jwk {
        let data: Data
        do {
            data = jwk == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: jwk))
        } catch {
            throw ValidationError("cannot read \(jwk): \(error.localizedDescription)")
        }
        do {
            return try PublicJWK.parse(data).withThumbprintID()
        } catch let error as JOSEError where error.code == .privateKey {
            throw ValidationError(
                "\(jwk == "-" ? "standard input" : jwk) holds the kiosk's private key (member d): never copy it off the kiosk. "
                    + "On the kiosk, export the public key with `touchpoint keys export > kiosk.jwk` "
                    + "(with the kiosk's --config or --key) and use that file.")
        }
    }
    return try KeyFile.load(at: URL(fileURLWithPath: keyFile)).publicJWK
}
