import Foundation
import Testing
import TrellisCore
import TrellisJSON

/// `GET /api/v1/admin/systems`: each system's id, version, state, health, breakers and stats.
@Suite struct AdminSystemsTests {
    @Test("every system in plan order, with version, state, criticality, health, breakers and hook statistics")
    func shape() async throws {
        try await AdminTestServer.with(systems: [FlakySystem()]) { server in
            #expect(try await server.client.get("/api/v1/flaky/ping").status == 200)
            let response = try await server.admin("/api/v1/admin/systems")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            guard case .array(let systems) = try response.json() else { throw ServeTestFailure("not an array: \(response.text)") }
            #expect(systems.map { $0["id"] } == ["harness", "http", "admin", "flaky", "server"])

            let http = try #require(systems.first { $0["id"] == "http" })
            #expect(http["version"] == "1.0.0")
            #expect(http["state"] == "running")
            #expect(http["reason"] == nil)
            #expect(http["critical"] == true)
            #expect(
                http["health"]
                    == [
                        "status": "up", "message": .string("listening on 127.0.0.1:\(server.port)"),
                        "details": ["host": "127.0.0.1", "port": JSONValue(server.port)],
                    ])
            #expect(http["calls_in_flight"] == 0)
            #expect(http["isolation"] == "threads")
            #expect(systems.first { $0["id"] == "server" }?["isolation"] == "cooperative")

            let flaky = try #require(systems.first { $0["id"] == "flaky" })
            #expect(flaky["version"] == "2.1.0")
            #expect(flaky["summary"] == "Test system with a hook that fails on demand")
            #expect(flaky["critical"] == false)
            #expect(flaky["health"] == ["status": "up"])
            #expect(
                flaky["breakers"] == [
                    "afterResponse": "closed", "beforeRequest": "closed", "boot": "closed", "health": "closed", "route": "closed",
                    "start": "closed",
                ])
            guard case .array(let hooks) = flaky["hooks"] else { throw ServeTestFailure("no hooks: \(flaky)") }
            #expect(hooks.map { $0["hook"] } == ["afterResponse", "beforeRequest", "boot", "health", "route", "start"])
            let route = try #require(hooks.first { $0["hook"] == "route" })
            #expect(route["calls"] == 1)
            #expect(route["errors"] == 0)
            #expect(route["timeouts"] == 0)
            #expect(route["rejections"] == 0)
            #expect(route["breaker"] == "closed")
            let p50 = try #require(route["latency_us"]?["p50"]?.intValue)
            let p99 = try #require(route["latency_us"]?["p99"]?.intValue)
            #expect(p50 >= 1 && p50 <= p99 && p99 < 1_000_000)
        }
    }

    @Test("a system whose hook keeps failing shows the errors, its open breaker and degraded health")
    func failingHook() async throws {
        let flaky = FlakySystem()
        try await AdminTestServer.with(systems: [flaky]) { server in
            flaky.failing.update { $0 = true }
            for _ in 0..<3 { #expect(try await server.client.get("/api/v1/flaky/ping").header("Trellis-Degraded") == "flaky") }
            let entry = try await server.system("flaky")
            #expect(entry["state"] == "running")
            #expect(
                entry["health"]
                    == [
                        "status": "degraded", "message": "circuit breakers: beforeRequest open",
                        "details": ["breakers": ["beforeRequest": "open"]],
                    ])
            #expect(entry["breakers"]?["beforeRequest"] == "open")
            let before = try #require(entry["hooks"]?.arrayValue?.first { $0["hook"] == "beforeRequest" })
            // 3 failures open the breaker; the request for this report was refused.
            #expect(before["calls"] == 4)
            #expect(before["errors"] == 3)
            #expect(before["rejections"] == 1)
            #expect(before["breaker"] == "open")
            flaky.failing.update { $0 = false }
        }
    }

    @Test("a disabled system has its reason and no health; a failed one its reason and health down")
    func notRunning() async throws {
        try await AdminTestServer.with(systems: [FlakySystem(), BrokenSystem(reason: "the index is missing")], disabled: ["flaky"]) {
            server in
            let flaky = try await server.system("flaky")
            #expect(flaky["state"] == "disabled")
            #expect(flaky["reason"] == "disabled in trellis.yaml")
            #expect(flaky["health"] == .null)
            #expect(flaky["hooks"] == [])
            let failed = try await server.system("broken")
            #expect(failed["state"] == "failed")
            #expect(failed["reason"] == "failed to start: the index is missing")
            #expect(failed["health"] == ["status": "down", "message": "failed to start: the index is missing"])
        }
    }
}
