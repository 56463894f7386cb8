// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Touchpoint",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "touchpoint", targets: ["touchpoint"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Pure core: survey model, YAML parsing + validation, scoring, session state machine.
        .target(
            name: "TouchpointCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // Keys, JWS envelope, durable file store, sequence counter.
        .target(
            name: "TouchpointStore",
            dependencies: [
                "TouchpointCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // GNU readline (libreadline-dev).
        .systemLibrary(
            name: "CReadline",
            pkgConfig: nil,
            providers: [.apt(["libreadline-dev"])]
        ),
        // The REPL: console, staff commands, customer sessions.
        .target(
            name: "TouchpointKiosk",
            dependencies: [
                "TouchpointCore",
                "TouchpointStore",
                "CReadline",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "touchpoint",
            dependencies: [
                "TouchpointCore",
                "TouchpointStore",
                "TouchpointKiosk",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TouchpointCoreTests", dependencies: ["TouchpointCore"]),
        .testTarget(name: "TouchpointStoreTests", dependencies: ["TouchpointStore"]),
        .testTarget(name: "TouchpointKioskTests", dependencies: ["TouchpointKiosk"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["TouchpointStore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
