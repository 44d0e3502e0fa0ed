import Foundation
import Testing
import TrellisCore
import TrellisJSON

/// `GET /metrics`: Prometheus text with HTTP requests by route and status, events by name, and
/// each system's guard statistics.
@Suite struct AdminMetricsTests {
    @Test("HTTP requests are counted by route pattern, method and status; unmatched and invented methods are bounded")
    func requestsByRouteAndStatus() async throws {
        try await AdminTestServer.with(systems: [FlakySystem()]) { server in
            let client = server.client
            for _ in 0..<3 { #expect(try await client.get("/api/v1/flaky/ping").status == 200) }
            #expect(try await client.get("/api/v1/flaky/items/1").status == 200)
            #expect(try await client.get("/api/v1/flaky/items/two").status == 200)
            for _ in 0..<2 { #expect(try await client.get("/missing").status == 404) }
            #expect(try await client.send(.DELETE, "/api/v1/flaky/ping").status == 405)
            #expect(try await client.send(.PROPFIND, "/api/v1/flaky/ping").status == 405)
            #expect(try await client.get("/metrics").status == 401)

            let response = try await server.admin("/metrics")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            let metrics = try PrometheusText(response.text)
            #expect(metrics.types["trellis_http_requests_total"] == "counter")
            let requests = Dictionary(
                uniqueKeysWithValues: metrics.samples("trellis_http_requests_total").map {
                    ("\($0.labels["method"] ?? "?") \($0.labels["route"] ?? "?") \($0.labels["status"] ?? "?")", $0.value)
                })
            #expect(
                requests == [
                    "GET /api/v1/flaky/ping 200": 3,
                    "GET /api/v1/flaky/items/{id} 200": 2,
                    "GET unmatched 404": 2,
                    "DELETE unmatched 405": 1,
                    "other unmatched 405": 1,
                    "GET /metrics 401": 1,
                ])
            // The scrape is counted once answered: the next one shows it.
            let next = try await server.metrics()
            #expect(next.value("trellis_http_requests_total", ["route": "/metrics", "method": "GET", "status": "200"]) == 1)
        }
    }

    @Test("events are counted by name, and each subscription's deliveries by outcome")
    func eventsByName() async throws {
        try await AdminTestServer.with(systems: [FlakySystem()]) { server in
            server.harness.emit("flaky.pinged", source: "flaky")
            server.harness.emit("flaky.pinged", source: "flaky")
            let metrics = try await server.metrics()
            #expect(metrics.types["trellis_events_emitted_total"] == "counter")
            #expect(metrics.value("trellis_events_emitted_total", ["event": "flaky.pinged"]) == 2)
            // One kernel.system.started per system: harness, http, admin, server, flaky.
            #expect(metrics.value("trellis_events_emitted_total", ["event": "kernel.system.started"]) == 5)
        }
    }

    @Test("each system's hooks: calls, errors, timeouts, rejections, latency quantiles in seconds, breaker state, calls in flight")
    func guardStatistics() async throws {
        let flaky = FlakySystem()
        try await AdminTestServer.with(systems: [flaky]) { server in
            for _ in 0..<2 { #expect(try await server.client.get("/api/v1/flaky/ping").status == 200) }
            let healthy = try await server.metrics()
            let route = ["system": "flaky", "hook": "route"]
            #expect(healthy.value("trellis_hook_calls_total", route) == 2)
            #expect(healthy.value("trellis_hook_errors_total", route) == 0)
            #expect(healthy.value("trellis_hook_breaker_state", route) == 0)
            for quantile in ["0.5", "0.95", "0.99"] {
                let seconds = try #require(healthy.value("trellis_hook_latency_seconds", route.merging(["quantile": quantile]) { $1 }))
                #expect(seconds > 0 && seconds < 1, "p\(quantile) = \(seconds) s")
            }
            #expect(healthy.types["trellis_hook_latency_seconds"] == "gauge")
            #expect(healthy.value("trellis_system_calls_in_flight", ["system": "flaky"]) == 0)
            #expect(healthy.value("trellis_system_running", ["system": "flaky"]) == 1)
            #expect(healthy.value("trellis_hook_calls_total", ["system": "flaky", "hook": "start"]) == 1)

            flaky.failing.update { $0 = true }
            for _ in 0..<4 {
                let response = try await server.client.get("/api/v1/flaky/ping")
                #expect(response.status == 200)
                #expect(response.header("Trellis-Degraded") == "flaky")
            }
            let failing = try await server.metrics()
            let before = ["system": "flaky", "hook": "beforeRequest"]
            // Every request runs the hook: 2 healthy pings, 1 scrape, 3 failures that open the
            // breaker, then 1 refused ping and this scrape, refused too.
            #expect(failing.value("trellis_hook_calls_total", before) == 8)
            #expect(failing.value("trellis_hook_errors_total", before) == 3)
            #expect(failing.value("trellis_hook_rejections_total", before) == 2)
            #expect(failing.value("trellis_hook_timeouts_total", before) == 0)
            #expect(failing.value("trellis_hook_breaker_state", before) == 2)
            #expect(failing.value("trellis_hook_breaker_state", route) == 0)
            flaky.failing.update { $0 = false }
        }
    }

    @Test("trellis serve's /metrics also serves what systems record through swift-metrics")
    func processMetricsThroughSwiftMetrics() async throws {
        let directory = try ServeDirectory()
        let data = directory.path("data")
        try await InProcessServer.with(configPath: nil, dataDirectory: data) { _, client in
            let token = try String(contentsOfFile: data + "/admin-token", encoding: .utf8).trimmingCharacters(in: .newlines)
            #expect(try await client.get("/api/v1/admin/systems").status == 401)
            let response = try await client.get("/metrics", headers: [("Authorization", "Bearer \(token)")])
            let metrics = try PrometheusText(response.text)
            // Process-wide: other servers in this test process count too.
            let refused = try #require(metrics.value("trellis_admin_unauthorized_total", ["route": "/api/v1/admin/systems"]))
            #expect(refused >= 1)
            #expect(metrics.value("trellis_system_running", ["system": "admin"]) == 1)
            #expect(
                metrics.value("trellis_http_requests_total", ["route": "/api/v1/admin/systems", "method": "GET", "status": "401"]) == 1)
        }
    }
}
