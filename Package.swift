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
        .executable(name: "trellis", targets: ["trellis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
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
            ],
            swiftSettings: strictSwift6
        ),
        // A harness for system authors: boot one system with stand-ins, record events.
        .target(
            name: "TrellisTesting",
            dependencies: ["TrellisCore", "TrellisJSON"],
            swiftSettings: strictSwift6
        ),
        .executableTarget(
            name: "trellis",
            dependencies: [
                "TrellisJSON",
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
            ],
            swiftSettings: strictSwift6
        ),
        // Runs the built `trellis` binary as a user would: arguments, output, exit codes.
        .testTarget(
            name: "TrellisCLITests",
            dependencies: ["trellis", "TrellisJSON"],
            swiftSettings: strictSwift6
        ),
    ]
)
