import Foundation
import Testing
import TrellisCore
import TrellisJSON

/// `/health` shows a system whose breaker is open as degraded, with the breaker, and up again
/// once a half-open probe succeeds.
@Suite struct AdminHealthTests {
    @Test("health is degraded while a breaker is open and up again after a successful probe")
    func degradedWhileOpenThenRecovers() async throws {
        let flaky = FlakySystem(openDuration: .milliseconds(300))
        try await AdminTestServer.with(systems: [flaky]) { server in
            #expect(try await server.client.get("/health").json()["status"] == "up")

            flaky.failing.update { $0 = true }
            for _ in 0..<3 { #expect(try await server.client.get("/api/v1/flaky/ping").status == 200) }
            // This request's own hook is refused by the open breaker: it is still answered.
            let degraded = try await server.client.get("/health")
            #expect(degraded.status == 200)
            #expect(degraded.header("Trellis-Degraded") == "flaky")
            let health = try degraded.json()
            #expect(health["status"] == "degraded")
            #expect(
                health["systems"]?.arrayValue?.first { $0["id"] == "flaky" }
                    == ["id": "flaky", "state": "running", "status": "degraded", "message": "circuit breakers: beforeRequest open"])
            #expect(try await server.metrics().value("trellis_hook_breaker_state", ["system": "flaky", "hook": "beforeRequest"]) == 2)

            // The fault goes away; after open_ms the next call is a probe, and it succeeds.
            flaky.failing.update { $0 = false }
            try await Task.sleep(for: flaky.openDuration + .milliseconds(100))
            let probe = try await server.client.get("/api/v1/flaky/ping")
            #expect(probe.status == 200)
            #expect(probe.header("Trellis-Degraded") == nil)
            let recovered = try await server.client.get("/health")
            #expect(try recovered.json()["status"] == "up")
            #expect(try await server.system("flaky")["breakers"]?["beforeRequest"] == "closed")
            #expect(try await server.metrics().value("trellis_hook_breaker_state", ["system": "flaky", "hook": "beforeRequest"]) == 0)
        }
    }
}
