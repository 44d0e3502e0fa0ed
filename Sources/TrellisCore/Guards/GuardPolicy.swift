public import TrellisJSON

/// How calls into one system are guarded: a time limit, a concurrency limit (bulkhead) and a
/// circuit breaker per hook.
///
/// Set in the manifest (`guardPolicy`) and overridable per system in trellis.yaml:
///
/// ```yaml
/// systems:
///   webhooks:
///     guard: { timeout_ms: 2000, max_concurrent: 16, breaker: { consecutive_failures: 3, open_ms: 5000 } }
/// ```
public struct GuardPolicy: Sendable, Hashable {
    /// Where a system's request-path calls (hooks and routes) run.
    public enum Isolation: String, Sendable, Hashable, Codable {
        /// On the system's own threads: code that blocks a thread blocks one of them, and a call
        /// that never returns is left behind at its deadline. Costs a task and a thread hop per
        /// call (microseconds), so it is the default for systems that do not say otherwise.
        case threads
        /// In the caller's task, on Swift's shared cooperative threads: a call costs its
        /// bookkeeping (tens of nanoseconds). For systems that promise never to block a thread.
        /// A call that suspends and overruns its limit is still left behind at its deadline; a
        /// call that overruns without suspending (it blocked its thread) is counted as a
        /// timeout when it returns. After either, the system's calls move to its own threads
        /// for the life of the process.
        case cooperative
    }

    /// How long a request-path call (hooks, routes, event handlers) may take. Lifecycle hooks
    /// use the manifest's ``HookTimeLimits``.
    public var timeout: Duration
    /// Calls in flight at once; more are rejected at once. Also the number of threads the
    /// system's blocking work may occupy.
    public var maxConcurrent: Int
    public var breaker: BreakerPolicy
    public var isolation: Isolation

    /// The default concurrency limit is sized for a server's request load (a route call is in
    /// flight for each concurrent request); lower it for systems that must not fan out.
    public init(
        timeout: Duration = .seconds(5), maxConcurrent: Int = 256, breaker: BreakerPolicy = BreakerPolicy(), isolation: Isolation = .threads
    ) {
        self.timeout = timeout
        self.maxConcurrent = maxConcurrent
        self.breaker = breaker
        self.isolation = isolation
    }

    /// The schema of `systems.<id>.guard` in trellis.yaml.
    public static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "timeout_ms": ["type": "integer", "minimum": 1, "maximum": 3_600_000],
            "max_concurrent": ["type": "integer", "minimum": 1, "maximum": 4_096],
            "isolation": ["enum": ["threads", "cooperative"]],
            "breaker": [
                "type": "object",
                "properties": [
                    "consecutive_failures": ["type": "integer", "minimum": 1],
                    "failure_rate": ["type": "number", "exclusiveMinimum": 0, "maximum": 1],
                    "window": ["type": "integer", "minimum": 1, "maximum": 10_000],
                    "minimum_calls": ["type": "integer", "minimum": 1],
                    "open_ms": ["type": "integer", "minimum": 1],
                    "half_open_probes": ["type": "integer", "minimum": 1, "maximum": 1_000],
                ],
                "additionalProperties": false,
            ],
        ],
        "additionalProperties": false,
    ]

    /// This policy with the members of a (schema-valid) `guard` object applied over it.
    public func overridden(by value: JSONValue) -> GuardPolicy {
        var policy = self
        if let timeout = value["timeout_ms"]?.intValue { policy.timeout = .milliseconds(timeout) }
        if let limit = value["max_concurrent"]?.intValue { policy.maxConcurrent = limit }
        if let isolation = value["isolation"]?.stringValue.flatMap(Isolation.init(rawValue:)) { policy.isolation = isolation }
        if let breaker = value["breaker"] {
            if let count = breaker["consecutive_failures"]?.intValue { policy.breaker.consecutiveFailures = count }
            if let rate = breaker["failure_rate"]?.doubleValue { policy.breaker.failureRateThreshold = rate }
            if let window = breaker["window"]?.intValue { policy.breaker.windowSize = window }
            if let minimum = breaker["minimum_calls"]?.intValue { policy.breaker.minimumCalls = minimum }
            if let open = breaker["open_ms"]?.intValue { policy.breaker.openDuration = .milliseconds(open) }
            if let probes = breaker["half_open_probes"]?.intValue { policy.breaker.halfOpenProbes = probes }
        }
        return policy
    }
}

/// When a circuit breaker opens and how it recovers.
///
/// Defaults follow resilience4j's spirit with shorter waits suited to a request path: open on
/// 5 consecutive failures, or on a failure rate of 50 % over the last 20 calls once at least
/// 10 were made; stay open 10 s; then let 3 probe calls through (half-open): all succeed →
/// closed, any fails → open again.
public struct BreakerPolicy: Sendable, Hashable {
    public var consecutiveFailures: Int
    public var failureRateThreshold: Double
    /// The sliding window, in calls.
    public var windowSize: Int
    public var minimumCalls: Int
    public var openDuration: Duration
    public var halfOpenProbes: Int

    public init(
        consecutiveFailures: Int = 5, failureRateThreshold: Double = 0.5, windowSize: Int = 20, minimumCalls: Int = 10,
        openDuration: Duration = .seconds(10), halfOpenProbes: Int = 3
    ) {
        self.consecutiveFailures = consecutiveFailures
        self.failureRateThreshold = failureRateThreshold
        self.windowSize = windowSize
        self.minimumCalls = minimumCalls
        self.openDuration = openDuration
        self.halfOpenProbes = halfOpenProbes
    }
}
