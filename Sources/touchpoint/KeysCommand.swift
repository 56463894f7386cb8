import ArgumentParser
import Foundation
import TouchpointKiosk
import TouchpointStore

/// `touchpoint keys …`: the kiosk's signing key.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create and export the kiosk's Ed25519 signing key.",
        subcommands: [Init.self, Export.self])

    /// `touchpoint keys init`.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the kiosk's private key (mode 0600); refuses to overwrite one.")
        @OptionGroup var options: ConfigOptions

        func run() throws {
            let configuration = try options.load()
            let key = try KeyFile.create(at: URL(fileURLWithPath: configuration.keyFile))
            print("Created key \(key.keyID) in \(configuration.keyFile) (mode 0600).")
            print("Enrol it at the collector with: touchpoint keys export > \(configuration.kiosk).jwk")
        }
    }

    /// `touchpoint keys export`.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the kiosk's public key as a JWK (with kid).")
        @OptionGroup var options: ConfigOptions

        func run() throws {
            let configuration = try options.load()
            let key = try KeyFile.load(at: URL(fileURLWithPath: configuration.keyFile))
            print(String(decoding: try key.publicJWK.jsonData(), as: UTF8.self))
        }
    }
}
