// `swift package --package-path Benchmarks benchmark --target GuardBenchmarks`: what one call
// through a system's guard costs (bulkhead, breaker, a task on the system's own threads, a
// deadline, statistics), next to the same closure called directly, in the same run.

import Benchmark
import TrellisCore

/// A system that only exists to own a guard.
struct Guarded: System {
    var manifest: SystemManifest { SystemManifest(id: "x", version: "1.0.0", summary: "owns the guard under test") }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 100, scalingFactor: .kilo, maxDuration: .seconds(3))

    Benchmark("direct call (baseline)") { benchmark in
        let operation: @Sendable () async throws -> Int = { 1 }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await operation()) }
        benchmark.stopMeasurement()
    }

    Benchmark("guarded call (kernel.guards[\"x\"]!.call)") { benchmark in
        let kernel = try Kernel(systems: [Guarded()], environment: [:])
        let systemGuard = kernel.guards["x"]!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await systemGuard.call("h") { 1 }) }
        benchmark.stopMeasurement()
    }
}
