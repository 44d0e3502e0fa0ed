internal import Foundation
internal import Synchronization

/// How long a connection waits for another connection's lock before failing with
/// `SQLITE_BUSY`, changeable while connections are open.
///
/// SQLite's own `busy_timeout` is fixed per connection when it opens, and a pool's
/// connections open lazily, so the `database` system's `busy_timeout_ms` could not change
/// at runtime. This handler reads the current limit on every wait instead, and sleeps on
/// the same schedule as SQLite's built-in handler.
final class BusyTimeout: Sendable {
    private let milliseconds: Atomic<Int>

    init(milliseconds: Int) {
        self.milliseconds = Atomic(max(0, milliseconds))
    }

    var current: Int { milliseconds.load(ordering: .relaxed) }

    func set(_ value: Int) {
        milliseconds.store(max(0, value), ordering: .relaxed)
    }

    /// SQLite's delays between retries (`sqliteDefaultBusyCallback`), in milliseconds.
    private static let delays = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100]
    private static let totals = [0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228]

    /// Called by SQLite on the connection's thread while a lock is held elsewhere; sleeping
    /// there is what SQLite's own handler does. - Returns: whether to try again.
    func shouldRetry(afterTries tries: Int) -> Bool {
        let limit = current
        var delay: Int
        let waited: Int
        if tries < Self.delays.count {
            delay = Self.delays[tries]
            waited = Self.totals[tries]
        } else {
            delay = Self.delays.last!
            waited = Self.totals.last! + delay * (tries - (Self.delays.count - 1))
        }
        if waited + delay > limit {
            delay = limit - waited
            if delay <= 0 { return false }
        }
        usleep(UInt32(delay) * 1000)
        return true
    }
}
