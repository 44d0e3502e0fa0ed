internal import Synchronization

/// One registered event handler with its bounded queue.
struct Subscription: Sendable {
    let systemID: String
    let pattern: String
    let priority: Int
    let capacity: Int
    let overflow: OverflowPolicy
    let handler: @Sendable (Event) async throws -> Void
}

/// Delivery counters for one subscriber, readable while it runs.
public struct SubscriberStatistics: Sendable, Hashable {
    public let systemID: String
    public let pattern: String
    public var delivered = 0
    public var failed = 0
    public var dropped = 0
}

/// A live subscriber: its queue (an `AsyncStream` with a bounded buffer) and counters.
final class Subscriber: Sendable {
    let subscription: Subscription
    let stream: AsyncStream<Event>
    let continuation: AsyncStream<Event>.Continuation
    let statistics: Mutex<SubscriberStatistics>
    /// Which drain task owns the queue; a handler past its deadline makes the bus start a new
    /// one (the next generation) and the stuck task leaves when its handler returns.
    let generation = Mutex(0)

    init(_ subscription: Subscription) {
        self.subscription = subscription
        let policy: AsyncStream<Event>.Continuation.BufferingPolicy =
            switch subscription.overflow {
            case .dropNewest: .bufferingOldest(subscription.capacity)
            case .dropOldest: .bufferingNewest(subscription.capacity)
            }
        (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: policy)
        statistics = Mutex(SubscriberStatistics(systemID: subscription.systemID, pattern: subscription.pattern))
    }

    /// Queues an event; counts it as dropped when the queue is full or closed.
    func enqueue(_ event: Event) {
        switch continuation.yield(event) {
        case .enqueued: break
        case .dropped, .terminated: statistics.withLock { $0.dropped += 1 }
        @unknown default: break
        }
    }
}
