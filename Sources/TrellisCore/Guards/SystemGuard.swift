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
        onTransition: @escaping @Sendable (_ system: String, _ hook: String, _ from: CircuitBreaker.State, _ to: CircuitBreaker.State) -> Void
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

    /// Calls `operation` in the caller's own task, for callers already running on this system's
    /// threads (an event subscriber's queue runs there), saving the hop to a new task.
    ///
    /// The time limit still holds for the caller's purposes: at the deadline the call is
    /// counted as a timeout and `onTimeout` runs, so the caller can carry on elsewhere (the
    /// event bus starts a fresh task for the subscriber's queue); this task stays with the
    /// operation until it returns. Limits, breaker and statistics are those of ``call(_:timeout:awaitWhenCancelled:_:)``.
    func callInline<T>(
        _ hook: String, timeout: Duration? = nil, onTimeout: @escaping @Sendable () -> Void, _ operation: () async throws -> T
    ) async throws -> T {
        let (breaker, recorder) = entry(for: hook)
        let limit = timeout ?? policy.timeout
        guard inFlight.enter(limit: policy.maxConcurrent) else {
            recorder.rejected()
            throw GuardError.concurrencyLimit(system: systemID, hook: hook, limit: policy.maxConcurrent)
        }
        defer { inFlight.leave() }
        guard breaker.acquire() else {
            recorder.rejected()
            throw GuardError.breakerOpen(system: systemID, hook: hook)
        }
        let outcome = SettledOnce()
        let started = ContinuousClock.now
        let deadline = DeadlineScheduler.shared.schedule(at: started + limit) {
            guard outcome.settle() else { return }
            breaker.record(success: false)
            recorder.record(.timeout, latency: limit)
            onTimeout()
        }
        do {
            let value = try await operation()
            DeadlineScheduler.shared.cancel(deadline)
            if outcome.settle() {
                breaker.record(success: true)
                recorder.record(.success, latency: ContinuousClock.now - started)
            }
            return value
        } catch {
            DeadlineScheduler.shared.cancel(deadline)
            if outcome.settle() {
                breaker.record(success: false)
                recorder.record(.error, latency: ContinuousClock.now - started)
            }
            throw error
        }
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
private final class InFlightCounter: Sendable {
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

/// Decides once between a call's completion and its deadline.
private final class SettledOnce: Sendable {
    private let settled = Mutex(false)

    /// Returns `true` for the first caller only.
    func settle() -> Bool {
        settled.withLock { settled in
            defer { settled = true }
            return !settled
        }
    }
}
