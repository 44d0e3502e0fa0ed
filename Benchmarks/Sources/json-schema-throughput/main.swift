// Measures TrellisJSON validations per second for every case in Fixtures/json-schema/cases.json
// and prints them as JSON. scripts/bench_jsonschema.py measures Python's jsonschema the same
// way: one warm-up, then validate back to back until the wall-time budget is spent, reading
// the clock after every validation, and divide the count by the time taken. Both also read
// the process's CPU time at the start and the end, because on a shared machine validations
// per CPU-second move far less with the load than validations per wall-clock second.
//
//     json-schema-throughput [--seconds 3] [--warmup 0.5] [--fixtures DIR] [--case NAME]
//     json-schema-throughput --case NAME --iterations 2000   # a fixed count, for callgrind

import Foundation
import JSONSchemaFixtures
import TrellisJSON

struct Arguments {
    var seconds = 3.0
    var warmupSeconds = 0.5
    var fixtures = ValidationCase.fixturesDirectory
    var caseName: String?
    /// A fixed number of validations instead of a time budget, so a profiler sees the same work every run.
    var iterations: Int?

    init(_ arguments: [String]) {
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            guard let value = remaining.popFirst() else { Self.usage("\(flag) needs a value") }
            switch flag {
            case "--seconds": seconds = Self.seconds(value, for: flag)
            case "--warmup": warmupSeconds = Self.seconds(value, for: flag)
            case "--fixtures": fixtures = value
            case "--case": caseName = value
            case "--iterations":
                guard let count = Int(value), count > 0 else { Self.usage("--iterations takes a positive count, not \(value)") }
                iterations = count
            default: Self.usage("unknown option \(flag)")
            }
        }
    }

    static func seconds(_ value: String, for flag: String) -> Double {
        guard let seconds = Double(value), seconds >= 0 else { usage("\(flag) takes a number of seconds, not \(value)") }
        return seconds
    }

    static func usage(_ problem: String) -> Never {
        FileHandle.standardError.write(
            Data(
                "json-schema-throughput: \(problem)\nusage: json-schema-throughput [--seconds 3] [--warmup 0.5] [--fixtures DIR] [--case NAME] [--iterations N]\n"
                    .utf8))
        exit(64)
    }
}

/// How many validations ran, for how long, and how many errors the last one found.
struct Measurement {
    var validations = 0
    var seconds = 0.0
    var cpuSeconds = 0.0
    var errors = 0

    /// Validates back to back until `seconds` of wall time have passed, reading the clock after each one.
    static func timed(_ validationCase: ValidationCase, seconds: Double) -> Measurement {
        let clock = ContinuousClock()
        let cpuStart = processCPUSeconds()
        let start = clock.now
        let deadline = start.advanced(by: .nanoseconds(Int64(seconds * 1e9)))
        var measurement = Measurement()
        var now = start
        repeat {
            measurement.errors = validationCase.run()
            measurement.validations += 1
            now = clock.now
        } while now < deadline
        measurement.cpuSeconds = processCPUSeconds() - cpuStart
        measurement.seconds = Self.seconds(start.duration(to: now))
        return measurement
    }

    /// Validates exactly `count` times: the same work on every run, for a profiler.
    static func counted(_ validationCase: ValidationCase, count: Int) -> Measurement {
        var measurement = Measurement(validations: count)
        let cpuStart = processCPUSeconds()
        let elapsed = ContinuousClock().measure {
            for _ in 0..<count { measurement.errors = validationCase.run() }
        }
        measurement.cpuSeconds = processCPUSeconds() - cpuStart
        measurement.seconds = Self.seconds(elapsed)
        return measurement
    }

    /// CPU time this process has used, as Python's `time.process_time()` reads it.
    private static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

let arguments = Arguments(Array(CommandLine.arguments.dropFirst()))
let cases: [ValidationCase]
do {
    cases = try ValidationCase.all(in: arguments.fixtures).filter { arguments.caseName == nil || $0.name == arguments.caseName }
} catch {
    FileHandle.standardError.write(Data("json-schema-throughput: \(error)\n".utf8))
    exit(1)
}
if cases.isEmpty {
    Arguments.usage("no case is named \(arguments.caseName ?? ""); see \(arguments.fixtures)/cases.json")
}

var results: [JSONValue] = []
for validationCase in cases {
    let measurement: Measurement
    if let iterations = arguments.iterations {
        measurement = .counted(validationCase, count: iterations)
    } else {
        _ = Measurement.timed(validationCase, seconds: arguments.warmupSeconds)
        measurement = .timed(validationCase, seconds: arguments.seconds)
    }
    results.append([
        "name": .string(validationCase.name),
        "method": .string(validationCase.method.rawValue),
        "validations": JSONValue(measurement.validations),
        "seconds": JSONValue(measurement.seconds),
        "per_second": JSONValue(Double(measurement.validations) / measurement.seconds),
        "cpu_seconds": JSONValue(measurement.cpuSeconds),
        "per_cpu_second": JSONValue(Double(measurement.validations) / measurement.cpuSeconds),
        "errors": JSONValue(measurement.errors),
    ])
}
let report: JSONValue = [
    "implementation": "TrellisJSON (Swift, release)",
    "seconds_per_case": JSONValue(arguments.seconds),
    "results": .array(results),
]
print(report.serialized(.pretty))
