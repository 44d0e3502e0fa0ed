internal import Foundation

/// Fires deadlines for guarded calls from one background thread, so a guarded call costs
/// a heap insertion instead of a timer task of its own.
@usableFromInline
final class DeadlineScheduler: @unchecked Sendable {
    // @unchecked: `heap`, `actions` and `nextID` are only touched while holding `condition`.
    @usableFromInline static let shared = DeadlineScheduler()

    private struct Entry {
        let deadline: ContinuousClock.Instant
        let id: UInt64
    }

    private let condition = NSCondition()
    private var heap: [Entry] = []
    /// The action of every pending deadline. Cancelling removes it at once, so what it captured
    /// (a request, a continuation) is freed now, not when the deadline would have passed.
    private var actions: [UInt64: @Sendable () -> Void] = [:]
    private var nextID: UInt64 = 0

    private init() {
        let thread = Thread { [unowned(unsafe) self] in self.run() }
        thread.name = "trellis.deadlines"
        thread.start()
    }

    /// Runs `action` at `deadline` unless cancelled first; returns a token for ``cancel(_:)``.
    @usableFromInline
    func schedule(at deadline: ContinuousClock.Instant, _ action: @escaping @Sendable () -> Void) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        nextID += 1
        actions[nextID] = action
        heap.append(Entry(deadline: deadline, id: nextID))
        siftUp(heap.count - 1)
        if heap[0].id == nextID { condition.signal() }
        return nextID
    }

    @usableFromInline
    func cancel(_ id: UInt64) {
        condition.lock()
        actions[id] = nil
        // Cancelled entries leave the heap when they reach its top; drop them in bulk when they
        // are most of it, so a high call rate with long limits keeps the heap small.
        if heap.count > 4_096, actions.count * 2 < heap.count {
            heap.removeAll { actions[$0.id] == nil }
            for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while true {
                if let first = heap.first, actions[first.id] == nil {
                    pop()
                    continue
                }
                guard let first = heap.first else {
                    condition.wait()
                    continue
                }
                let remaining = first.deadline - ContinuousClock.now
                if remaining <= .zero { break }
                let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
                _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
            }
            let due = pop()
            let action = actions.removeValue(forKey: due.id)
            condition.unlock()
            action?()
        }
    }

    @discardableResult
    private func pop() -> Entry {
        let first = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return first
    }

    private func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = parent * 2 + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
