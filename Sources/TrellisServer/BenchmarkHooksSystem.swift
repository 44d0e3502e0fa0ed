internal import Hummingbird
internal import TrellisCore
internal import TrellisHTTPCapability

/// A system whose request hooks do nothing, so a benchmark can measure what the guard around
/// each hook costs (``ServerOptions/benchmarkHookSystems``, `scripts/bench-guards`).
struct BenchmarkHooksSystem: System {
    let id: String
    /// ``SynchronousRequestHooks`` or async ``RequestHooks``.
    let synchronous: Bool
    /// Empty hooks never block, so they run `cooperative`; `systems.<id>.guard.isolation:
    /// threads` in trellis.yaml measures the hop to the system's own threads instead.
    let isolation: GuardPolicy.Isolation

    /// `count` of them, `bench_hooks_1`…`bench_hooks_<count>`.
    static func systems(_ count: Int, synchronous: Bool, isolation: GuardPolicy.Isolation) -> [any System] {
        (0..<max(0, count)).map { BenchmarkHooksSystem(id: "bench_hooks_\($0 + 1)", synchronous: synchronous, isolation: isolation) }
    }

    var manifest: SystemManifest {
        SystemManifest(
            id: id, version: "1.0.0", summary: "Empty request hooks, for the guard overhead benchmark", requires: ["http"],
            consumes: [AnyCapabilityKey(httpRoutingKey)], guardPolicy: GuardPolicy(isolation: isolation))
    }

    func start(_ context: SystemContext) async throws {
        let routing = try context.capability(httpRoutingKey)
        if synchronous {
            routing.addHooks(EmptySynchronousHooks(), system: id)
        } else {
            routing.addHooks(EmptyHooks(), system: id)
        }
    }

    func stop(_ context: SystemContext) async throws {
        (try? context.capability(httpRoutingKey))?.remove(owner: id)
    }

    /// `beforeRequest` goes on, `afterResponse` returns the response as it is.
    private struct EmptyHooks: RequestHooks {
        nonisolated(nonsending) func beforeRequest(_ request: Request, context: TrellisRequestContext) async throws -> Response? {
            nil
        }

        nonisolated(nonsending) func afterResponse(_ response: consuming Response, request: Request, context: TrellisRequestContext)
            async throws -> Response
        {
            response
        }
    }

    /// The same, synchronous: `afterResponse` keeps the response (`nil`).
    private struct EmptySynchronousHooks: SynchronousRequestHooks {
        func beforeRequest(_ request: Request, context: TrellisRequestContext) throws -> Response? {
            nil
        }

        func afterResponse(_ response: borrowing Response, request: Request, context: TrellisRequestContext) throws -> Response? {
            nil
        }
    }
}
