internal import Hummingbird
internal import TrellisCore
internal import TrellisHTTPCapability

/// A system whose request hooks do nothing, so a benchmark can measure what the guard around
/// each hook costs (``ServerOptions/benchmarkHookSystems``, `scripts/bench-guards`).
struct BenchmarkHooksSystem: System {
    let id: String
    /// Empty hooks never block, so they run `cooperative`; `systems.<id>.guard.isolation:
    /// threads` in trellis.yaml measures the hop to the system's own threads instead.
    let isolation: GuardPolicy.Isolation

    /// `count` of them, `bench_hooks_1`…`bench_hooks_<count>`.
    static func systems(_ count: Int, isolation: GuardPolicy.Isolation) -> [any System] {
        (0..<max(0, count)).map { BenchmarkHooksSystem(id: "bench_hooks_\($0 + 1)", isolation: isolation) }
    }

    var manifest: SystemManifest {
        SystemManifest(
            id: id, version: "1.0.0", summary: "Empty request hooks, for the guard overhead benchmark", requires: ["http"],
            consumes: [AnyCapabilityKey(httpRoutingKey)], guardPolicy: GuardPolicy(isolation: isolation))
    }

    func start(_ context: SystemContext) async throws {
        try context.capability(httpRoutingKey).addHooks(EmptyHooks(), system: id)
    }

    func stop(_ context: SystemContext) async throws {
        (try? context.capability(httpRoutingKey))?.remove(owner: id)
    }

    /// The protocol's defaults: `beforeRequest` returns `nil`, `afterResponse` the response as it is.
    private struct EmptyHooks: RequestHooks {}
}
