import Synchronization
import TrellisCore
import TrellisJSON

/// A system whose hooks are closures, so each test builds exactly the behaviour it checks.
/// Every hook call is recorded in `log` as `<id>.<hook>` before the closure runs.
struct TestSystem: System {
    let manifest: SystemManifest
    var log: HookLog?
    var onRegister: @Sendable (inout Registrar) -> Void = { _ in }
    var onBoot: @Sendable (SystemContext) throws -> Void = { _ in }
    var onStart: @Sendable (SystemContext) async throws -> Void = { _ in }
    var onHealth: @Sendable (SystemContext) async -> HealthReport = { _ in .up }
    var onStop: @Sendable (SystemContext) async throws -> Void = { _ in }

    init(_ manifest: SystemManifest, log: HookLog? = nil) {
        self.manifest = manifest
        self.log = log
    }

    func register(_ registrar: inout Registrar) {
        log?.append("\(manifest.id).register")
        onRegister(&registrar)
    }

    func boot(_ context: SystemContext) throws {
        log?.append("\(manifest.id).boot")
        try onBoot(context)
    }

    func start(_ context: SystemContext) async throws {
        log?.append("\(manifest.id).start")
        try await onStart(context)
    }

    func health(_ context: SystemContext) async -> HealthReport {
        await onHealth(context)
    }

    func stop(_ context: SystemContext) async throws {
        log?.append("\(manifest.id).stop")
        try await onStop(context)
    }
}

/// A ``TestSystem`` that can take a new config while running.
struct ReconfigurableTestSystem: Reconfigurable {
    var base: TestSystem
    var onReconfigure: @Sendable (JSONValue, SystemContext) async throws -> Void = { _, _ in }

    init(_ manifest: SystemManifest, log: HookLog? = nil) {
        base = TestSystem(manifest, log: log)
    }

    var manifest: SystemManifest { base.manifest }
    func register(_ registrar: inout Registrar) { base.register(&registrar) }
    func boot(_ context: SystemContext) throws { try base.boot(context) }
    func start(_ context: SystemContext) async throws { try await base.start(context) }
    func health(_ context: SystemContext) async -> HealthReport { await base.health(context) }
    func stop(_ context: SystemContext) async throws { try await base.stop(context) }

    func reconfigure(_ config: JSONValue, context: SystemContext) async throws {
        base.log?.append("\(manifest.id).reconfigure")
        try await onReconfigure(config, context)
    }
}

/// An ordered record of hook calls, shared by the systems of one test.
final class HookLog: Sendable {
    private let entries = Mutex<[String]>([])

    func append(_ entry: String) { entries.withLock { $0.append(entry) } }

    var all: [String] { entries.withLock { $0 } }

    /// The entries for one hook, as system ids in call order (`start` → `["db", "jobs"]`).
    func systems(calling hook: String) -> [String] {
        all.compactMap { entry in
            entry.hasSuffix(".\(hook)") ? String(entry.dropLast(hook.count + 1)) : nil
        }
    }

    func count(_ entry: String) -> Int { all.filter { $0 == entry }.count }
}

/// An error with a fixed description, so messages that embed it can be asserted exactly.
struct Boom: Error, CustomStringConvertible {
    var description: String
    init(_ description: String = "boom") { self.description = description }
}

/// A latch a handler or hook waits on until the test opens it.
final class Gate: Sendable {
    private struct State {
        var open = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let openAlready = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if openAlready { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// A thread-safe box for values a handler collects.
final class Collected<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    func append(_ value: Value) { values.withLock { $0.append(value) } }

    var all: [Value] { values.withLock { $0 } }
}

extension SystemManifest {
    /// A manifest with test defaults: version 1.0.0, an id-based summary.
    static func test(
        _ id: String,
        requires: [String] = [],
        optional: [String] = [],
        provides: [AnyCapabilityKey] = [],
        consumes: [AnyCapabilityKey] = [],
        emits: [String] = [],
        listens: [String] = [],
        configSchema: JSONValue = ["type": "object"],
        defaults: JSONValue = [:],
        critical: Bool = false,
        timeLimits: HookTimeLimits = HookTimeLimits()
    ) -> SystemManifest {
        SystemManifest(
            id: id, version: "1.0.0", summary: "test system \(id)", requires: requires, optional: optional,
            provides: provides, consumes: consumes, emits: emits, listens: listens, configSchema: configSchema,
            defaults: defaults, critical: critical, timeLimits: timeLimits)
    }
}
