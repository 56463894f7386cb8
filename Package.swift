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
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
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
        // The upload protocol (one definition for both ends), the uploader with backoff, the sync service.
        .target(
            name: "TouchpointSync",
            dependencies: [
                "TouchpointCore",
                "TouchpointStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The collector: HTTP server, verification, storage (SQLite via GRDB), enrolment.
        .target(
            name: "TouchpointCollector",
            dependencies: [
                "TouchpointCore",
                "TouchpointStore",
                "TouchpointSync",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The demo data set: enrolled demo kiosks, realistic signed responses, sent through the real sync and ingest.
        .target(
            name: "TouchpointDemo",
            dependencies: [
                "TouchpointCore",
                "TouchpointStore",
                "TouchpointSync",
                "TouchpointCollector",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
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
                "TouchpointSync",
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
                "TouchpointSync",
                "TouchpointCollector",
                "TouchpointDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Prints the figures in the README's "Speed" section; run it with `swift run -c release touchpoint-bench`.
        .executableTarget(
            name: "touchpoint-bench",
            dependencies: [
                "TouchpointCore",
                "TouchpointStore",
                "TouchpointSync",
                "TouchpointCollector",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TouchpointCoreTests", dependencies: ["TouchpointCore"]),
        .testTarget(name: "TouchpointStoreTests", dependencies: ["TouchpointStore"]),
        .testTarget(name: "TouchpointKioskTests", dependencies: ["TouchpointKiosk", "TouchpointSync"]),
        .testTarget(name: "TouchpointSyncTests", dependencies: ["TouchpointSync"]),
        .testTarget(
            name: "TouchpointCollectorTests",
            dependencies: [
                "TouchpointCollector",
                "TouchpointCore",
                "TouchpointStore",
                "TouchpointSync",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                // To start a graceful shutdown at a chosen moment (the feed's post-in-flight test).
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                // Only to damage a database behind the storage's back (the aggregates' rebuild test).
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "TouchpointDemoTests",
            dependencies: [
                "TouchpointDemo", "TouchpointCollector", "TouchpointCore", "TouchpointStore", "TouchpointSync",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["TouchpointStore", "TouchpointSync"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
