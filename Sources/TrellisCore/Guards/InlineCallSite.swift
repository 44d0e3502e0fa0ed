internal import Synchronization

/// One call site of ``SystemGuard/inlineCallSite(_:onTimeout:)``: the hook's ``GuardSite``
/// (bulkhead, breaker, statistics) and the watch that enforces the time limit.
final class InlineCallSite: Sendable {
    let site: GuardSite
    let watch: InlineWatch

    init(site: GuardSite, watch: InlineWatch) {
        self.site = site
        self.watch = watch
    }

    /// Runs `operation` in the caller's task under the guard.
    func call<T>(_ operation: () async throws -> T) async throws -> T {
        try site.admit()
        defer { site.release() }
        let started = ContinuousClock.now
        let call = watch.begin(at: started)
        do {
            let value = try await operation()
            if watch.end(call) { site.record(nil, latency: ContinuousClock.now - started) }
            return value
        } catch {
            if watch.end(call) { site.record(error, latency: ContinuousClock.now - started) }
            throw error
        }
    }
}

/// Notices a call past its limit for a call site that makes one call at a time.
///
/// Instead of a deadline per call, the watch keeps at most one entry in the
/// ``DeadlineScheduler``: when it fires it times out the current call if it is overdue, and
/// otherwise re-arms itself for the current call's deadline (or stops while idle).
final class InlineWatch: Sendable {
    private struct State {
        var call: UInt64 = 0
        var startedAt: ContinuousClock.Instant?
        var timedOut = false
        var armed = false
    }

    private let limit: Duration
    private let state = Mutex(State())
    private let onTimeout: @Sendable () -> Void

    init(limit: Duration, onTimeout: @escaping @Sendable () -> Void) {
        self.limit = limit
        self.onTimeout = onTimeout
    }

    /// Marks a call as started; returns its number for ``end(_:)``.
    func begin(at now: ContinuousClock.Instant) -> UInt64 {
        let (call, arm) = state.withLock { state -> (UInt64, Bool) in
            state.call += 1
            state.startedAt = now
            state.timedOut = false
            defer { state.armed = true }
            return (state.call, !state.armed)
        }
        if arm { schedule(at: now + limit) }
        return call
    }

    /// Marks a call as finished; `false` when the watch already timed it out.
    func end(_ call: UInt64) -> Bool {
        state.withLock { state in
            guard state.call == call else { return false }
            state.startedAt = nil
            return !state.timedOut
        }
    }

    private func schedule(at deadline: ContinuousClock.Instant) {
        _ = DeadlineScheduler.shared.schedule(at: deadline) { [self] in fire() }
    }

    private func fire() {
        let now = ContinuousClock.now
        let (expired, next) = state.withLock { state -> (Bool, ContinuousClock.Instant?) in
            guard let startedAt = state.startedAt, !state.timedOut else {
                state.armed = false
                return (false, nil)
            }
            if now - startedAt >= limit {
                state.timedOut = true
                state.armed = false
                return (true, nil)
            }
            return (false, startedAt + limit)
        }
        if expired { onTimeout() }
        if let next { schedule(at: next) }
    }
}
