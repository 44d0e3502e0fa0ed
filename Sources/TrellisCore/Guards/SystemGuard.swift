public import Synchronization

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
    let inFlight = InFlightCounter()
    @usableFromInline let cooperative: Atomic<Bool>
    private let hooks = Mutex<[String: (breaker: CircuitBreaker, recorder: HookRecorder)]>([:])
    private let onTransition: @Sendable (String, String, CircuitBreaker.State, CircuitBreaker.State) -> Void
    private let onIsolated: @Sendable (String, String, Duration) -> Void

    init(
        systemID: String, policy: GuardPolicy, critical: Bool, clock: any GuardClock = ContinuousGuardClock(),
        onTransition:
            @escaping @Sendable (_ system: String, _ hook: String, _ from: CircuitBreaker.State, _ to: CircuitBreaker.State) -> Void,
        onIsolated: @escaping @Sendable (_ system: String, _ hook: String, _ elapsed: Duration) -> Void = { _, _, _ in }
    ) {
        self.systemID = systemID
        self.policy = policy
        self.critical = critical
        self.clock = clock
        self.executor = IsolationExecutor(name: systemID, maximumThreads: policy.maxConcurrent)
        self.cooperative = Atomic(policy.isolation == .cooperative)
        self.onTransition = onTransition
        self.onIsolated = onIsolated
    }

    /// Calls `operation` under the guard, on the system's own threads.
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
        try await site(hook).callIsolated(
            timeout: timeout, awaitWhenCancelled: awaitWhenCancelled, exemptFromBulkhead: exemptFromBulkhead, operation)
    }

    /// One hook's breaker and statistics, looked up once, for a caller that calls the hook on
    /// every request.
    public func site(_ hook: String) -> GuardSite {
        let (breaker, recorder) = entry(for: hook)
        return GuardSite(owner: self, hook: hook, breaker: breaker, recorder: recorder)
    }

    /// Whether request-path calls run in the caller's task (see ``GuardPolicy/Isolation``): the
    /// policy says `cooperative` and no call has overrun its limit without suspending.
    @inlinable public var runsCooperatively: Bool { cooperative.load(ordering: .relaxed) }

    /// Where request-path calls run now.
    public var isolation: GuardPolicy.Isolation { runsCooperatively ? .cooperative : .threads }

    /// Moves the system's request-path calls to its own threads, for good: one of its calls
    /// ran past its limit on the shared threads.
    func isolate(after hook: String, overran elapsed: Duration) {
        guard cooperative.compareExchange(expected: true, desired: false, ordering: .relaxed).exchanged else { return }
        onIsolated(systemID, hook, elapsed)
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
        let site = site(hook)
        return InlineCallSite(
            site: site,
            watch: InlineWatch(limit: policy.timeout) {
                site.record(site.timeoutError, latency: self.policy.timeout)
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

/// Calls in flight for one system, against its bulkhead's limit.
///
/// The count lives out of line, on a cache line of its own, and hot callers (``GuardSite``)
/// reach it through a ``Slots`` value: calling through this object would retain and release it
/// around every call, and its reference count is written by every core that calls the system.
@usableFromInline
final class InFlightCounter: Sendable {
    let slots = Slots()

    deinit { slots.deallocate() }

    func enter(limit: Int) -> Bool { slots.enter(limit: limit) }
    func leave() { slots.leave() }
    var count: Int { slots.count }

    /// The count itself; valid while its ``InFlightCounter`` lives.
    @usableFromInline
    struct Slots: @unchecked Sendable {
        // @unchecked: the pointee is an atomic.
        @usableFromInline let value: UnsafeMutablePointer<Atomic<Int>>

        init() {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
            value = raw.bindMemory(to: Atomic<Int>.self, capacity: 1)
            value.initialize(to: Atomic(0))
        }

        func deallocate() {
            value.deinitialize(count: 1)
            UnsafeMutableRawPointer(value).deallocate()
        }

        /// Takes a slot if fewer than `limit` are taken.
        @inlinable
        func enter(limit: Int) -> Bool {
            var count = value.pointee.load(ordering: .relaxed)
            while count < limit {
                let (exchanged, original) = value.pointee.compareExchange(
                    expected: count, desired: count + 1, successOrdering: .acquiring, failureOrdering: .relaxed)
                if exchanged { return true }
                count = original
            }
            return false
        }

        @inlinable
        func leave() {
            value.pointee.subtract(1, ordering: .releasing)
        }

        var count: Int { value.pointee.load(ordering: .relaxed) }
    }
}
