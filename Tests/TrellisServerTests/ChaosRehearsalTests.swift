import Foundation
import Testing
import TrellisCore
import TrellisJSON
import TrellisServer

/// The fault rehearsal over real loopback: for each chaos mode, 16 concurrent clients for 2 s
/// against a mock endpoint while the chaos system misbehaves. The server must answer every
/// request (200 with `Trellis-Degraded: chaos`, or the documented 503 problem when chaos is
/// critical), `/health` must show chaos degraded with its breaker state, and after the fault
/// is switched off at runtime (trellis.yaml rewritten, then reloaded as SIGHUP does) the
/// half-open probes must bring chaos back `up`. Each mode prints `answered/sent`.
@Suite(.serialized) struct ChaosRehearsalTests {
    static let clients = 16
    static let faultDuration: Duration = .seconds(2)
    static let hello = #"{"message":"Hello, World!"}"#

    /// trellis.yaml with chaos enabled under a short guard policy (200 ms, 4 slots, a breaker
    /// opening after 3 failures for 1 s) and `faults` (target → mode).
    static func config(
        _ faults: [String: String], delayMilliseconds: Int = 1_000, critical: Bool = false, isolation: String = "threads"
    ) -> String {
        let targets = ["before_request", "after_response", "event", "start", "health"].map { target in
            "      \(target): { mode: \(faults[target] ?? "none"), delay_ms: \(delayMilliseconds) }"
        }
        return """
            name: chaos-rehearsal
            environment: development
            server: { access_log: false }
            systems:
              chaos:
                enabled: true
                guard: { timeout_ms: 200, max_concurrent: 4, breaker: { consecutive_failures: 3, open_ms: 1000 }, isolation: \(isolation) }
                config:
            \(targets.joined(separator: "\n"))
                  critical: \(critical)
                  tick_ms: 250
            endpoints:
              - { path: /hello, mode: mock, body: { message: "Hello, World!" } }

            """
    }

    /// A request hook fault: every answer is the mock's 200, marked degraded by chaos.
    static func degradedHello(_ response: EndpointsTestResponse) -> String? {
        guard response.status == 200, response.text == hello else { return "\(response.status) \(response.text)" }
        guard response.header("Trellis-Degraded") == "chaos" else {
            return "Trellis-Degraded is \(response.header("Trellis-Degraded") ?? "missing")"
        }
        return nil
    }

    /// After the fault: the mock's 200, degraded or not (half-open breakers still refuse some calls).
    static func hello(_ response: EndpointsTestResponse) -> String? {
        response.status == 200 && response.text == hello ? nil : "\(response.status) \(response.text)"
    }

    /// Critical chaos's failure: the 503 problem naming it.
    static func unavailable(_ response: EndpointsTestResponse) -> String? {
        let problem = try? response.json()
        guard response.status == 503, response.header("Content-Type") == "application/problem+json",
            problem?["type"] == "https://trellis.dev/problems/system-unavailable", problem?["system"] == "chaos",
            problem?["detail"]?.stringValue?.hasPrefix("chaos is critical and its beforeRequest hook failed: ") == true
        else { return "\(response.status) \(response.text)" }
        return nil
    }

    /// `/health` during a fault: 200 (chaos is not critical, so the server is degraded, not down).
    static func degradedHealth(_ response: EndpointsTestResponse) -> String? {
        guard response.status == 200, (try? response.json())?["status"] == "degraded" else { return "\(response.status) \(response.text)" }
        return nil
    }

    static func chaosEntry(_ health: JSONValue) -> JSONValue? {
        health["systems"]?.arrayValue?.first { $0["id"] == "chaos" }
    }

    @Test(arguments: [
        ("throw", 1_000),
        // 1 s against a 200 ms limit: the guard times the hooks out; the sleep is cancelled.
        ("delay", 1_000),
        ("hang", 1_000),
        // Each blocked call holds one of chaos's 4 threads for 1.5 s.
        ("block_thread", 1_500),
    ])
    func requestHookFault(mode: String, delayMilliseconds: Int) async throws {
        let faults = ["before_request": mode, "after_response": mode, "event": mode]
        try await Self.rehearse(Self.config(faults, delayMilliseconds: delayMilliseconds)) { running, load, directory in
            let chaosGuard = try #require(running.server.kernel.guards["chaos"])
            // While the clients run: /health every 50 ms, and how many slots chaos holds.
            async let probes = load.run(
                "/health", clients: 1, for: Self.faultDuration, pause: .milliseconds(50), check: Self.degradedHealth)
            async let slots = Self.peakCallsInFlight(chaosGuard, for: Self.faultDuration)
            let fault = await load.run("/hello", clients: Self.clients, for: Self.faultDuration, check: Self.degradedHello)
            let (health, peak) = await (probes, slots)
            print(
                "chaos rehearsal [\(mode)]: /hello \(fault.figure), /health \(health.figure); p99 /hello \(fault.percentile(99).inMilliseconds) ms, /health \(health.percentile(99).inMilliseconds) ms; chaos slots in use at peak \(peak)/4"
            )
            #expect(fault.problems.isEmpty, "\(fault.problems.prefix(5))")
            #expect(health.problems.isEmpty, "\(health.problems.prefix(5))")
            #expect(fault.sent > Self.clients && fault.answered == fault.sent)
            #expect(health.sent > 10 && health.answered == health.sent)

            let during = try await load.get("/health").json()
            let chaos = try #require(Self.chaosEntry(during))
            #expect(during["status"] == "degraded")
            #expect(chaos["state"] == "running")
            #expect(chaos["status"] != "up")
            #expect(chaos["message"]?.stringValue?.contains("circuit breakers: ") == true, "\(chaos)")
            let others = during["systems"]?.arrayValue?.filter { $0["id"] != "chaos" } ?? []
            #expect(others.allSatisfy { $0["status"] == "up" }, "\(others)")

            if mode == "block_thread" {
                // Every slot the bulkhead allows is blocked, yet the server answers promptly:
                // the blocked threads are chaos's own, not Swift's cooperative pool.
                #expect(peak == 4)
                #expect(fault.percentile(99) < .milliseconds(500))
                #expect(health.percentile(99) < .milliseconds(500))
            }

            try directory.write("trellis.yaml", Self.config([:]))
            try await running.server.reload()
            let recovery = try await Self.recover(load)
            print("chaos rehearsal [\(mode)]: recovered after the fault was switched off; /hello \(recovery.figure) meanwhile")
            #expect(recovery.problems.isEmpty, "\(recovery.problems.prefix(5))")
            #expect(recovery.answered == recovery.sent)
            for _ in 0..<10 {
                let response = try await load.get("/hello")
                #expect(response.status == 200 && response.header("Trellis-Degraded") == nil)
            }
        }
    }

    /// Chaos claiming to be cooperative (its calls made in the request's own task) and then
    /// hanging or blocking: the requests still all get their degraded 200, the overrun is a
    /// timeout, and chaos's calls move to its own threads after the first one.
    @Test(arguments: [("hang", 1_000), ("block_thread", 400)])
    func aCooperativeSystemThatOverrunsMovesToItsOwnThreads(mode: String, delayMilliseconds: Int) async throws {
        let faults = ["before_request": mode, "after_response": mode]
        let config = Self.config(faults, delayMilliseconds: delayMilliseconds, isolation: "cooperative")
        try await Self.rehearse(config) { running, load, _ in
            let chaosGuard = try #require(running.server.kernel.guards["chaos"])
            #expect(chaosGuard.isolation == .cooperative)
            let fault = await load.run("/hello", clients: Self.clients, for: Self.faultDuration, check: Self.degradedHello)
            print(
                "chaos rehearsal [\(mode), cooperative]: /hello \(fault.figure); p50 \(fault.percentile(50).inMilliseconds) ms, p99 \(fault.percentile(99).inMilliseconds) ms; chaos now on \(chaosGuard.isolation.rawValue)"
            )
            #expect(fault.problems.isEmpty, "\(fault.problems.prefix(5))")
            #expect(fault.sent > Self.clients && fault.answered == fault.sent)
            #expect(chaosGuard.isolation == .threads)
            let stats = chaosGuard.statistics.filter { $0.hook == "beforeRequest" || $0.hook == "afterResponse" }
            #expect(stats.reduce(0) { $0 + $1.timeouts } >= 1, "\(stats)")
            if mode == "hang" {
                // A hang suspends: the run leaves it behind at the 200 ms deadline.
                #expect(fault.percentile(50) < .milliseconds(500))
            }
        }
    }

    /// Chaos critical: every request fails with the documented 503 problem instead of degrading.
    @Test func criticalChaosFailsRequestsWithA503Problem() async throws {
        let faults = ["before_request": "throw", "after_response": "throw"]
        try await Self.rehearse(Self.config(faults, critical: true)) { running, load, directory in
            try await load.get("/hello").expectProblem(
                503, "System unavailable",
                detail:
                    "chaos is critical and its beforeRequest hook failed: chaos's before_request failed on purpose (systems.chaos.config.before_request.mode: throw)",
                instance: "/hello", type: "https://trellis.dev/problems/system-unavailable", extra: ["system": "chaos"])
            let fault = await load.run("/hello", clients: Self.clients, for: Self.faultDuration, check: Self.unavailable)
            print(
                "chaos rehearsal [throw, critical]: /hello \(fault.figure) (503 problem each); p99 \(fault.percentile(99).inMilliseconds) ms"
            )
            #expect(fault.problems.isEmpty, "\(fault.problems.prefix(5))")
            #expect(fault.sent > Self.clients && fault.answered == fault.sent)
            // /health is a request too, so chaos's hook fails it as well; ask the kernel.
            let health = await running.server.kernel.health()
            let chaos = try #require(health.systems.first { $0.id == "chaos" })
            #expect(chaos.critical)
            #expect(chaos.report?.status == .degraded)
            #expect(chaos.report?.message?.contains("circuit breakers: beforeRequest open") == true, "\(String(describing: chaos.report))")
            #expect(health.status == .degraded)

            try directory.write("trellis.yaml", Self.config([:], critical: true))
            try await running.server.reload()
            // Until the half-open probes close the breakers, a request may still get the 503.
            let recovery = try await Self.recover(load) { Self.hello($0) == nil ? nil : Self.unavailable($0) }
            print("chaos rehearsal [throw, critical]: recovered after the fault was switched off; /hello \(recovery.figure) meanwhile")
            #expect(recovery.problems.isEmpty, "\(recovery.problems.prefix(5))")
            #expect(try await load.get("/hello").text == Self.hello)
        }
    }

    /// `fail_start`: chaos fails at boot with its reason; the rest of the server serves.
    @Test func failStartLeavesTheRestRunning() async throws {
        try await Self.rehearse(Self.config(["start": "fail_start"])) { running, load, _ in
            let reason =
                "failed to start: chaos failed to start on purpose (systems.chaos.config.start.mode: fail_start); set it to none to let it start"
            #expect(running.banner.contains("not running: chaos (\(reason))"), "\(running.banner)")
            let fault = await load.run("/hello", clients: Self.clients, for: Self.faultDuration) { response in
                guard response.status == 200, response.text == Self.hello, response.header("Trellis-Degraded") == nil else {
                    return "\(response.status) \(response.header("Trellis-Degraded") ?? "") \(response.text)"
                }
                return nil
            }
            print("chaos rehearsal [fail_start]: /hello \(fault.figure); chaos \(reason)")
            #expect(fault.problems.isEmpty, "\(fault.problems.prefix(5))")
            #expect(fault.sent > Self.clients && fault.answered == fault.sent)
            let health = try await load.get("/health")
            #expect(health.status == 200)
            let body = try health.json()
            #expect(body["status"] == "degraded")
            #expect(Self.chaosEntry(body) == ["id": "chaos", "state": "failed", "status": "down", "message": .string(reason)])
            let others = body["systems"]?.arrayValue?.filter { $0["id"] != "chaos" } ?? []
            #expect(!others.isEmpty && others.allSatisfy { $0["state"] == "running" && $0["status"] == "up" }, "\(others)")
        }
    }

    /// Serves `config` (written to a fresh folder's trellis.yaml) in this process, with concurrent
    /// clients, for the duration of `body`; then stops both, whatever happens.
    static func rehearse(
        _ config: String, _ body: (InProcessServer, ChaosLoad, ServeDirectory) async throws -> Void
    ) async throws {
        let directory = try ServeDirectory()
        let path = try directory.write("trellis.yaml", config)
        let running = try await InProcessServer.start(configPath: path, dataDirectory: directory.path("data"))
        let load = ChaosLoad(port: running.port)
        do {
            try await body(running, load, directory)
        } catch {
            try? await load.shutdown()
            try? await running.stop()
            throw error
        }
        try await load.shutdown()
        try await running.stop()
    }

    /// Keeps 4 clients on `/hello` (every answer must pass `check`) while polling `/health`
    /// until chaos and the server are `up` again, through the breakers' half-open probes.
    static func recover(
        _ load: ChaosLoad, within limit: Duration = .seconds(20),
        check: @escaping @Sendable (EndpointsTestResponse) -> String? = ChaosRehearsalTests.hello
    ) async throws -> ChaosLoadReport {
        let deadline = ContinuousClock.now + limit
        var meanwhile = ChaosLoadReport()
        var last: JSONValue = .null
        while ContinuousClock.now < deadline {
            meanwhile.merge(await load.run("/hello", clients: 4, for: .milliseconds(300), check: check))
            let response = try await load.get("/health")
            last = (try? response.json()) ?? .string(response.text)
            if response.status == 200, last["status"] == "up", chaosEntry(last)?["status"] == "up" { return meanwhile }
        }
        throw ServeTestFailure("chaos did not recover within \(limit) of the fault being switched off; /health: \(last)")
    }

    /// The most calls chaos had in flight at once, sampled every 5 ms.
    static func peakCallsInFlight(_ systemGuard: SystemGuard, for duration: Duration) async -> Int {
        let end = ContinuousClock.now + duration
        var peak = 0
        while ContinuousClock.now < end {
            peak = max(peak, systemGuard.callsInFlight)
            try? await Task.sleep(for: .milliseconds(5))
        }
        return peak
    }
}
