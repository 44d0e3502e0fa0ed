public import Synchronization

/// The guarded calls one unit of work (an HTTP request) makes into cooperative systems, run in
/// the work's own task: a call costs its bookkeeping, not a task and a thread hop.
///
/// The work runs in *legs*. A leg is a task started with `Task.immediateDetached`, so it runs on the
/// caller's thread until it first suspends, and work that never suspends (a mock endpoint and
/// trivial hooks) finishes before the caller would have waited at all. When a leg suspends,
/// the caller waits for it, and the run watches the call in progress: a call that is still
/// running at its deadline is left behind with its leg (the straggler keeps its bulkhead slot
/// until it returns), and the caller starts a new leg from the checkpoint saved before that
/// call, with `afterTimeout` deciding what comes next. So a time limit holds even when the
/// callee ignores cancellation, as with ``SystemGuard/call(_:timeout:awaitWhenCancelled:exemptFromBulkhead:_:)``.
///
/// A call that overruns its limit without suspending blocked the caller's thread, which no
/// deadline can take back: it is counted as a timeout when it returns. Either way, a system
/// with a call past its limit has its calls moved to its own threads from then on
/// (``GuardPolicy/Isolation``): the shared threads are not trusted to it again.
///
/// ```swift
/// let output = try await GuardedRun<Step, Answer>.run(from: .first) { step, run in
///     run.save(step)
///     let value = try await run.call(site) { try await hooks.beforeRequest(request) }
///     …
/// } afterTimeout: { step, error in
///     step.skipped(error)
/// }
/// ```
///
/// A leg makes one call at a time.
// All of it is inlinable so that it is specialized for the caller's `State` and `Output`:
// unspecialized, every lock, optional and tuple of a generic type looked up its metadata at
// run time, which cost more than the rest of the run (about a quarter of a mock request).
public final class GuardedRun<State: Sendable, Output: Sendable>: Sendable {
    @usableFromInline enum LegEnd: Sendable {
        case finished(Result<Output, any Error>)
        case abandoned(checkpoint: State?, GuardError)
    }

    @usableFromInline struct Step: Sendable {
        @usableFromInline let started: ContinuousClock.Instant
        @usableFromInline let site: GuardSite
        @usableFromInline let checkpoint: State?

        @inlinable init(started: ContinuousClock.Instant, site: GuardSite, checkpoint: State?) {
            self.started = started
            self.site = site
            self.checkpoint = checkpoint
        }
    }

    @usableFromInline struct Shared: Sendable {
        @usableFromInline var checkpoint: State?
        @usableFromInline var step: Step?
        @usableFromInline var abandoned = false
        /// The caller, once it waits for the leg.
        @usableFromInline var waiting: CheckedContinuation<LegEnd, Never>?
        /// How the leg ended, when it did before the caller waited.
        @usableFromInline var ended: LegEnd?
        /// The deadline watching the step in progress while the caller waits.
        @usableFromInline var watch: UInt64?
        @usableFromInline var task: Task<Void, Never>?

        @inlinable init() {}
    }

    @usableFromInline let shared: Mutex<Shared>

    // Initialized here, not as the property's default value: the default-value initializer is
    // not inlinable, so it would build `Shared` without knowing its types.
    @inlinable init() {
        shared = Mutex(Shared())
    }

    /// Runs `drive` from `initial` in legs until one finishes, and returns its output.
    ///
    /// - Parameters:
    ///   - afterTimeout: the state to go on from when a call timed out: gets the checkpoint
    ///     saved before the call (``save(_:)``) and the timeout.
    ///   - drive: the work; it may throw, and its error is rethrown.
    @inlinable
    public static func run(
        from initial: State, _ drive: @escaping @Sendable (State, GuardedRun) async throws -> Output,
        afterTimeout: (State, GuardError) -> State
    ) async throws -> Output {
        var state = initial
        while true {
            switch await GuardedRun().leg(from: state, drive) {
            case .finished(let result):
                return try result.get()
            case .abandoned(let checkpoint?, let error):
                state = afterTimeout(checkpoint, error)
            case .abandoned(nil, let error):
                throw error
            }
        }
    }

    /// Saves the state to go on from should the next call time out.
    @inlinable
    public func save(_ checkpoint: State) {
        shared.withLock { $0.checkpoint = checkpoint }
    }

    /// Calls `operation` in this task under `site`'s guard.
    ///
    /// - Throws: ``GuardError`` when the call is refused or ran past its limit; otherwise what
    ///   `operation` throws. When the run has left this leg behind, `CancellationError`.
    @inlinable
    public func call<T>(_ site: GuardSite, _ operation: () async throws -> T) async throws -> T {
        try await call(site, checkpoint: nil, operation)
    }

    /// ``save(_:)`` and ``call(_:_:)`` in one: calls `operation` with `checkpoint` as the state to
    /// go on from should it time out.
    @inlinable
    public func call<T>(_ site: GuardSite, from checkpoint: State, _ operation: () async throws -> T) async throws -> T {
        try await call(site, checkpoint: checkpoint, operation)
    }

    @inlinable
    func call<T>(_ site: GuardSite, checkpoint: State?, _ operation: () async throws -> T) async throws -> T {
        try site.admit()
        let started = ContinuousClock.now
        guard begin(site, at: started, checkpoint: checkpoint) else {
            site.release()
            throw CancellationError()
        }
        let value: T
        do {
            value = try await operation()
        } catch {
            site.record(error, latency: try finish(site, since: started))
            throw error
        }
        site.record(nil, latency: try finish(site, since: started))
        return value
    }

    /// Ends the step of a call that returned and returns how long it took; throws when the
    /// call must not count as returned.
    @inlinable
    func finish(_ site: GuardSite, since started: ContinuousClock.Instant) throws -> Duration {
        let elapsed = ContinuousClock.now - started
        let owned = end()
        site.release()
        // Left behind at the deadline: the watch counted the timeout, and the caller has moved on.
        guard owned else { throw CancellationError() }
        if elapsed > site.limit {
            // Past the limit and still this leg's: it never suspended past its deadline while
            // the caller waited, so it blocked its thread (or the watch fired late).
            site.recordOverrun(elapsed)
            throw site.timeoutError
        }
        return elapsed
    }

    /// Runs one leg: `drive` in a task of its own, started on this thread. A leg that never
    /// suspends has finished when the task returns control, and costs no wait and no
    /// cancellation handler; otherwise the caller waits, passing its cancellation on.
    ///
    /// The task is detached: it does not copy the caller's task-local values (which costs a
    /// set and an allocation per value); `drive` binds what it needs.
    @inlinable
    func leg(from state: State, _ drive: @escaping @Sendable (State, GuardedRun) async throws -> Output) async -> LegEnd {
        let task = Task.immediateDetached { [self] in
            let result: Result<Output, any Error>
            do {
                result = .success(try await drive(state, self))
            } catch {
                result = .failure(error)
            }
            finish(.finished(result))
        }
        if let ended = adopt(task) { return ended }
        // The handler runs at once when the caller was cancelled before this point.
        return await withTaskCancellationHandler {
            await withCheckedContinuation { wait($0) }
        } onCancel: {
            cancel()
        }
    }

    /// Starts a step; `false` when the run left this leg behind, which makes no more calls.
    @inlinable
    func begin(_ site: GuardSite, at started: ContinuousClock.Instant, checkpoint: State?) -> Bool {
        shared.withLock { shared in
            guard !shared.abandoned else { return false }
            shared.step = Step(started: started, site: site, checkpoint: checkpoint ?? shared.checkpoint)
            if shared.waiting != nil, shared.watch == nil { arm(&shared) }
            return true
        }
    }

    /// Ends the step in progress; `false` when the run left this leg behind.
    @inlinable
    func end() -> Bool {
        shared.withLock { shared in
            shared.step = nil
            return !shared.abandoned
        }
    }

    /// Keeps the leg's task (to cancel it) and returns how the leg ended if it already has.
    @inlinable
    func adopt(_ task: Task<Void, Never>) -> LegEnd? {
        shared.withLock { shared in
            if let ended = shared.ended { return ended }
            shared.task = task
            return nil
        }
    }

    @inlinable
    func wait(_ continuation: CheckedContinuation<LegEnd, Never>) {
        let ended = shared.withLock { shared -> LegEnd? in
            if let ended = shared.ended { return ended }
            shared.waiting = continuation
            if shared.step != nil { arm(&shared) }
            return nil
        }
        if let ended { continuation.resume(returning: ended) }
    }

    @inlinable
    func finish(_ end: LegEnd) {
        let (waiting, watch) = shared.withLock { shared -> (CheckedContinuation<LegEnd, Never>?, UInt64?) in
            guard !shared.abandoned else { return (nil, nil) }
            shared.ended = end
            defer {
                shared.waiting = nil
                shared.watch = nil
                shared.task = nil
            }
            return (shared.waiting, shared.watch)
        }
        if let watch { DeadlineScheduler.shared.cancel(watch) }
        waiting?.resume(returning: end)
    }

    @inlinable
    func cancel() {
        shared.withLock { $0.task }?.cancel()
    }

    /// Schedules the watch for the step in progress. Called with the lock held.
    @inlinable
    func arm(_ shared: inout Shared) {
        guard let step = shared.step else { return }
        shared.watch = DeadlineScheduler.shared.schedule(at: step.started + step.site.limit) { [self] in watchFired() }
    }

    @inlinable
    func watchFired() {
        let now = ContinuousClock.now
        let overdue = shared.withLock { shared -> (Step, CheckedContinuation<LegEnd, Never>, Task<Void, Never>?)? in
            shared.watch = nil
            guard !shared.abandoned, let step = shared.step, let waiting = shared.waiting else { return nil }
            guard now - step.started >= step.site.limit else {
                arm(&shared)
                return nil
            }
            shared.abandoned = true
            shared.waiting = nil
            defer { shared.task = nil }
            return (step, waiting, shared.task)
        }
        guard let (step, waiting, task) = overdue else { return }
        step.site.recordOverrun(now - step.started)
        task?.cancel()
        waiting.resume(returning: .abandoned(checkpoint: step.checkpoint, step.site.timeoutError))
    }
}
