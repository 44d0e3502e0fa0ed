internal import Synchronization

/// The time source guards read: monotonic, as an offset from an arbitrary start.
/// Tests use ``ManualGuardClock`` to step through breaker transitions.
public protocol GuardClock: Sendable {
    func now() -> Duration
}

/// The real clock.
public struct ContinuousGuardClock: GuardClock {
    private let origin = ContinuousClock.now

    public init() {}

    public func now() -> Duration { ContinuousClock.now - origin }
}

/// A clock that moves only when told to.
public final class ManualGuardClock: GuardClock {
    private let current = Mutex<Duration>(.zero)

    public init() {}

    public func now() -> Duration { current.withLock { $0 } }

    public func advance(by duration: Duration) {
        current.withLock { $0 += duration }
    }
}
