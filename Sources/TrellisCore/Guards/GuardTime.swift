#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// Monotonic time in nanoseconds, for the per-call path of a ``GuardedRun``: one
/// `clock_gettime` and integer arithmetic, where `ContinuousClock` instants and durations are
/// 128-bit values whose conversions cost more than the rest of a cooperative call's bookkeeping.
///
/// It reads the clock `ContinuousClock` reads on Linux (`CLOCK_BOOTTIME`), so the two agree;
/// ``instant(_:)`` converts for the ``DeadlineScheduler``.
@usableFromInline
enum GuardTime {
    /// Now, in nanoseconds from an arbitrary start.
    @usableFromInline
    static func now() -> Int64 {
        var time = timespec()
        #if os(Linux)
            clock_gettime(CLOCK_BOOTTIME, &time)
        #else
            clock_gettime(CLOCK_MONOTONIC, &time)
        #endif
        return Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec)
    }

    /// A moment read from both clocks, to convert between them.
    private static let anchor = (nanoseconds: now(), instant: ContinuousClock.now)

    /// The `ContinuousClock` instant of `nanoseconds`.
    @usableFromInline
    static func instant(_ nanoseconds: Int64) -> ContinuousClock.Instant {
        anchor.instant + .nanoseconds(nanoseconds &- anchor.nanoseconds)
    }

    /// `duration` in whole nanoseconds, saturating at `Int64.max` (292 years).
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return whole.addingReportingOverflow(attoseconds / 1_000_000_000).overflow ? .max : whole + attoseconds / 1_000_000_000
    }
}
