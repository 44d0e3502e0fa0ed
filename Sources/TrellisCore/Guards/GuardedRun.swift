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
/// A leg makes one call at a time, and the site of each call must stay alive until the run
/// returns: sites are looked up once and kept (``SystemGuard/site(_:)``), and the run holds the
/// site of the call in progress unowned.
// All of it is inlinable so that it is specialized for the caller's `State` and `Output`:
// unspecialized, every lock, optional and tuple of a generic type looked up its metadata at
// run time, which cost more than the rest of the run (about a quarter of a mock request).
//
// A call's bookkeeping takes no lock: two atomic operations on `phase` and the leg's own
// fields. The lock is for what happens once per leg (the caller starting to wait, the leg
// finishing) and for the watch.
public final class GuardedRun<State: Sendable, Output: Sendable>: @unchecked Sendable {
    // @unchecked: `stepSite`, `stepStarted`, `stepCheckpoint` and `saved` are the leg's own:
    // only the leg writes them, between calls (it makes one at a time), and another thread
    // reads them only after claiming the call in progress, with a compare-exchange on `phase`
    // that sets `leftBehind`; once that is set the leg never touches them again. `phase` and
    // `deadline` are atomic; the rest is `shared`, under its lock.
    @usableFromInline enum LegEnd: Sendable {
        case finished(Result<Output, any Error>)
        case abandoned(checkpoint: State?, GuardError)
    }

    @usableFromInline struct Shared: Sendable {
        /// The caller, once it waits for the leg.
        @usableFromInline var waiting: CheckedContinuation<LegEnd, Never>?
        /// How the leg ended, when it did before the caller waited.
        @usableFromInline var ended: LegEnd?
        /// The deadline watching the call in progress while the caller waits, and when it fires.
        @usableFromInline var watch: (token: UInt64, at: Int64)?
        @usableFromInline var task: Task<Void, Never>?

        @inlinable init() {}
    }

    /// `phase`: a call is in progress.
    @inlinable static var inCall: UInt64 { 1 }
    /// `phase`: the caller waits for the leg (it suspended), so calls must be watched.
    @inlinable static var callerWaits: UInt64 { 2 }
    /// `phase`: the call in progress was left behind at its deadline; the leg makes no more calls.
    @inlinable static var leftBehind: UInt64 { 4 }
    /// `phase` counts calls above its flags, so that a compare-exchange tells one call from the next.
    @inlinable static var oneCall: UInt64 { 8 }

    @usableFromInline let phase: Atomic<UInt64>
    /// When the call in progress must have returned (``GuardTime`` nanoseconds).
    @usableFromInline let deadline: Atomic<Int64>
    @usableFromInline let shared: Mutex<Shared>

    // The leg's fields are not checked for exclusive access at run time (which cost a fifth
    // of a guarded call): who may touch them is decided by `phase`, as said above, and no
    // access to them overlaps another or spans a suspension.

    /// Unowned, so that a call does not write the reference count of a site every core shares:
    /// the caller of ``call(_:_:)`` holds the site for the call, and whoever looked it up keeps
    /// it until the run returns (the claim below retains it before the caller moves on).
    @exclusivity(unchecked) @usableFromInline unowned(unsafe) var stepSite: GuardSite?
    @exclusivity(unchecked) @usableFromInline var stepStarted: Int64 = 0
    @exclusivity(unchecked) @usableFromInline var stepCheckpoint: State?
    @exclusivity(unchecked) @usableFromInline var saved: State?

    // Initialized here, not as the properties' default values: default-value initializers are
    // not inlinable, so they would build the generic values without knowing their types.
    @inlinable init() {
        phase = Atomic(0)
        deadline = Atomic(0)
        shared = Mutex(Shared())
        stepSite = nil
        stepStarted = 0
        stepCheckpoint = nil
        saved = nil
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

    /// Saves the state to go on from should a later call made without one time out.
    @inlinable
    public func save(_ checkpoint: State) {
        saved = checkpoint
    }

    /// Calls `operation` in this task under `site`'s guard; should it time out, the run goes
    /// on from the state last saved with ``save(_:)``.
    ///
    /// - Throws: ``GuardError`` when the call is refused or ran past its limit; otherwise what
    ///   `operation` throws. When the run has left this leg behind, `CancellationError`.
    @inlinable
    nonisolated(nonsending) public func call<T>(_ site: GuardSite, _ operation: nonisolated(nonsending) () async throws -> T) async throws
        -> T
    {
        try await call(site, checkpoint: nil, operation)
    }

    /// ``call(_:_:)`` with `state` held by the run during the call, as the state to go on
    /// from should it time out. The leg takes it back with ``reclaim()`` once the call has
    /// returned or thrown: moved into the run and out again, never copied (a request's state
    /// holds its response, which is several reference counts to copy).
    @inlinable
    nonisolated(nonsending) public func call<T>(
        _ site: GuardSite, holding state: consuming State, _ operation: nonisolated(nonsending) () async throws -> T
    ) async throws -> T {
        try await call(site, checkpoint: Optional(consume state), operation)
    }

    /// Takes back the state the last ``call(_:holding:_:)`` held.
    ///
    /// - Throws: `CancellationError` when that call was left behind: the run went on from the
    ///   state without this leg, which must stop.
    @inlinable
    public func reclaim() throws(CancellationError) -> State {
        // Left behind or not, the leg's fields are its own unless `leftBehind` is set.
        guard phase.load(ordering: .acquiring) & Self.leftBehind == 0, let state = stepCheckpoint.take() else {
            throw CancellationError()
        }
        return state
    }

    @inlinable
    nonisolated(nonsending) func call<T>(
        _ site: GuardSite, checkpoint: consuming State?, _ operation: nonisolated(nonsending) () async throws -> T
    ) async throws -> T {
        // `leftBehind` is only ever set while a call is in progress, and then the leg stops at
        // that call's end; between calls, as now, the leg's fields are its own.
        guard phase.load(ordering: .relaxed) & Self.leftBehind == 0 else { throw CancellationError() }
        // Kept even when the call is refused, for ``reclaim()``.
        stepCheckpoint = consume checkpoint
        try site.admit()
        let started = GuardTime.now()
        begin(site, at: started)
        let value: T
        do {
            value = try await operation()
        } catch {
            site.record(error, nanoseconds: try finish(site, since: started))
            throw error
        }
        site.record(nil, nanoseconds: try finish(site, since: started))
        return value
    }

    /// Starts a call: publishes the leg's fields with it.
    @inlinable
    func begin(_ site: GuardSite, at started: Int64) {
        stepSite = site
        stepStarted = started
        let due = started &+ site.limitNanoseconds
        deadline.store(due, ordering: .relaxed)
        // A caller waiting since before needs a watch.
        let before = phase.wrappingAdd(Self.oneCall | Self.inCall, ordering: .acquiringAndReleasing).oldValue
        if before & Self.callerWaits != 0 { watchCall(due: due) }
    }

    /// Ends the call in progress; `false` when the run left this leg behind.
    @inlinable
    func end() -> Bool {
        var current = phase.load(ordering: .relaxed)
        while current & Self.leftBehind == 0 {
            let (exchanged, original) = phase.compareExchange(
                expected: current, desired: current & ~Self.inCall, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Ends the call that returned and returns how long it took, in nanoseconds; throws when
    /// the call must not count as returned.
    @inlinable
    func finish(_ site: GuardSite, since started: Int64) throws -> Int64 {
        let elapsed = GuardTime.now() &- started
        let owned = end()
        site.release()
        // Left behind at the deadline: the watch counted the timeout, and the caller has moved on.
        guard owned else { throw CancellationError() }
        // Past the limit and still this leg's: it never suspended past its deadline while the
        // caller waited, so it blocked its thread (or the watch fired late).
        try site.checkLimit(elapsed: elapsed)
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

    /// Keeps the leg's task (to cancel it) and returns how the leg ended if it already has.
    @inlinable
    func adopt(_ task: Task<Void, Never>) -> LegEnd? {
        shared.withLock { shared in
            if let ended = shared.ended { return ended }
            shared.task = task
            return nil
        }
    }

    /// The caller waits: watch the call in progress, if any (the leg watches later ones).
    @inlinable
    func wait(_ continuation: CheckedContinuation<LegEnd, Never>) {
        let ended = shared.withLock { shared -> LegEnd? in
            if let ended = shared.ended { return ended }
            shared.waiting = continuation
            let before = phase.bitwiseOr(Self.callerWaits, ordering: .acquiringAndReleasing).oldValue
            if before & Self.inCall != 0 { arm(&shared, at: deadline.load(ordering: .relaxed)) }
            return nil
        }
        if let ended { continuation.resume(returning: ended) }
    }

    /// A call began while the caller waits: make sure a watch fires by its deadline.
    @inlinable
    func watchCall(due: Int64) {
        shared.withLock { shared in
            guard shared.waiting != nil else { return }
            if let watch = shared.watch {
                // An earlier watch re-arms itself for this call when it fires.
                if watch.at <= due { return }
                DeadlineScheduler.shared.cancel(watch.token)
            }
            arm(&shared, at: due)
        }
    }

    @inlinable
    func finish(_ end: LegEnd) {
        let (waiting, watch) = shared.withLock { shared -> (CheckedContinuation<LegEnd, Never>?, UInt64?) in
            // No call is in progress, so nothing can be left behind now.
            guard phase.load(ordering: .acquiring) & Self.leftBehind == 0 else { return (nil, nil) }
            shared.ended = end
            defer {
                shared.waiting = nil
                shared.watch = nil
                shared.task = nil
            }
            return (shared.waiting, shared.watch?.token)
        }
        if let watch { DeadlineScheduler.shared.cancel(watch) }
        waiting?.resume(returning: end)
    }

    @inlinable
    func cancel() {
        shared.withLock { $0.task }?.cancel()
    }

    /// Schedules the watch for `due`. Called with the lock held.
    @inlinable
    func arm(_ shared: inout Shared, at due: Int64) {
        let token = DeadlineScheduler.shared.schedule(at: GuardTime.instant(due)) { [self] in watchFired() }
        shared.watch = (token, due)
    }

    /// Leaves the call in progress behind if it is past its deadline, and sends the caller on
    /// from its checkpoint; otherwise watches it until its deadline.
    @inlinable
    func watchFired() {
        let now = GuardTime.now()
        let overdue = shared.withLock { shared -> (GuardSite, Int64, State?, CheckedContinuation<LegEnd, Never>, Task<Void, Never>?)? in
            shared.watch = nil
            guard let waiting = shared.waiting else { return nil }
            var current = phase.load(ordering: .acquiring)
            // Between calls nothing is watched: the next call arms a watch of its own.
            while current & Self.inCall != 0, current & Self.leftBehind == 0 {
                let due = deadline.load(ordering: .relaxed)
                guard now >= due else {
                    arm(&shared, at: due)
                    return nil
                }
                let (claimed, original) = phase.compareExchange(
                    expected: current, desired: current | Self.leftBehind, ordering: .acquiringAndReleasing)
                guard claimed else {
                    current = original
                    continue
                }
                // The call is this thread's now: the leg will not touch its fields again.
                shared.waiting = nil
                defer { shared.task = nil }
                return (stepSite!, stepStarted, stepCheckpoint ?? saved, waiting, shared.task)
            }
            return nil
        }
        guard let (site, started, checkpoint, waiting, task) = overdue else { return }
        site.recordOverrun(nanoseconds: now &- started)
        task?.cancel()
        waiting.resume(returning: .abandoned(checkpoint: checkpoint, site.timeoutError))
    }
}
