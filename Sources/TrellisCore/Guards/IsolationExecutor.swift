internal import Foundation

/// A task executor with its own threads, so a system's code that blocks a thread (a
/// synchronous `sleep`, a blocking syscall) blocks one of these instead of one of Swift's
/// cooperative threads, which every other system and the HTTP server share.
///
/// Threads are started on demand up to `maximumThreads` (the system's bulkhead) and end after
/// `idleLifetime` without work; jobs beyond the limit wait in a queue. Each thread holds the
/// executor strongly, so an executor lives until its last thread has ended.
final class IsolationExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: every mutable property is read and written only while holding `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var idle = 0
    private var threads = 0
    let maximumThreads: Int
    let name: String
    static let idleLifetime: TimeInterval = 5

    init(name: String, maximumThreads: Int) {
        self.name = name
        self.maximumThreads = max(1, maximumThreads)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        if idle > 0 { condition.signal() }
        // More jobs waiting than idle threads to take them: start another thread, or a job
        // could wait behind one that blocks although the limit allows it a thread of its own.
        if jobs.count - head > idle, threads < maximumThreads {
            threads += 1
            let thread = Thread { self.work() }
            thread.name = "trellis.\(name).\(threads)"
            thread.start()
        }
        condition.unlock()
    }

    /// Threads started so far (tests and statistics).
    var threadCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return threads
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count {
                idle += 1
                let signalled = condition.wait(until: Date(timeIntervalSinceNow: Self.idleLifetime))
                idle -= 1
                if !signalled, head == jobs.count {
                    threads -= 1
                    condition.unlock()
                    return
                }
            }
            let job = jobs[head]
            head += 1
            if head > 1_024, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
