internal import TrellisCore
internal import TrellisJSON

/// The body of `GET /api/v1/admin/systems`: every system in plan order with its state,
/// health, breakers and per-hook guard statistics.
///
/// ```json
/// [{"id": "search", "version": "1.2.0", "summary": "…", "state": "running", "critical": false,
///   "health": {"status": "degraded", "message": "circuit breakers: beforeRequest open", "details": {…}},
///   "breakers": {"beforeRequest": "open"}, "calls_in_flight": 0, "isolation": "threads",
///   "hooks": [{"hook": "beforeRequest", "calls": 12, "errors": 5, "timeouts": 0, "rejections": 7,
///              "latency_us": {"p50": 40, "p95": 95, "p99": 120}, "breaker": "open"}]}]
/// ```
///
/// `reason` appears for a disabled or failed system; `health` is `null` for one that is not running.
/// `isolation` is where its request-path calls run now: `cooperative` (in the request's task)
/// or `threads` (its own), which a cooperative system becomes after overrunning a limit.
enum SystemsReport {
    static func render(_ kernel: Kernel) async -> JSONValue {
        let health = await kernel.health()
        let states = Dictionary(await kernel.systemStates.map { ($0.id, $0.state) }, uniquingKeysWith: { first, _ in first })
        return .array(
            health.systems.map { system in
                var entry: JSONObject = ["id": .string(system.id)]
                if let manifest = kernel.manifest(of: system.id) {
                    entry["version"] = .string(manifest.version)
                    entry["summary"] = .string(manifest.summary)
                }
                entry["state"] = .string(system.state)
                switch states[system.id] {
                case .disabled(let reason)?, .failed(let reason)?: entry["reason"] = .string(reason)
                default: break
                }
                entry["critical"] = .bool(system.critical)
                entry["health"] = system.report.map(json) ?? .null
                let systemGuard = kernel.guards[system.id]
                var breakers: JSONObject = [:]
                for (hook, state) in (systemGuard?.breakerStates ?? [:]).sorted(by: { $0.key < $1.key }) {
                    breakers[hook] = .string(state.rawValue)
                }
                entry["breakers"] = .object(breakers)
                entry["calls_in_flight"] = JSONValue(systemGuard?.callsInFlight ?? 0)
                if let systemGuard { entry["isolation"] = .string(systemGuard.isolation.rawValue) }
                entry["hooks"] = .array((systemGuard?.statistics ?? []).map(json))
                return .object(entry)
            })
    }

    private static func json(_ report: HealthReport) -> JSONValue {
        var object: JSONObject = ["status": .string(report.status.rawValue)]
        if let message = report.message { object["message"] = .string(message) }
        if report.details != [:] { object["details"] = report.details }
        return .object(object)
    }

    private static func json(_ statistics: HookStatistics) -> JSONValue {
        [
            "hook": .string(statistics.hook),
            "calls": JSONValue(statistics.calls),
            "errors": JSONValue(statistics.errors),
            "timeouts": JSONValue(statistics.timeouts),
            "rejections": JSONValue(statistics.rejections),
            "latency_us": [
                "p50": JSONValue(Int(statistics.p50Microseconds)), "p95": JSONValue(Int(statistics.p95Microseconds)),
                "p99": JSONValue(Int(statistics.p99Microseconds)),
            ],
            "breaker": .string(statistics.breaker.rawValue),
        ]
    }
}
