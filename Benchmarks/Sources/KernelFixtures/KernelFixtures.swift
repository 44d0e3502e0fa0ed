internal import Synchronization
public import TrellisCore
public import TrellisJSON

/// Counts deliveries so a benchmark can wait until every event has arrived.
public final class DeliveryCounter: Sendable {
    private let state = Mutex<(count: Int, target: Int, waiter: CheckedContinuation<Void, Never>?)>((0, .max, nil))

    public init() {}

    public func record() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.count += 1
            guard state.count >= state.target, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Waits until `target` deliveries have been recorded in total, then resets the count.
    public func wait(for target: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.count >= target { return true }
                state.target = target
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
        state.withLock { $0 = (0, .max, nil) }
    }
}

/// A capability for the lookup benchmark.
public protocol Clock: Sendable { func now() -> Int }
public struct FixedClock: Clock {
    public init() {}
    public func now() -> Int { 42 }
}
public let clockKey = CapabilityKey<any Clock>("bench.clock")

/// A system that listens to `bench.tick` and counts what it receives.
public struct Listener: System {
    public let id: String
    let counter: DeliveryCounter
    let capacity: Int

    public init(id: String, counter: DeliveryCounter, capacity: Int) {
        self.id = id
        self.counter = counter
        self.capacity = capacity
    }

    public var manifest: SystemManifest {
        SystemManifest(id: id, version: "1.0.0", summary: "benchmark listener", listens: ["bench.tick"])
    }

    public func register(_ registrar: inout Registrar) {
        let counter = self.counter
        registrar.on("bench.tick", capacity: capacity) { _ in counter.record() }
    }
}

/// A system that emits `bench.tick`, provides a clock, and keeps its context for benchmarks.
public final class Emitter: System, Sendable {
    private let saved = Mutex<SystemContext?>(nil)

    public init() {}

    public var manifest: SystemManifest {
        SystemManifest(
            id: "emitter", version: "1.0.0", summary: "benchmark emitter", provides: [AnyCapabilityKey(clockKey)],
            emits: ["bench.tick"],
            configSchema: ["type": "object", "properties": ["port": ["type": "integer"], "name": ["type": "string"]]],
            defaults: ["port": 8080, "name": "bench"])
    }

    public func boot(_ context: SystemContext) throws {
        try context.provide(clockKey, FixedClock())
        saved.withLock { $0 = context }
    }

    public var context: SystemContext { saved.withLock { $0! } }
}

/// Boots a kernel with one emitter and `listeners` listeners, running until `body` returns.
public func withKernel<T: Sendable>(
    listeners: Int, capacity: Int, counter: DeliveryCounter, _ body: (Kernel, Emitter) async throws -> T
) async throws -> T {
    let emitter = Emitter()
    let systems: [any System] = [emitter] + (0..<listeners).map { Listener(id: "listener_\($0)", counter: counter, capacity: capacity) }
    let kernel = try Kernel(systems: systems, environment: [:])
    let task = Task { try await kernel.run() }
    try await kernel.waitUntilRunning()
    let result = try await body(kernel, emitter)
    kernel.requestShutdown()
    try await task.value
    return result
}
