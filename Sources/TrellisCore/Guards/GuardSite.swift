/// One hook of one system as its callers see it: the system's bulkhead, the hook's breaker and
/// statistics, looked up once. Get one with ``SystemGuard/site(_:)`` and keep it for a caller
/// that calls the hook over and over (the HTTP system keeps one per hook and route).
///
/// A call goes one of two ways, by the system's ``GuardPolicy/Isolation``:
/// ``callIsolated(timeout:awaitWhenCancelled:exemptFromBulkhead:_:)`` runs it on the system's
/// own threads; ``GuardedRun/call(_:_:)`` runs it in the caller's task.
public final class GuardSite: Sendable {
    public let hook: String
    @usableFromInline let owner: SystemGuard
    @usableFromInline let breaker: CircuitBreaker
    @usableFromInline let recorder: HookRecorder

    /// ``limit`` in nanoseconds, for ``GuardedRun``'s per-call path.
    @usableFromInline let limitNanoseconds: Int64
    /// The system's bulkhead, reached without retaining its counter (see ``InFlightCounter``).
    @usableFromInline let slots: InFlightCounter.Slots
    @usableFromInline let maxConcurrent: Int

    init(owner: SystemGuard, hook: String, breaker: CircuitBreaker, recorder: HookRecorder) {
        self.owner = owner
        self.hook = hook
        self.breaker = breaker
        self.recorder = recorder
        self.limitNanoseconds = GuardTime.nanoseconds(owner.policy.timeout)
        self.slots = owner.inFlight.slots
        self.maxConcurrent = owner.policy.maxConcurrent
    }

    public var systemID: String { owner.systemID }

    /// Whether the system is critical: its failure fails the request instead of degrading it.
    public var isCritical: Bool { owner.critical }

    /// Whether calls run in the caller's task now (see ``SystemGuard/runsCooperatively``).
    @inlinable public var runsCooperatively: Bool { owner.runsCooperatively }

    /// How long a request-path call may take.
    @usableFromInline var limit: Duration { owner.policy.timeout }

    @usableFromInline var timeoutError: GuardError { .timedOut(system: owner.systemID, hook: hook, limit: limit) }

    // The per-call path of a cooperative call (``GuardedRun``) is inlined into it: a closed
    // breaker, a free slot and a success into a settled breaker are an atomic operation or
    // two each, and calls into this module around them cost as much again.

    /// Takes a bulkhead slot and the breaker's permission, or throws why not (counted as a rejection).
    @inlinable func admit() throws(GuardError) {
        if breaker.isClosed, slots.enter(limit: maxConcurrent) { return }
        try admitOtherwise()
    }

    /// ``admit()`` when the breaker is not closed or no slot was free at first sight.
    @usableFromInline func admitOtherwise() throws(GuardError) {
        guard slots.enter(limit: maxConcurrent) else {
            recorder.rejected()
            throw .concurrencyLimit(system: owner.systemID, hook: hook, limit: maxConcurrent)
        }
        guard breaker.acquire() else {
            slots.leave()
            recorder.rejected()
            throw .breakerOpen(system: owner.systemID, hook: hook)
        }
    }

    /// Frees the slot ``admit()`` took.
    @inlinable func release() {
        slots.leave()
    }

    /// Records how a permitted call ended: returned (`error` is `nil`) or threw `error`.
    func record(_ error: (any Error)?, latency: Duration) {
        record(error, nanoseconds: GuardTime.nanoseconds(latency))
    }

    /// ``record(_:latency:)`` with the latency in nanoseconds.
    @inlinable func record(_ error: (any Error)?, nanoseconds: Int64) {
        if case .none = error, breaker.isSettled {
            // A success changes nothing in a breaker whose window holds only successes.
            recorder.recordLatency(nanoseconds: nanoseconds)
            return
        }
        recordOtherwise(error, nanoseconds: nanoseconds)
    }

    @usableFromInline func recordOtherwise(_ error: (any Error)?, nanoseconds: Int64) {
        let outcome: HookRecorder.Outcome
        switch error {
        case nil:
            outcome = .success
        case is GuardError:
            outcome = .timeout
        case is CancellationError:
            // The caller gave up; that says nothing about the system's health.
            outcome = .success
        default:
            outcome = .error
        }
        breaker.record(success: outcome == .success)
        recorder.record(outcome, nanoseconds: nanoseconds)
    }

    /// Records a call that ran past its limit in the caller's task, and moves the system's
    /// calls to its own threads.
    @usableFromInline func recordOverrun(nanoseconds: Int64) {
        breaker.record(success: false)
        recorder.record(.timeout, nanoseconds: nanoseconds)
        owner.isolate(after: hook, overran: .nanoseconds(nanoseconds))
    }

    /// Calls synchronous `operation` on the caller's thread, under the guard: admitted by the
    /// bulkhead and the breaker, timed and recorded like any call.
    ///
    /// A synchronous call cannot be left behind at its deadline (nothing can take the thread
    /// back from it), so one that ran past its limit counts as a timeout when it returns, its
    /// result is dropped, and the system's request-path calls move to its own threads for good,
    /// as for a cooperative call that overran without suspending (``GuardedRun``). It needs no
    /// run, no checkpoint and no async call: about 45 ns, a third of the instructions of a
    /// cooperative async call under load (docs/PERFORMANCE.md, "Guards").
    ///
    /// - Throws: ``GuardError`` when the call is refused or ran past its limit; otherwise what
    ///   `operation` throws.
    @inlinable
    public func callSynchronously<T>(_ operation: () throws -> T) throws -> T {
        var clock = GuardClockReading()
        return try callSynchronously(clock: &clock, operation)
    }

    /// ``callSynchronously(_:)`` for a caller making calls back to back: `clock` holds the time
    /// the last call ended, which is taken as this call's start (one clock read per call instead
    /// of two; what passes between the calls is a few dozen nanoseconds, and latencies are kept
    /// in microseconds), and is set to when this one ended.
    @inlinable
    public func callSynchronously<T>(clock: inout GuardClockReading, _ operation: () throws -> T) throws -> T {
        try admit()
        let started = clock.nanoseconds ?? GuardTime.now()
        let value: T
        do {
            value = try operation()
        } catch {
            record(error, nanoseconds: try endSynchronousCall(since: started, clock: &clock))
            throw error
        }
        record(nil, nanoseconds: try endSynchronousCall(since: started, clock: &clock))
        return value
    }

    /// Frees the slot of a call that held its thread until now and returns how long it took,
    /// in nanoseconds; throws when that was past the limit.
    @inlinable func endSynchronousCall(since started: Int64, clock: inout GuardClockReading) throws(GuardError) -> Int64 {
        let ended = GuardTime.now()
        clock.nanoseconds = ended
        let elapsed = ended &- started
        release()
        try checkLimit(elapsed: elapsed)
        return elapsed
    }

    /// Throws a timeout when a call that held its thread (so no deadline could end it) took
    /// `elapsed` nanoseconds, past the limit: counted, and the system's request-path calls
    /// move to its own threads.
    @inlinable func checkLimit(elapsed: Int64) throws(GuardError) {
        guard elapsed > limitNanoseconds else { return }
        recordOverrun(nanoseconds: elapsed)
        throw timeoutError
    }

    /// Calls `operation` on the system's own threads, under the guard.
    ///
    /// - Parameters:
    ///   - timeout: overrides the policy's limit (lifecycle hooks use the manifest's).
    ///   - exemptFromBulkhead: the call neither takes a slot nor is refused for want of one.
    /// - Throws: ``GuardError`` when the call is refused or times out; otherwise what `operation` throws.
    public func callIsolated<T: Sendable>(
        timeout: Duration? = nil, awaitWhenCancelled: Bool = false, exemptFromBulkhead: Bool = false,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        if exemptFromBulkhead {
            guard breaker.acquire() else {
                recorder.rejected()
                throw GuardError.breakerOpen(system: owner.systemID, hook: hook)
            }
        } else {
            try admit()
        }
        let limit = timeout ?? self.limit
        let started = ContinuousClock.now
        let inFlight = owner.inFlight
        // The slot is freed when the call really ends, not when the caller stops waiting,
        // so a straggler still counts against the limit.
        let release: (@Sendable () -> Void)? = exemptFromBulkhead ? nil : { @Sendable in inFlight.leave() }
        do {
            let value = try await runGuarded(
                limit: limit, executor: owner.executor,
                timeoutError: GuardError.timedOut(system: owner.systemID, hook: hook, limit: limit),
                awaitWhenCancelled: awaitWhenCancelled, whenFinished: release, operation)
            record(nil, latency: ContinuousClock.now - started)
            return value
        } catch {
            record(error, latency: ContinuousClock.now - started)
            throw error
        }
    }
}

/// The time the last of a caller's back-to-back synchronous calls ended
/// (``GuardSite/callSynchronously(clock:_:)``); empty before the first.
public struct GuardClockReading: Sendable {
    @usableFromInline var nanoseconds: Int64?

    @inlinable public init() { nanoseconds = nil }
}
