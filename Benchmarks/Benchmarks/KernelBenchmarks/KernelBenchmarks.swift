// `swift package --package-path Benchmarks benchmark --target KernelBenchmarks`: what a
// system pays to look up a capability and to read its config, per call.

import Benchmark
import KernelFixtures
import TrellisCore
import TrellisJSON

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal], warmupIterations: 100, scalingFactor: .kilo,
        maxDuration: .seconds(2))

    Benchmark("capability lookup (context.capability)") { benchmark in
        try await withKernel(listeners: 0, capacity: 16, counter: DeliveryCounter()) { _, emitter in
            let context = emitter.context
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try context.capability(clockKey)) }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("config read (context.config JSON)") { benchmark in
        try await withKernel(listeners: 0, capacity: 16, counter: DeliveryCounter()) { _, emitter in
            let context = emitter.context
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(context.config["port"]?.intValue) }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("config read (context.configReader, swift-configuration)") { benchmark in
        try await withKernel(listeners: 0, capacity: 16, counter: DeliveryCounter()) { _, emitter in
            let reader = emitter.context.configReader
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(reader.int(forKey: "port")) }
            benchmark.stopMeasurement()
        }
    }
}
