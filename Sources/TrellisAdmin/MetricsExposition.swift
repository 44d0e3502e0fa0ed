internal import Prometheus
internal import TrellisCore
internal import TrellisHTTPCapability

/// `/metrics` in Prometheus text format, built at scrape time from the kernel's snapshots.
///
/// Each scrape fills a fresh `PrometheusCollectorRegistry` with the current values, as
/// client_golang's const-metric collectors do: the counts already live in the guards, the
/// event bus and the http system, so copying them when asked keeps the request path free of
/// metrics work, and a system that went away leaves no stale series behind.
///
/// | series | type | labels |
/// |---|---|---|
/// | `trellis_http_requests_total` | counter | `route` (pattern or `unmatched`), `method`, `status` |
/// | `trellis_events_emitted_total` | counter | `event` |
/// | `trellis_event_deliveries_total` | counter | `system`, `pattern`, `outcome` (`delivered`, `failed`, `dropped`) |
/// | `trellis_hook_calls_total`, `…_errors_total`, `…_timeouts_total`, `…_rejections_total` | counter | `system`, `hook` |
/// | `trellis_hook_latency_seconds` | gauge | `system`, `hook`, `quantile` (`0.5`, `0.95`, `0.99`) |
/// | `trellis_hook_breaker_state` | gauge | `system`, `hook`; 0 closed, 1 half-open, 2 open |
/// | `trellis_system_calls_in_flight` | gauge | `system` |
/// | `trellis_system_running` | gauge | `system`; 1 running, 0 otherwise |
enum MetricsExposition {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition: the kernel's series, then the process registry's (swift-metrics).
    static func render(kernel: Kernel, requests: [HTTPRequestCount], process: PrometheusCollectorRegistry?) async -> [UInt8] {
        let registry = PrometheusCollectorRegistry()
        let httpRequests = family("http", "requests", "total", "HTTP requests answered, by route pattern, method and status")
        for request in requests {
            registry.makeCounter(
                descriptor: httpRequests,
                labels: [("route", request.route), ("method", request.method), ("status", String(request.status))]
            ).increment(by: Int64(request.count))
        }
        let emitted = family("events", "emitted", "total", "Events emitted, by name")
        for (event, count) in kernel.events.emittedCounts {
            registry.makeCounter(descriptor: emitted, labels: [("event", event)]).increment(by: Int64(count))
        }
        let deliveries = family("event", "deliveries", "total", "Events handed to each subscription, by outcome")
        for subscriber in kernel.events.statistics {
            for (outcome, count) in [("delivered", subscriber.delivered), ("failed", subscriber.failed), ("dropped", subscriber.dropped)] {
                registry.makeCounter(
                    descriptor: deliveries,
                    labels: [("system", subscriber.systemID), ("pattern", subscriber.pattern), ("outcome", outcome)]
                ).increment(by: Int64(count))
            }
        }
        let running = family("system", "running", "", "1 when the system is running, 0 otherwise")
        for (id, state) in await kernel.systemStates {
            let value: Double = if case .running = state { 1 } else { 0 }
            registry.makeGauge(descriptor: running, labels: [("system", id)]).set(to: value)
        }
        let inFlight = family("system", "calls_in_flight", "", "Guarded calls into the system in flight, stragglers included")
        for (id, systemGuard) in kernel.guards.all {
            registry.makeGauge(descriptor: inFlight, labels: [("system", id)]).set(to: Double(systemGuard.callsInFlight))
            for statistics in systemGuard.statistics {
                add(statistics, to: registry)
            }
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        process?.emit(into: &buffer)
        return buffer
    }

    private static func add(_ statistics: HookStatistics, to registry: PrometheusCollectorRegistry) {
        let labels = [("system", statistics.system), ("hook", statistics.hook)]
        let counters = [
            (family("hook", "calls", "total", "Guarded calls, by system and hook"), statistics.calls),
            (family("hook", "errors", "total", "Guarded calls that threw"), statistics.errors),
            (family("hook", "timeouts", "total", "Guarded calls that ran out of time"), statistics.timeouts),
            (family("hook", "rejections", "total", "Guarded calls refused by the bulkhead or an open breaker"), statistics.rejections),
        ]
        for (descriptor, value) in counters {
            registry.makeCounter(descriptor: descriptor, labels: labels).increment(by: Int64(value))
        }
        let latency = family("hook", "latency", "seconds", "Latency of completed guarded calls at a quantile (HDR histogram since start)")
        let quantiles: [(String, UInt64)] = [
            ("0.5", statistics.p50Microseconds), ("0.95", statistics.p95Microseconds), ("0.99", statistics.p99Microseconds),
        ]
        for (quantile, microseconds) in quantiles {
            registry.makeGauge(descriptor: latency, labels: labels + [("quantile", quantile)]).set(to: Double(microseconds) / 1_000_000)
        }
        let breaker = family("hook", "breaker_state", "", "Circuit breaker: 0 closed, 1 half-open, 2 open")
        registry.makeGauge(descriptor: breaker, labels: labels).set(to: breakerValue(statistics.breaker))
    }

    /// `trellis_<subsystem>_<name>_<unit>` with its help text.
    private static func family(_ subsystem: String, _ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "trellis", subsystem: subsystem, metricName: name, unitName: unit, helpText: help)
    }

    static func breakerValue(_ state: CircuitBreaker.State) -> Double {
        switch state {
        case .closed: 0
        case .halfOpen: 1
        case .open: 2
        }
    }
}
