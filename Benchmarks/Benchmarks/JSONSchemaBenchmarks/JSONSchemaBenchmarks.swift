// `swift package --package-path Benchmarks benchmark`: per-case latency, throughput and
// allocations for TrellisJSON's validator, over the cases in Fixtures/json-schema/cases.json.
// scripts/bench-json-schema.sh measures the same cases against Python's jsonschema.

import Benchmark
import JSONSchemaFixtures
import TrellisJSON

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        // cpuTotal is left out: on Linux it ticks in 10 ms steps, longer than any case here.
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 10,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    let cases: [ValidationCase]
    do {
        cases = try ValidationCase.all()
    } catch {
        fatalError("JSONSchemaBenchmarks: \(error)")
    }

    for validationCase in cases {
        Benchmark(validationCase.name) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(validationCase.run())
            }
        }
    }

    // Compiling includes checking the schema against the 2020-12 meta-schema, as the default does.
    let serviceConfigSchema = cases.first { $0.schemaFile == "service-config.schema.json" }!.schemaDocument
    Benchmark("compile service config schema") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONSchema(serviceConfigSchema))
        }
    }
}
