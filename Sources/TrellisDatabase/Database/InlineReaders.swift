internal import Foundation
internal import GRDB
internal import Synchronization

/// Read-only connections that a point read (one row by primary key) uses on the caller's own
/// thread, without a hand-off to a reader thread and back.
///
/// A point read in WAL mode with the page cached takes a few microseconds, less than the two
/// thread hand-offs of ``ReaderPool`` (which made the CPU a `GET /items/{id}` costs swing by
/// half between runs with the wake-ups). Blocking one of Swift's cooperative threads for that
/// long is no worse than computing; blocking it for SQLite's busy handler or a slow disk
/// would be. So these connections never wait for a lock (`SQLITE_BUSY` at once, and the read
/// goes to the reader threads instead), there are only as many as cores (a caller never waits
/// for one), and a read that took longer than ``slowRead`` sends every point read to the
/// reader threads for ``pause`` before they are tried inline again.
final class InlineReaders: Sendable {
    /// A read slower than this pauses inline reads: the disk, not the page cache, answered it.
    static let slowRead: Duration = .milliseconds(2)
    static let pause: Duration = .seconds(1)

    private struct State {
        var idle: [DatabaseQueue] = []
        var open = 0
        var closed = false
        /// Inline reads are paused until then.
        var pausedUntil: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let limit: Int
    private let openConnection: @Sendable () throws -> DatabaseQueue

    init(limit: Int, open: @escaping @Sendable () throws -> DatabaseQueue) {
        self.limit = limit
        self.openConnection = open
    }

    /// Runs `body` on an idle connection on this thread, or returns `nil` when none is free,
    /// inline reads are paused, or the database was busy: then the caller reads elsewhere.
    func read<Value>(_ body: (Database) throws -> Value) throws -> Value? {
        guard let connection = take() else { return nil }
        let clock = ContinuousClock()
        let started = clock.now
        let value: Value
        do {
            value = try connection.inDatabase(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            give(back: connection, pauseAfter: true)
            return nil
        } catch {
            give(back: connection, pauseAfter: false)
            throw error
        }
        give(back: connection, pauseAfter: clock.now - started > Self.slowRead)
        return value
    }

    /// Closes the idle connections now and the others when they are given back.
    func close() {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for connection in idle { try? connection.close() }
    }

    /// Whether point reads are paused now (for tests and diagnostics).
    var isPaused: Bool {
        state.withLock { state in state.pausedUntil.map { ContinuousClock.now < $0 } ?? false }
    }

    private func take() -> DatabaseQueue? {
        let taken = state.withLock { state -> (DatabaseQueue?, shouldOpen: Bool) in
            guard !state.closed else { return (nil, false) }
            if let until = state.pausedUntil {
                guard ContinuousClock.now >= until else { return (nil, false) }
                state.pausedUntil = nil
            }
            if let connection = state.idle.popLast() { return (connection, false) }
            guard state.open < limit else { return (nil, false) }
            state.open += 1
            return (nil, true)
        }
        if let connection = taken.0 { return connection }
        guard taken.shouldOpen else { return nil }
        do {
            return try openConnection()
        } catch {
            state.withLock { $0.open -= 1 }
            return nil
        }
    }

    private func give(back connection: DatabaseQueue, pauseAfter slow: Bool) {
        let keep = state.withLock { state -> Bool in
            if slow { state.pausedUntil = ContinuousClock.now + Self.pause }
            guard !state.closed else { return false }
            state.idle.append(connection)
            return true
        }
        if !keep { try? connection.close() }
    }
}
