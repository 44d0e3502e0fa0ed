/// What a system declares in `register`: its event subscriptions. Recording only;
/// the kernel checks each declaration against the manifest before anything starts.
public struct Registrar: Sendable {
    public let systemID: String
    var subscriptions: [Subscription] = []

    init(systemID: String) {
        self.systemID = systemID
    }

    /// Subscribes `handler` to events whose name matches `pattern` (`user.created`, `user.*`, `*`).
    ///
    /// - Parameters:
    ///   - priority: higher runs first; ties keep registration order.
    ///   - capacity: how many undelivered events the subscriber's queue holds.
    ///   - overflow: what happens to an event that arrives when the queue is full.
    public mutating func on(
        _ pattern: String,
        priority: Int = 0,
        capacity: Int = 1_024,
        overflow: OverflowPolicy = .dropNewest,
        _ handler: @escaping @Sendable (Event) async throws -> Void
    ) {
        subscriptions.append(
            Subscription(
                systemID: systemID, pattern: pattern, priority: priority, capacity: max(1, capacity),
                overflow: overflow, handler: handler))
    }
}
