internal import Dispatch
internal import Foundation
internal import Synchronization

/// A few threads of its own, each owning one connection that it opens on its first job, which
/// run the jobs handed to ``run(_:)`` in the order they arrive.
///
/// A job (an SQLite read) is synchronous. Run inline, it would hold one of Swift's cooperative
/// threads (there are as many as cores) for as long as SQLite waits for a lock or the disk.
/// Here only a reader thread waits, and the caller's task is suspended on a continuation:
/// one hand-off to the thread and one back, with no dispatch queue in between. When every
/// thread is busy, jobs wait in a queue, first come first served.
///
/// ```swift
/// let readers = ReaderPool(label: "trellis.read", threads: 4) { try DatabaseQueue(path: path, configuration: readOnly) }
/// let count = try await readers.run { connection in try connection.inDatabase { try Int.fetchOne($0, sql: "…") } }
/// ```
///
/// - Important: ``close()`` waits for the job each thread is running; never call it from a job.
///   Dropping the pool without ``close()`` stops the threads too, without waiting.
package final class ReaderPool<Connection>: Sendable {
    private let queue: JobQueue<Connection>
    /// How many threads run jobs, and so how many connections can be open at once.
    package let threadCount: Int

    /// Starts `threads` threads named `label.0`, `label.1`, … (Linux keeps 15 characters of a
    /// thread's name); none opens its connection until it runs a job. `open` runs on the thread
    /// that will own the connection, and again on its next job when it fails; `close` runs on
    /// that thread when the pool closes.
    package init(
        label: String, threads: Int, open: @escaping @Sendable () throws -> Connection,
        close: @escaping @Sendable (Connection) -> Void = { _ in }
    ) {
        precondition(threads > 0, "a reader pool needs at least one thread")
        let queue = JobQueue<Connection>(threads: threads)
        self.queue = queue
        self.threadCount = threads
        for index in 0..<threads {
            let thread = Thread {
                var connection: Connection?
                while let job = queue.next() {
                    do {
                        if connection == nil { connection = try open() }
                        job(.success(connection!))
                    } catch {
                        job(.failure(error))
                    }
                }
                if let connection { close(connection) }
                queue.threadFinished()
            }
            thread.name = "\(label).\(index)"
            thread.start()
        }
    }

    deinit {
        queue.close()
    }

    /// Runs `body` on the first free thread with that thread's connection, and returns what it
    /// returns.
    ///
    /// The caller's task waits suspended, not blocking its thread. Cancelling the task does not
    /// stop a job that was handed over: it runs to its end.
    ///
    /// - Throws: what `open` or `body` throws; ``ReaderPoolError/closed`` once ``close()`` has
    ///   been called, also for jobs still waiting for a thread then.
    package func run<Value: Sendable>(_ body: @escaping @Sendable (Connection) throws -> Value) async throws -> Value {
        try await withUnsafeThrowingContinuation { continuation in
            let accepted = queue.enqueue { connection in
                continuation.resume(with: Result { try body(connection.get()) })
            }
            if !accepted { continuation.resume(throwing: ReaderPoolError.closed) }
        }
    }

    /// Fails the jobs that wait for a thread, lets each thread finish the job it is running and
    /// close its connection, and returns when every thread has ended. Later calls return at once.
    package func close() {
        queue.close()
        queue.waitUntilThreadsFinish()
    }
}

/// Why ``ReaderPool/run(_:)`` did not run a job.
package enum ReaderPoolError: Error, Sendable, CustomStringConvertible {
    /// The pool was closed before a thread took the job.
    case closed

    package var description: String {
        switch self {
        case .closed: "the reader pool is closed"
        }
    }
}

/// The jobs waiting for a reader thread; shared by the pool and its threads, so that the
/// threads keep it alive and not the pool.
private final class JobQueue<Connection>: Sendable {
    typealias Job = @Sendable (Result<Connection, any Error>) -> Void

    private struct State {
        /// Jobs from `head` on are waiting; the ones before it were taken.
        var jobs: [Job] = []
        var head = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let threads: Int
    /// Signalled once per job, and once per thread on close: a thread sleeps on it only while
    /// no job waits.
    private let pending = DispatchSemaphore(value: 0)
    private let running = DispatchGroup()

    init(threads: Int) {
        self.threads = threads
        for _ in 0..<threads { running.enter() }
    }

    /// - Returns: `false` when the queue is closed and `job` will not run.
    func enqueue(_ job: @escaping Job) -> Bool {
        let accepted = state.withLock { state in
            guard !state.closed else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { pending.signal() }
        return accepted
    }

    /// Blocks the calling thread until a job waits or the queue closes; `nil` once it is closed.
    func next() -> Job? {
        while true {
            pending.wait()
            switch take() {
            case .job(let job): return job
            case .closed: return nil
            // Every signal stands for a job, so this is not expected; wait again.
            case .nothing: continue
            }
        }
    }

    private enum Taken {
        case job(Job)
        case closed
        case nothing
    }

    private func take() -> Taken {
        state.withLock { state in
            if state.closed { return .closed }
            guard state.head < state.jobs.count else { return .nothing }
            let job = state.jobs[state.head]
            state.head += 1
            if state.head == state.jobs.count {
                state.jobs.removeAll(keepingCapacity: true)
                state.head = 0
            } else if state.head >= 1024 {
                // Under a load that never empties the queue, drop the taken jobs now and then.
                state.jobs.removeFirst(state.head)
                state.head = 0
            }
            return .job(job)
        }
    }

    /// Fails the waiting jobs and wakes every thread, which then ends. Later calls do nothing.
    func close() {
        let waiting: [Job]? = state.withLock { state in
            guard !state.closed else { return nil }
            let waiting = Array(state.jobs[state.head...])
            state.closed = true
            state.jobs = []
            state.head = 0
            return waiting
        }
        guard let waiting else { return }
        for job in waiting { job(.failure(ReaderPoolError.closed)) }
        // One wake-up per thread is enough: after close, a thread's next wake-up ends it.
        for _ in 0..<threads { pending.signal() }
    }

    func threadFinished() { running.leave() }
    func waitUntilThreadsFinish() { running.wait() }
}
