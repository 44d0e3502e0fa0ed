internal import Foundation
internal import Synchronization

/// Tells a test how long the process really ran: wall time minus the time it stood still as a
/// whole (a virtual machine paused on a shared host, a stopped process).
///
/// A test that bounds how long something takes ("the caller gets its timeout within a
/// second") fails when the whole machine stops for three seconds in between, which shared CI
/// hosts do. A dedicated thread wakes every 10 ms and records each gap between two wake-ups
/// of more than 200 ms; ``runningTime(since:)`` subtracts the parts of those gaps that fall
/// in the measured interval. The thread uses no Swift concurrency, so nothing the code under
/// test does to the cooperative pool (blocking it, flooding it) delays it: only a stop of the
/// whole process does. Under heavy CPU load its gaps stay well under 200 ms (the scheduler's
/// period with dozens of runnable threads), so slowness of the code is never subtracted.
///
/// ```swift
/// let started = StallWatch.shared.now
/// … the work that must be quick …
/// #expect(StallWatch.shared.runningTime(since: started) < .seconds(1))
/// ```
public final class StallWatch: Sendable {
    public static let shared = StallWatch()

    /// A gap longer than this between two wake-ups is a stall.
    static let threshold: Duration = .milliseconds(200)
    /// How long the thread sleeps between wake-ups (`Thread.sleep` below).
    private static let tick: Duration = .milliseconds(10)

    /// A stretch during which the watch's thread did not run.
    struct Stall: Sendable {
        let from: ContinuousClock.Instant
        let to: ContinuousClock.Instant
    }

    private let stalls = Mutex<[Stall]>([])

    private init() {
        let thread = Thread { [unowned(unsafe) self] in self.watch() }
        thread.name = "trellis.stall-watch"
        thread.start()
    }

    /// Now, with the watch running (it starts on first use: read this before the interval).
    public var now: ContinuousClock.Instant { ContinuousClock.now }

    /// The time since `start` minus the stalls seen in it.
    public func runningTime(since start: ContinuousClock.Instant) -> Duration {
        let end = ContinuousClock.now
        return Self.runningTime(from: start, to: end, minus: stalls.withLock { $0 })
    }

    /// `end - start` minus the parts of `stalls` within it.
    static func runningTime(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant, minus stalls: [Stall]) -> Duration {
        let stalled = stalls.reduce(Duration.zero) { total, stall in
            let from = max(stall.from, start)
            let to = min(stall.to, end)
            return from < to ? total + (to - from) : total
        }
        return (end - start) - stalled
    }

    /// The stalls seen since `start`, for a failure message.
    public func stalls(since start: ContinuousClock.Instant) -> [Duration] {
        stalls.withLock { stalls in stalls.filter { $0.to > start }.map { $0.to - $0.from } }
    }

    private func watch() {
        var last = ContinuousClock.now
        while true {
            Thread.sleep(forTimeInterval: 0.01)
            let now = ContinuousClock.now
            if now - last > Self.threshold {
                // The tick itself is not part of the stall.
                stalls.withLock { $0.append(Stall(from: last + Self.tick, to: now)) }
            }
            last = now
        }
    }
}
