internal import Synchronization

/// Guards every call into one system: a concurrency limit (bulkhead), a circuit breaker per
/// hook, a time limit that holds even when the callee ignores cancellation, isolation of the
/// callee on the system's own threads, and per-hook statistics.
///
/// ```swift
/// let value = try await systemGuard.call("beforeRequest") { try await hooks.beforeRequest(request) }
/// ```
public final class SystemGuard: Sendable {
    public let systemID: String
    public let policy: GuardPolicy
    public let critical: Bool
    private let clock: any GuardClock
    /// The system's own threads: guarded calls run here, and so do its event subscribers' queues.
    let executor: IsolationExecutor
    private let inFlight = InFlightCounter()
    private let hooks = Mutex<[String: (breaker: CircuitBreaker, recorder: HookRecorder)]>([:])
    private let onTransition: @Sendable (String, String, CircuitBreaker.State, CircuitBreaker.State) -> Void

    init(
        systemID: String, policy: GuardPolicy, critical: Bool, clock: any GuardClock = ContinuousGuardClock(),
        onTransition:
            @escaping @Sendable (_ system: String, _ hook: String, _ from: CircuitBreaker.State, _ to: CircuitBreaker.State) -> Void
    ) {
        self.systemID = systemID
        self.policy = policy
        self.critical = critical
        self.clock = clock
        self.executor = IsolationExecutor(name: systemID, maximumThreads: policy.maxConcurrent)
        self.onTransition = onTransition
    }

    /// Calls `operation` under the guard.
    ///
    /// - Parameters:
    ///   - timeout: overrides the policy's limit (lifecycle hooks use the manifest's).
    ///   - exemptFromBulkhead: the call neither takes a slot nor is refused for want of one. The
    ///     kernel's control calls (`reconfigure`, `stop`) are exempt: a system whose slots are all
    ///     held by hung or blocked calls must still take the config that cures it, and stop.
    /// - Throws: ``GuardError`` when the call is refused or times out; otherwise what `operation` throws.
    public func call<T: Sendable>(
        _ hook: String, timeout: Duration? = nil, awaitWhenCancelled: Bool = false, exemptFromBulkhead: Bool = false,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let (breaker, recorder) = entry(for: hook)
        let limit = policy.maxConcurrent
        guard exemptFromBulkhead || inFlight.enter(limit: limit) else {
            recorder.rejected()
            throw GuardError.concurrencyLimit(system: systemID, hook: hook, limit: limit)
        }
        guard breaker.acquire() else {
            if !exemptFromBulkhead { inFlight.leave() }
            recorder.rejected()
            throw GuardError.breakerOpen(system: systemID, hook: hook)
        }
        let started = ContinuousClock.now
        let inFlight = self.inFlight
        // The slot is freed when the call really ends, not when the caller stops waiting,
        // so a straggler still counts against the limit.
        var release: (@Sendable () -> Void)?
        if !exemptFromBulkhead { release = { @Sendable in inFlight.leave() } }
        do {
            let value = try await runGuarded(
                limit: timeout ?? policy.timeout, executor: executor,
                timeoutError: GuardError.timedOut(system: systemID, hook: hook, limit: timeout ?? policy.timeout),
                awaitWhenCancelled: awaitWhenCancelled, whenFinished: release, operation)
            breaker.record(success: true)
            recorder.record(.success, latency: ContinuousClock.now - started)
            return value
        } catch let error as GuardError {
            breaker.record(success: false)
            recorder.record(.timeout, latency: ContinuousClock.now - started)
            throw error
        } catch is CancellationError {
            // The caller gave up; that says nothing about the system's health.
            breaker.record(success: true)
            recorder.record(.success, latency: ContinuousClock.now - started)
            throw CancellationError()
        } catch {
            breaker.record(success: false)
            recorder.record(.error, latency: ContinuousClock.now - started)
            throw error
        }
    }

    /// A guarded call site for a caller that is already running on this system's threads and
    /// calls the same hook over and over (an event subscriber's queue): calls run in the
    /// caller's own task, with no task or deadline entry per call.
    ///
    /// The time limit still holds for the caller's purposes: one ``InlineWatch`` per call site
    /// notices a call past its limit, counts it as a timeout and runs `onTimeout`, so the caller
    /// can carry on elsewhere (the event bus starts a fresh task for the subscriber's queue);
    /// the stuck task stays with the operation until it returns.
    func inlineCallSite(_ hook: String, onTimeout: @escaping @Sendable () -> Void) -> InlineCallSite {
        let (breaker, recorder) = entry(for: hook)
        return InlineCallSite(
            systemID: systemID, hook: hook, policy: policy, inFlight: inFlight, breaker: breaker, recorder: recorder,
            watch: InlineWatch(limit: policy.timeout) {
                breaker.record(success: false)
                recorder.record(.timeout, latency: self.policy.timeout)
                onTimeout()
            })
    }

    /// The state of each hook's breaker (hooks never called are not listed).
    public var breakerStates: [String: CircuitBreaker.State] {
        hooks.withLock { $0.mapValues { $0.breaker.state } }
    }

    /// Statistics of every hook called so far, sorted by hook name.
    public var statistics: [HookStatistics] {
        hooks.withLock { $0 }.sorted { $0.key < $1.key }.map { $0.value.recorder.snapshot(breaker: $0.value.breaker.state) }
    }

    /// Calls in flight now, stragglers included.
    public var callsInFlight: Int { inFlight.count }

    /// Threads started for this system's blocking work.
    var isolationThreads: Int { executor.threadCount }

    private func entry(for hook: String) -> (CircuitBreaker, HookRecorder) {
        hooks.withLock { hooks in
            if let existing = hooks[hook] { return (existing.breaker, existing.recorder) }
            let systemID = self.systemID
            let onTransition = self.onTransition
            let breaker = CircuitBreaker(policy: policy.breaker, clock: clock) { from, to in onTransition(systemID, hook, from, to) }
            let recorder = HookRecorder(system: systemID, hook: hook)
            hooks[hook] = (breaker, recorder)
            return (breaker, recorder)
        }
    }
}

/// Calls in flight for one system, shared with the tasks that finish them.
final class InFlightCounter: Sendable {
    private let value = Mutex(0)

    /// Takes a slot if fewer than `limit` are taken.
    func enter(limit: Int) -> Bool {
        value.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() {
        value.withLock { $0 -= 1 }
    }

    var count: Int { value.withLock { $0 } }
}
