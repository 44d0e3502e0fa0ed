// `swift package --package-path Benchmarks benchmark --target GuardBenchmarks`: what one call
// through a system's guard costs, next to the same closure called directly, in the same run:
//
// - on the system's own threads (`isolation: threads`): bulkhead, breaker, a task on the
//   system's executor, a deadline, statistics;
// - in the caller's task (`isolation: cooperative`): the same bookkeeping inside a
//   `GuardedRun`, 20 calls per run as an HTTP request with 10 hook systems makes them, and
//   the run itself (one task started with `Task.immediate`) on its own;
// - synchronous (`GuardSite.callSynchronously`, how `SynchronousRequestHooks` are called): the
//   bookkeeping alone on the caller's thread, 20 calls back to back sharing clock reads, next to
//   20 direct calls of the same closure.

import Benchmark
import TrellisCore

/// A system that only exists to own a guard.
struct Guarded: System {
    let isolation: GuardPolicy.Isolation
    var manifest: SystemManifest {
        SystemManifest(id: "x", version: "1.0.0", summary: "owns the guard under test", guardPolicy: GuardPolicy(isolation: isolation))
    }
}

/// One run of `calls` guarded calls through `site`, as the HTTP responder makes them.
func guardedRun(_ site: GuardSite?, calls: Int) async throws -> Int {
    try await GuardedRun<Int, Int>.run(from: 0) { start, run in
        var total = 0
        for step in start..<calls {
            run.save(step)
            if let site { total += try await run.call(site) { 1 } } else { total += 1 }
        }
        return total
    } afterTimeout: { step, _ in
        step + 1
    }
}

/// `calls` synchronous guarded calls back to back through `site` (direct calls without one).
@inline(never)
func synchronousCalls(_ site: GuardSite?, calls: Int, _ operation: () throws -> Int) throws -> Int {
    var total = 0
    var clock = GuardClockReading()
    for _ in 0..<calls {
        if let site { total += try site.callSynchronously(clock: &clock, operation) } else { total += try operation() }
    }
    return total
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

    Benchmark("guarded call, isolation threads (guard.call)") { benchmark in
        let kernel = try Kernel(systems: [Guarded(isolation: .threads)], environment: [:])
        let systemGuard = kernel.guards["x"]!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await systemGuard.call("h") { 1 }) }
        benchmark.stopMeasurement()
    }

    Benchmark("guarded run of 20 calls, isolation cooperative (per run)") { benchmark in
        let kernel = try Kernel(systems: [Guarded(isolation: .cooperative)], environment: [:])
        let site = kernel.guards["x"]!.site("h")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await guardedRun(site, calls: 20)) }
        benchmark.stopMeasurement()
    }

    Benchmark("guarded run of 20 unguarded steps (the run alone, per run)") { benchmark in
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await guardedRun(nil, calls: 20)) }
        benchmark.stopMeasurement()
    }

    Benchmark("20 synchronous guarded calls (callSynchronously)") { benchmark in
        let kernel = try Kernel(systems: [Guarded(isolation: .cooperative)], environment: [:])
        let site = kernel.guards["x"]!.site("h")
        let operation: () throws -> Int = { 1 }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try synchronousCalls(site, calls: 20, operation)) }
        benchmark.stopMeasurement()
    }

    Benchmark("20 direct synchronous calls (baseline)") { benchmark in
        let operation: () throws -> Int = { 1 }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try synchronousCalls(nil, calls: 20, operation)) }
        benchmark.stopMeasurement()
    }
}
