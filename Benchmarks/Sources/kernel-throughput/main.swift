// Events per second delivered to 1 and to 10 async subscribers through the kernel's
// EventBus, against a bare AsyncStream delivering the same payloads to the same number of
// consumer tasks, measured back to back in the same process. The ratio is what matters.
//
//   swift build -c release --package-path Benchmarks --product kernel-throughput
//   Benchmarks/.build/release/kernel-throughput [--events N] [--rounds R]

import Foundation
import KernelFixtures
import TrellisCore
import TrellisJSON

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else {
        return fallback
    }
    return value
}
let events = option("--events", 200_000)
let rounds = option("--rounds", 3)
let payload: JSONValue = ["order": 1234, "status": "paid", "amount": 99.5]

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// The baseline: one AsyncStream per subscriber, each drained by its own task.
func baseline(subscribers: Int) async -> Double {
    let counter = DeliveryCounter()
    let streams = (0..<subscribers).map { _ in AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingOldest(events)) }
    return await withTaskGroup(of: Void.self) { group in
        for (stream, _) in streams {
            group.addTask { for await _ in stream { counter.record() } }
        }
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<events {
            let event = Event(name: "bench.tick", source: "emitter", payload: payload)
            for (_, continuation) in streams { continuation.yield(event) }
        }
        await counter.wait(for: events * subscribers)
        let elapsed = clock.now - start
        for (_, continuation) in streams { continuation.finish() }
        await group.waitForAll()
        return Double(events) / seconds(elapsed)
    }
}

/// The kernel's bus: `emit` to every subscriber's queue, each drained by its own task.
func bus(subscribers: Int) async throws -> Double {
    let counter = DeliveryCounter()
    return try await withKernel(listeners: subscribers, capacity: events, counter: counter) { kernel, _ in
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<events {
            kernel.events.emit(Event(name: "bench.tick", source: "emitter", payload: payload))
        }
        await counter.wait(for: events * subscribers)
        return Double(events) / seconds(clock.now - start)
    }
}

print("events per second (each event delivered to every subscriber), \(events) events, best of \(rounds) rounds")
print("| subscribers | AsyncStream baseline | Trellis EventBus | ratio |")
print("| ---: | ---: | ---: | ---: |")
for subscribers in [1, 10] {
    var bestBaseline = 0.0
    var bestBus = 0.0
    for _ in 0..<rounds {
        bestBaseline = max(bestBaseline, await baseline(subscribers: subscribers))
        bestBus = max(bestBus, try await bus(subscribers: subscribers))
    }
    print(String(format: "| %d | %.0f | %.0f | %.2f |", subscribers, bestBaseline, bestBus, bestBus / bestBaseline))
}
