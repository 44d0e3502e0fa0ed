// swift-tools-version: 6.1
import PackageDescription

let strictSwift6: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Trellis",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TrellisJSON", targets: ["TrellisJSON"]),
        .library(name: "TrellisCore", targets: ["TrellisCore"]),
        .library(name: "TrellisTesting", targets: ["TrellisTesting"]),
        .library(name: "TrellisServer", targets: ["TrellisServer"]),
        // For Benchmarks/ (sqlite-read measures the document store without HTTP).
        .library(name: "TrellisDatabase", targets: ["TrellisDatabase", "TrellisStorageCapability"]),
        .executable(name: "trellis", targets: ["trellis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // JSON values, pointers, patches and the JSON Schema validator. Depends on nothing of ours.
        .target(
            name: "TrellisJSON",
            dependencies: [.product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strictSwift6
        ),
        // The kernel: systems, boot plan, lifecycle, capabilities, events, layered config, health.
        .target(
            name: "TrellisCore",
            dependencies: [
                "TrellisJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strictSwift6
        ),
        // A harness for system authors: boot one system with stand-ins, record events.
        .target(
            name: "TrellisTesting",
            dependencies: ["TrellisCore", "TrellisJSON"],
            swiftSettings: strictSwift6
        ),
        // Capability protocols shared by the systems that provide and consume them.
        .target(
            name: "TrellisHTTPCapability",
            dependencies: [
                "TrellisCore", "TrellisJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSwift6
        ),
        .target(
            name: "TrellisStorageCapability",
            dependencies: ["TrellisCore", "TrellisJSON"],
            swiftSettings: strictSwift6
        ),
        // The `http` system: Hummingbird server, request ids, access log, limits, problem+json, route mounting.
        .target(
            name: "TrellisHTTP",
            dependencies: [
                "TrellisCore", "TrellisJSON", "TrellisHTTPCapability",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSwift6
        ),
        // The `database` system: SQLite through GRDB, migrations, document collections, config versions.
        .target(
            name: "TrellisDatabase",
            dependencies: [
                "TrellisCore", "TrellisJSON", "TrellisStorageCapability",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSwift6
        ),
        // The `endpoints` system: mock, database CRUD and proxy endpoints declared in trellis.yaml.
        .target(
            name: "TrellisEndpoints",
            dependencies: [
                "TrellisCore", "TrellisJSON", "TrellisHTTPCapability", "TrellisStorageCapability",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSwift6
        ),
        // The `admin` system: /metrics (Prometheus) and the admin API behind a bearer token.
        .target(
            name: "TrellisAdmin",
            dependencies: [
                "TrellisCore", "TrellisJSON", "TrellisHTTPCapability",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSwift6
        ),
        // The `chaos` system: rehearses failures so the guards can be seen working.
        .target(
            name: "TrellisChaos",
            dependencies: [
                "TrellisCore", "TrellisJSON", "TrellisHTTPCapability",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSwift6
        ),
        // The composition root: reads trellis.yaml, picks systems, runs the kernel.
        .target(
            name: "TrellisServer",
            dependencies: [
                "TrellisCore", "TrellisJSON", "TrellisHTTP", "TrellisDatabase", "TrellisEndpoints",
                "TrellisAdmin", "TrellisChaos", "TrellisHTTPCapability", "TrellisStorageCapability",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift6
        ),
        .executableTarget(
            name: "trellis",
            dependencies: [
                "TrellisJSON",
                "TrellisServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "TrellisJSONTests",
            dependencies: [
                "TrellisJSON",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "TrellisCoreTests",
            dependencies: [
                "TrellisCore",
                "TrellisTesting",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "TrellisDatabaseTests",
            dependencies: [
                "TrellisDatabase", "TrellisStorageCapability", "TrellisTesting", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "TrellisServerTests",
            dependencies: [
                "TrellisServer", "TrellisHTTP", "TrellisEndpoints", "TrellisDatabase", "TrellisAdmin", "TrellisChaos",
                "TrellisTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strictSwift6
        ),
        // Runs the built `trellis` binary as a user would: arguments, output, exit codes.
        .testTarget(
            name: "TrellisCLITests",
            dependencies: ["trellis", "TrellisJSON", "TrellisTesting"],
            swiftSettings: strictSwift6
        ),
    ]
)
