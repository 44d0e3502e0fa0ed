public import Synchronization

/// A circuit breaker for one hook of one system.
///
/// ```
///            N consecutive failures, or failure rate ≥ threshold
///            over the window once minimumCalls were made
///   closed ───────────────────────────────────────────────▶ open
///     ▲                                                      │ openDuration passed
///     │ halfOpenProbes successes                             ▼ (on the next call)
///     └──────────────────────────────────────────────── half-open
///                     any probe fails: back to open ◀──────┘
/// ```
///
/// Callers ask ``acquire()`` before a call and report its outcome with ``record(success:)``;
/// a call that was not permitted must not be recorded. Transitions are reported to
/// `onTransition` outside the lock.
public final class CircuitBreaker: Sendable {
    public enum State: String, Sendable, Hashable, Codable {
        case closed
        case open
        case halfOpen = "half_open"
    }

    private struct Machine {
        var state: State = .closed
        /// The last `windowSize` outcomes, `true` for a failure, as a ring.
        var window: [Bool] = []
        var next = 0
        var failuresInWindow = 0
        var consecutiveFailures = 0
        var openedAt: Duration = .zero
        var probesInFlight = 0
        var probeSuccesses = 0

        mutating func reset(to state: State, at now: Duration) {
            self = Machine()
            self.state = state
            openedAt = now
        }
    }

    public let policy: BreakerPolicy
    private let clock: any GuardClock
    private let machine = Mutex(Machine())
    /// Whether the state is `closed`, written with the lock held: lets ``acquire()`` say yes
    /// without the lock in the common case.
    @usableFromInline let closed = Atomic<Bool>(true)
    /// Closed, with a full window of successes: another success changes nothing, so
    /// ``record(success:)`` skips the lock for it. Written with the lock held.
    @usableFromInline let settled = Atomic<Bool>(false)
    private let onTransition: @Sendable (State, State) -> Void

    public init(
        policy: BreakerPolicy, clock: any GuardClock = ContinuousGuardClock(),
        onTransition: @escaping @Sendable (State, State) -> Void = { _, _ in }
    ) {
        self.policy = policy
        self.clock = clock
        self.onTransition = onTransition
    }

    public var state: State { machine.withLock { $0.state } }

    /// Whether the breaker is closed (``acquire()`` would say yes without the lock).
    @inlinable var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Whether a success would change nothing (``record(success:)`` would return at once).
    @inlinable var isSettled: Bool { settled.load(ordering: .acquiring) }

    /// Whether a call may go ahead now. An open breaker whose wait has passed turns half-open
    /// and lets up to `halfOpenProbes` calls through.
    public func acquire() -> Bool {
        if isClosed { return true }
        let (allowed, transition) = machine.withLock { machine -> (Bool, (State, State)?) in
            if machine.state == .closed { return (true, nil) }
            let now = clock.now()
            var transition: (State, State)?
            if machine.state == .open {
                guard now - machine.openedAt >= policy.openDuration else { return (false, nil) }
                machine.reset(to: .halfOpen, at: now)
                closed.store(false, ordering: .releasing)
                transition = (.open, .halfOpen)
            }
            if machine.state == .halfOpen {
                guard machine.probesInFlight + machine.probeSuccesses < policy.halfOpenProbes else { return (false, transition) }
                machine.probesInFlight += 1
            }
            return (true, transition)
        }
        if let transition { onTransition(transition.0, transition.1) }
        return allowed
    }

    /// Reports the outcome of a call ``acquire()`` permitted.
    public func record(success: Bool) {
        if success, isSettled { return }
        let transition = machine.withLock { machine -> (State, State)? in
            switch machine.state {
            case .closed:
                if machine.window.count < policy.windowSize {
                    machine.window.append(!success)
                } else {
                    if machine.window[machine.next] { machine.failuresInWindow -= 1 }
                    machine.window[machine.next] = !success
                    machine.next = (machine.next + 1) % policy.windowSize
                }
                if !success { machine.failuresInWindow += 1 }
                machine.consecutiveFailures = success ? 0 : machine.consecutiveFailures + 1
                let rate = Double(machine.failuresInWindow) / Double(max(machine.window.count, 1))
                let tooMany = machine.consecutiveFailures >= policy.consecutiveFailures
                let tooOften = machine.window.count >= policy.minimumCalls && rate >= policy.failureRateThreshold
                settled.store(machine.window.count == policy.windowSize && machine.failuresInWindow == 0, ordering: .releasing)
                guard !success, tooMany || tooOften else { return nil }
                machine.reset(to: .open, at: clock.now())
                settled.store(false, ordering: .releasing)
                closed.store(false, ordering: .releasing)
                return (.closed, .open)
            case .halfOpen:
                machine.probesInFlight = max(0, machine.probesInFlight - 1)
                if !success {
                    machine.reset(to: .open, at: clock.now())
                    closed.store(false, ordering: .releasing)
                    return (.halfOpen, .open)
                }
                machine.probeSuccesses += 1
                guard machine.probeSuccesses >= policy.halfOpenProbes else { return nil }
                machine.reset(to: .closed, at: clock.now())
                closed.store(true, ordering: .releasing)
                return (.halfOpen, .closed)
            case .open:
                // A late outcome of a call made before the breaker opened.
                return nil
            }
        }
        if let transition { onTransition(transition.0, transition.1) }
    }
}
