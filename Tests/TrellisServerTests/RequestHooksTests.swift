import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import Testing
import TrellisCore
import TrellisHTTPCapability
import TrellisJSON

/// Systems' `beforeRequest` / `afterResponse` hooks over real loopback: plan order, an early
/// answer, changes to the response, and a hook that times out after another changed the response.
@Suite struct RequestHooksTests {
    /// What the hooks did, in order.
    final class Trace: Sendable {
        private let steps = Mutex<[String]>([])
        func add(_ step: String) { steps.withLock { $0.append(step) } }
        func take() -> [String] {
            steps.withLock { steps in
                defer { steps = [] }
                return steps
            }
        }
    }

    /// A system whose hooks note themselves in the trace and mark the response with a header.
    /// `first` serves `GET /api/v1/first/hello`; a `beforeRequest` of the system answering
    /// `answersEarly` answers `/api/v1/first/teapot` itself; `hangsAfter` makes its
    /// `afterResponse` hang past its 100 ms limit, ignoring cancellation.
    struct HookSystem: System {
        let id: String
        let requires: [String]
        let trace: Trace
        var answersEarly = false
        var hangsAfter = false

        var manifest: SystemManifest {
            SystemManifest(
                id: id, version: "1.0.0", summary: "request hooks under test", requires: ["http"] + requires,
                consumes: [AnyCapabilityKey(httpRoutingKey)],
                guardPolicy: GuardPolicy(timeout: .milliseconds(100), isolation: .cooperative))
        }

        func start(_ context: SystemContext) async throws {
            let routing = try context.capability(httpRoutingKey)
            if id == "first" {
                routing.setRoutes(
                    [
                        Route(.get, "/hello") { [trace] _, _ in
                            trace.add("route")
                            return Response.json(["hello": "world"])
                        }
                    ], system: id)
            }
            routing.addHooks(Hooks(id: id, trace: trace, answersEarly: answersEarly, hangsAfter: hangsAfter), system: id)
        }

        struct Hooks: RequestHooks {
            let id: String
            let trace: Trace
            let answersEarly: Bool
            let hangsAfter: Bool

            nonisolated(nonsending) func beforeRequest(_ request: Request, context: TrellisRequestContext) async throws -> Response? {
                trace.add("\(id).before")
                guard answersEarly, request.uri.path.hasSuffix("/teapot") else { return nil }
                return Response(
                    status: .init(code: 418), headers: [.contentType: "text/plain"],
                    body: .init(byteBuffer: .init(string: "short and stout")))
            }

            nonisolated(nonsending) func afterResponse(
                _ response: consuming Response, request: Request, context: TrellisRequestContext
            ) async throws -> Response {
                trace.add("\(id).after")
                if hangsAfter {
                    await Task.detached { try? await Task.sleep(for: .seconds(30)) }.value
                }
                response.headers[HTTPField.Name("X-Seen-By-\(id)")!] = "yes"
                return response
            }
        }
    }

    /// A system with ``SynchronousRequestHooks``, after `first` in the plan: notes itself in the
    /// trace and marks the response, misbehaving as `behavior` says.
    struct SynchronousHookSystem: System {
        enum Behavior: Sendable {
            case marks
            /// `beforeRequest` answers `/api/v1/first/teapot` itself.
            case answersEarly
            /// `afterResponse` throws.
            case throwsAfter
            /// The first `beforeRequest` blocks its thread past the 100 ms limit.
            case blocksOnce
        }

        let id: String
        let trace: Trace
        let behavior: Behavior
        var critical = false

        var manifest: SystemManifest {
            SystemManifest(
                id: id, version: "1.0.0", summary: "synchronous request hooks under test", requires: ["http", "first"],
                consumes: [AnyCapabilityKey(httpRoutingKey)], critical: critical,
                guardPolicy: GuardPolicy(timeout: .milliseconds(100), isolation: .cooperative))
        }

        func start(_ context: SystemContext) async throws {
            try context.capability(httpRoutingKey).addHooks(Hooks(id: id, trace: trace, behavior: behavior), system: id)
        }

        struct Failure: Error {}

        final class Hooks: SynchronousRequestHooks {
            let id: String
            let trace: Trace
            let behavior: Behavior
            let blocked = Atomic(false)

            init(id: String, trace: Trace, behavior: Behavior) {
                self.id = id
                self.trace = trace
                self.behavior = behavior
            }

            func beforeRequest(_ request: Request, context: TrellisRequestContext) throws -> Response? {
                trace.add("\(id).before")
                if behavior == .blocksOnce, !blocked.exchange(true, ordering: .relaxed) {
                    Thread.sleep(forTimeInterval: 0.3)
                }
                guard behavior == .answersEarly, request.uri.path.hasSuffix("/teapot") else { return nil }
                return Response(status: .init(code: 418), body: .init(byteBuffer: .init(string: "synchronously stout")))
            }

            func afterResponse(_ response: borrowing Response, request: Request, context: TrellisRequestContext) throws -> Response? {
                trace.add("\(id).after")
                if behavior == .throwsAfter { throw Failure() }
                var marked = copy response
                marked.headers[HTTPField.Name("X-Seen-By-\(id)")!] = "yes"
                return marked
            }
        }
    }

    /// `first`, then a system with synchronous hooks, then `second` (async again).
    static func mixedSystems(_ trace: Trace, _ behavior: SynchronousHookSystem.Behavior, critical: Bool = false) -> [any System] {
        [
            HookSystem(id: "second", requires: ["quick"], trace: trace),
            SynchronousHookSystem(id: "quick", trace: trace, behavior: behavior, critical: critical),
            HookSystem(id: "first", requires: [], trace: trace),
        ]
    }

    /// `first`, and `second`, which requires it, so the plan puts it after.
    static func systems(_ trace: Trace, firstAnswersEarly: Bool = false, secondHangsAfter: Bool = false) -> [any System] {
        [
            HookSystem(id: "second", requires: ["first"], trace: trace, hangsAfter: secondHangsAfter),
            HookSystem(id: "first", requires: [], trace: trace, answersEarly: firstAnswersEarly),
        ]
    }

    @Test func hooksRunInPlanOrderAroundTheRouteAndTheirChangesReachTheClient() async throws {
        let trace = Trace()
        try await AdminTestServer.with(systems: Self.systems(trace)) { server in
            _ = trace.take()
            let response = try await server.client.get("/api/v1/first/hello")
            #expect(response.status == 200)
            #expect(try response.json() == ["hello": "world"])
            #expect(response.header("X-Seen-By-first") == "yes")
            #expect(response.header("X-Seen-By-second") == "yes")
            #expect(response.header("Trellis-Degraded") == nil)
            #expect(trace.take() == ["first.before", "second.before", "route", "first.after", "second.after"])
        }
    }

    @Test func aBeforeRequestHookCanAnswerAndTheAfterResponseHooksStillRun() async throws {
        let trace = Trace()
        try await AdminTestServer.with(systems: Self.systems(trace, firstAnswersEarly: true)) { server in
            _ = trace.take()
            let response = try await server.client.get("/api/v1/first/teapot")
            #expect(response.status == 418)
            #expect(response.text == "short and stout")
            #expect(response.header("X-Seen-By-first") == "yes")
            #expect(response.header("X-Seen-By-second") == "yes")
            // Nothing is routed at /teapot: the hook's answer stands instead of a 404, and
            // neither the later beforeRequest hook nor any route ran.
            #expect(trace.take() == ["first.before", "first.after", "second.after"])
        }
    }

    @Test func answersThatNeedNoRouteGoThroughTheHooksToo() async throws {
        let trace = Trace()
        try await AdminTestServer.with(systems: Self.systems(trace)) { server in
            _ = trace.take()
            let missing = try await server.client.get("/nowhere")
            #expect(missing.status == 404)
            #expect(missing.header("Content-Type") == "application/problem+json")
            #expect(missing.header("X-Seen-By-first") == "yes" && missing.header("X-Seen-By-second") == "yes")
            #expect(trace.take() == ["first.before", "second.before", "first.after", "second.after"])

            let wrongMethod = try await server.client.send(.DELETE, "/api/v1/first/hello")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "GET")
            #expect(wrongMethod.header("X-Seen-By-second") == "yes")
            #expect(trace.take() == ["first.before", "second.before", "first.after", "second.after"])
        }
    }

    @Test func aBodyOverTheLimitIsRefusedBeforeAnyHookRuns() async throws {
        // No system's code sees the request: a hook reading the body cannot fail on it, so
        // oversized requests cannot trip a system's breaker.
        let trace = Trace()
        try await AdminTestServer.with(systems: Self.systems(trace)) { server in
            _ = trace.take()
            let oversized = String(repeating: "x", count: (1 << 20) + 1)
            let response = try await server.client.send(.POST, "/api/v1/first/hello", body: oversized)
            #expect(response.status == 413)
            #expect(response.header("X-Seen-By-first") == nil)
            #expect(trace.take() == [])
        }
    }

    @Test func anAfterResponseHookThatTimesOutIsSkippedAndTheResponseIsTheOneBeforeIt() async throws {
        let trace = Trace()
        try await AdminTestServer.with(systems: Self.systems(trace, secondHangsAfter: true)) { server in
            _ = trace.take()
            let response = try await server.client.get("/api/v1/first/hello")
            #expect(response.status == 200)
            #expect(try response.json() == ["hello": "world"])
            // `first`'s change is kept; `second`'s never came, and second is named as degraded.
            #expect(response.header("X-Seen-By-first") == "yes")
            #expect(response.header("X-Seen-By-second") == nil)
            #expect(response.header("Trellis-Degraded") == "second")
            #expect(trace.take() == ["first.before", "second.before", "route", "first.after", "second.after"])
            let stats = try #require(server.harness.kernel.guards["second"]?.statistics.first { $0.hook == "afterResponse" })
            #expect(stats.timeouts == 1)
        }
    }

    @Test func synchronousHooksRunInPlanOrderAmongAsyncOnesAndTheirChangesReachTheClient() async throws {
        let trace = Trace()
        try await AdminTestServer.with(systems: Self.mixedSystems(trace, .marks)) { server in
            _ = trace.take()
            for _ in 0..<3 {
                let response = try await server.client.get("/api/v1/first/hello")
                #expect(response.status == 200)
                #expect(try response.json() == ["hello": "world"])
                #expect(response.header("X-Seen-By-first") == "yes")
                #expect(response.header("X-Seen-By-quick") == "yes")
                #expect(response.header("X-Seen-By-second") == "yes")
                #expect(response.header("Trellis-Degraded") == nil)
                #expect(
                    trace.take() == [
                        "first.before", "quick.before", "second.before", "route", "first.after", "quick.after", "second.after",
                    ])
            }
            let quick = try #require(server.harness.kernel.guards["quick"])
            #expect(quick.runsCooperatively)
            let stats = try #require(quick.statistics.first { $0.hook == "afterResponse" })
            #expect(stats.calls == 3 && stats.errors == 0)
        }
    }

    @Test func aSynchronousBeforeRequestHookCanAnswer() async throws {
        let trace = Trace()
        try await AdminTestServer.with(systems: Self.mixedSystems(trace, .answersEarly)) { server in
            _ = trace.take()
            let response = try await server.client.get("/api/v1/first/teapot")
            #expect(response.status == 418)
            #expect(response.text == "synchronously stout")
            #expect(response.header("X-Seen-By-quick") == "yes")
            #expect(trace.take() == ["first.before", "quick.before", "first.after", "quick.after", "second.after"])
        }
    }

    @Test func aSynchronousHookThatThrowsIsSkippedAndLeavesTheResponseAsItWas() async throws {
        let trace = Trace()
        try await AdminTestServer.with(systems: Self.mixedSystems(trace, .throwsAfter)) { server in
            _ = trace.take()
            let response = try await server.client.get("/api/v1/first/hello")
            #expect(response.status == 200)
            #expect(try response.json() == ["hello": "world"])
            #expect(response.header("X-Seen-By-first") == "yes")
            #expect(response.header("X-Seen-By-quick") == nil)
            // The hooks after it still ran.
            #expect(response.header("X-Seen-By-second") == "yes")
            #expect(response.header("Trellis-Degraded") == "quick")
            let stats = try #require(server.harness.kernel.guards["quick"]?.statistics.first { $0.hook == "afterResponse" })
            #expect(stats.errors == 1)
        }
    }

    @Test func aCriticalSynchronousHookThatThrowsFailsTheRequestWithA503NamingIt() async throws {
        let trace = Trace()
        try await AdminTestServer.with(systems: Self.mixedSystems(trace, .throwsAfter, critical: true)) { server in
            let response = try await server.client.get("/api/v1/first/hello")
            #expect(response.status == 503)
            #expect(response.header("Content-Type") == "application/problem+json")
            let problem = try response.json()
            #expect(problem["system"] == "quick")
            #expect(problem["type"] == "https://trellis.dev/problems/system-unavailable")
        }
    }

    @Test func aSynchronousHookThatBlocksPastItsLimitIsSkippedAndItsSystemMovesToItsOwnThreads() async throws {
        let trace = Trace()
        try await AdminTestServer.with(systems: Self.mixedSystems(trace, .blocksOnce)) { server in
            _ = trace.take()
            let late = try await server.client.get("/api/v1/first/hello")
            // Found late when it returned: skipped, and the request went on.
            #expect(late.status == 200)
            #expect(late.header("Trellis-Degraded") == "quick")
            let quick = try #require(server.harness.kernel.guards["quick"])
            #expect(quick.isolation == .threads)
            let stats = try #require(quick.statistics.first { $0.hook == "beforeRequest" })
            #expect(stats.timeouts == 1)
            _ = trace.take()
            // From then on its hooks run on its own threads, and still do their work.
            let next = try await server.client.get("/api/v1/first/hello")
            #expect(next.status == 200)
            #expect(next.header("Trellis-Degraded") == nil)
            #expect(next.header("X-Seen-By-quick") == "yes")
            #expect(
                trace.take() == ["first.before", "quick.before", "second.before", "route", "first.after", "quick.after", "second.after"])
        }
    }
}
