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
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The collector's PostgreSQL storage (and the tests' throwaway server checks).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // The collector's authentication: sessions, authenticator and role-policy middleware, bcrypt.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Only the tests' private CA and server certificates (TouchpointTesting); never linked into the product.
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        // Pure core: survey model, YAML parsing + validation, scoring, session state machine.
        .target(
            name: "TouchpointCore",
            // Crypto: the survey digest (SHA-256), which kiosk and collector both compute.
            dependencies: [.product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Base64URL, the flattened JWS (sign, parse, verify), the public JWK, the kiosk's signing key.
        .target(
            name: "TouchpointJOSE",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The upload protocol both ends share (batch, item results, buffer health, errors) and the retry policy.
        .target(
            name: "TouchpointProtocol",
            dependencies: ["TouchpointCore", "TouchpointJOSE"]
        ),
        // The kiosk's responses directory: durable files, sequence counter, key file, PIN hash, survey files.
        .target(
            name: "TouchpointStore",
            dependencies: [
                "TouchpointCore",
                "TouchpointJOSE",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The sync pass, the HTTP transport, the background sync service.
        .target(
            name: "TouchpointSync",
            dependencies: [
                "TouchpointCore",
                "TouchpointJOSE",
                "TouchpointProtocol",
                "TouchpointStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // The transport's TLS configuration: the system's CAs, or the collector's private CA (`collectorCA`).
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The collector's domain, no SQL and no HTTP: verification and ingest rules, the storage protocols,
        // report planning and aggregate keys, feed fan-out and rendering, health scoring, accounts, tokens.
        .target(
            name: "TouchpointCollector",
            dependencies: [
                "TouchpointCore",
                "TouchpointJOSE",
                "TouchpointProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The collector's storage on SQLite (GRDB): the only place with SQL.
        .target(
            name: "TouchpointCollectorSQLite",
            dependencies: [
                "TouchpointCollector",
                "TouchpointCore",
                "TouchpointJOSE",
                "TouchpointProtocol",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The collector's storage on PostgreSQL (PostgresNIO): several collector processes may share one database.
        .target(
            name: "TouchpointCollectorPostgres",
            dependencies: [
                "TouchpointCollector",
                "TouchpointCore",
                "TouchpointJOSE",
                "TouchpointProtocol",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The collector's server: buildApplication, routes, access control, the dashboard, feed delivery, lifecycle.
        .target(
            name: "TouchpointCollectorServer",
            dependencies: [
                "TouchpointCollector",
                "TouchpointCore",
                "TouchpointProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                // HTTPField names Hummingbird does not re-export (Sec-Fetch-Site, X-CSRF-Token).
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // Password checks (bcrypt) off the cooperative threads.
                .product(name: "NIOPosix", package: "swift-nio"),
                // `serve --tls-cert --tls-key`: HTTPS over swift-nio-ssl (TLSChannel around HummingbirdCore's HTTP1Channel).
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The demo data set: enrolled demo kiosks, realistic signed responses, sent through the real sync and ingest.
        .target(
            name: "TouchpointDemo",
            dependencies: [
                "TouchpointCore",
                "TouchpointJOSE",
                "TouchpointStore",
                "TouchpointSync",
                "TouchpointCollector",
                "TouchpointCollectorSQLite",
                "TouchpointCollectorServer",
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
                "TouchpointProtocol",
                "TouchpointStore",
                "TouchpointSync",
                "CReadline",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // A throwaway PostgreSQL cluster (initdb + pg_ctl on a free port, stopped at exit) and a fresh database per
        // caller, for the tests and the benchmark; never linked into the product.
        .target(
            name: "TouchpointThrowawayPostgres",
            dependencies: [
                // The running cluster's lock box.
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // Test doubles shared by the test targets (in-memory response store, upload transport, console) and the
        // tests' PostgreSQL server (PostgresTestServer: skips, or fails in CI, without one); never linked into the product.
        .target(
            name: "TouchpointTesting",
            dependencies: [
                "TouchpointCore", "TouchpointJOSE", "TouchpointProtocol", "TouchpointStore", "TouchpointSync", "TouchpointKiosk",
                "TouchpointThrowawayPostgres",
                // TestCertificateAuthority: a private CA and server certificates for the HTTPS tests.
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "touchpoint",
            dependencies: [
                "TouchpointCore",
                "TouchpointJOSE",
                "TouchpointStore",
                "TouchpointKiosk",
                "TouchpointSync",
                "TouchpointCollector",
                "TouchpointCollectorSQLite",
                "TouchpointCollectorPostgres",
                "TouchpointCollectorServer",
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
                "TouchpointJOSE",
                "TouchpointProtocol",
                "TouchpointStore",
                "TouchpointSync",
                "TouchpointCollector",
                "TouchpointCollectorSQLite",
                "TouchpointCollectorPostgres",
                "TouchpointCollectorServer",
                // Sections 5 and 6: a throwaway PostgreSQL cluster, as the tests have.
                "TouchpointThrowawayPostgres",
                // The collector child's `runService` (until SIGTERM).
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TouchpointCoreTests", dependencies: ["TouchpointCore"]),
        .testTarget(name: "TouchpointStoreTests", dependencies: ["TouchpointStore", "TouchpointJOSE", "TouchpointTesting"]),
        .testTarget(name: "TouchpointKioskTests", dependencies: ["TouchpointKiosk", "TouchpointSync", "TouchpointProtocol", "TouchpointTesting"]),
        .testTarget(
            name: "TouchpointSyncTests",
            dependencies: [
                "TouchpointSync", "TouchpointProtocol", "TouchpointJOSE", "TouchpointTesting",
                // To start a graceful shutdown while batches are in flight.
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "TouchpointCollectorTests",
            dependencies: [
                "TouchpointCollector",
                "TouchpointCollectorSQLite",
                "TouchpointCollectorPostgres",
                "TouchpointCollectorServer",
                "TouchpointJOSE",
                "TouchpointProtocol",
                "TouchpointCore",
                "TouchpointStore",
                "TouchpointSync",
                // PostgresTestServer: a throwaway PostgreSQL cluster for the PostgreSQL storage's test cases.
                "TouchpointTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // Header names Hummingbird does not re-export (Sec-Fetch-Site in the cross-site request test).
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                // To start a graceful shutdown at a chosen moment (the feed's post-in-flight test).
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                // Only to damage a database behind the storage's back (the aggregates' rebuild test).
                .product(name: "GRDB", package: "GRDB.swift"),
                // To create and drop a fresh PostgreSQL database per test, and to damage one like the SQLite file.
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "TouchpointDemoTests",
            dependencies: [
                "TouchpointDemo", "TouchpointCollector", "TouchpointCollectorSQLite", "TouchpointCore", "TouchpointJOSE", "TouchpointStore", "TouchpointSync",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The throwaway PostgreSQL server (TouchpointThrowawayPostgres, through TouchpointTesting's PostgresTestServer),
        // checked with a real client.
        .testTarget(
            name: "TouchpointThrowawayPostgresTests",
            dependencies: [
                "TouchpointTesting",
                "TouchpointThrowawayPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TouchpointJOSE", "TouchpointStore", "TouchpointSync", "TouchpointProtocol",
                // The shared PostgreSQL database of the multi-collector test (PostgresTestServer).
                "TouchpointTesting",
                // To post one batch to two collectors at once, and to ask them and the webhook receiver over HTTP.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
