// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that the root package (and CI's build of it)
// never resolves or builds ordo-one/benchmark.
let strictSwift6: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "TrellisBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Trellis", path: ".."),
        // The trait list replaces the defaults, which would pull in a runtime interposer
        // that this machine's package mirror does not carry.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        // The same Hummingbird as the root package resolves, for the bare baseline of scripts/bench-http.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // The same swift-log as the root package: guard-overhead-server hands TrellisServer its logger.
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // The JSON Schema benchmark cases (Fixtures/json-schema/cases.json), shared by both executables.
        .target(
            name: "JSONSchemaFixtures",
            dependencies: [.product(name: "TrellisJSON", package: "Trellis")],
            swiftSettings: strictSwift6
        ),
        // `swift package benchmark`: latency, throughput and allocations per case.
        .executableTarget(
            name: "JSONSchemaBenchmarks",
            dependencies: [
                "JSONSchemaFixtures",
                .product(name: "TrellisJSON", package: "Trellis"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/JSONSchemaBenchmarks",
            swiftSettings: strictSwift6,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Validations per second over a fixed wall time, the way scripts/bench_jsonschema.py
        // measures Python's jsonschema, so scripts/bench-json-schema.sh can print the ratio.
        .executableTarget(
            name: "json-schema-throughput",
            dependencies: ["JSONSchemaFixtures"],
            swiftSettings: strictSwift6
        ),
        // A small kernel with emitters and listeners, shared by the kernel benchmarks.
        .target(
            name: "KernelFixtures",
            dependencies: [
                .product(name: "TrellisCore", package: "Trellis"),
                .product(name: "TrellisJSON", package: "Trellis"),
            ],
            swiftSettings: strictSwift6
        ),
        // Events per second through the kernel's bus against a bare AsyncStream, same run.
        .executableTarget(
            name: "kernel-throughput",
            dependencies: ["KernelFixtures"],
            swiftSettings: strictSwift6
        ),
        // `swift package benchmark`: capability lookup and config read costs.
        .executableTarget(
            name: "KernelBenchmarks",
            dependencies: [
                "KernelFixtures",
                .product(name: "TrellisCore", package: "Trellis"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/KernelBenchmarks",
            swiftSettings: strictSwift6,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A bare Hummingbird app answering the same small JSON as Trellis's `mock` endpoint, the
        // baseline scripts/bench-http divides every HTTP stack's requests/s by.
        .executableTarget(
            name: "bare-hummingbird",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: strictSwift6
        ),
        // `trellis serve`'s composition plus N systems with empty request hooks, which
        // scripts/bench-guards loads with 0 and 10 such systems to price the guarded hooks.
        .executableTarget(
            name: "guard-overhead-server",
            dependencies: [.product(name: "TrellisServer", package: "Trellis"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift6
        ),
        // One document read from SQLite (`DocumentCollection.get`), outside HTTP: wall and CPU
        // time per read; scripts/bench-sqlite-read runs it for two commits in alternation.
        .executableTarget(
            name: "sqlite-read",
            dependencies: [
                .product(name: "TrellisDatabase", package: "Trellis"),
                .product(name: "TrellisJSON", package: "Trellis"),
            ],
            swiftSettings: strictSwift6
        ),
        // `swift package benchmark`: one call through a system's guard against a direct call.
        .executableTarget(
            name: "GuardBenchmarks",
            dependencies: [
                .product(name: "TrellisCore", package: "Trellis"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/GuardBenchmarks",
            swiftSettings: strictSwift6,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
