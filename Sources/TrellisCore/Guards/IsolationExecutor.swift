internal import Foundation

/// A task executor with its own threads, so a system's code that blocks a thread (a
/// synchronous `sleep`, a blocking syscall) blocks one of these instead of one of Swift's
/// cooperative threads, which every other system and the HTTP server share.
///
/// Threads are started on demand up to `maximumThreads` (the system's bulkhead) and then
/// kept; jobs beyond that wait in a queue.
final class IsolationExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: every mutable property is read and written only while holding `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var idle = 0
    private var threads = 0
    let maximumThreads: Int
    let name: String

    init(name: String, maximumThreads: Int) {
        self.name = name
        self.maximumThreads = max(1, maximumThreads)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        if idle > 0 {
            condition.signal()
        } else if threads < maximumThreads {
            threads += 1
            let thread = Thread { [unowned(unsafe) self] in self.work() }
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
                condition.wait()
                idle -= 1
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
