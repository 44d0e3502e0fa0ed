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
}
