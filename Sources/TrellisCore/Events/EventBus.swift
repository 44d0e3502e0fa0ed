internal import Logging
internal import Synchronization

/// Routes events from emitters to subscribers.
///
/// Each subscriber has its own bounded queue drained by its own task, so a slow or failing
/// handler delays and hurts only itself. `emit` hands the event to every matching
/// subscriber's queue, in priority order, and returns at once; `emitAndWait` runs the
/// matching handlers one after another in priority order and returns their outcomes.
/// A handler that throws is isolated: the error is logged and counted, delivery goes on.
public final class EventBus: Sendable {
    private struct State {
        var subscribers: [Subscriber] = []
        /// Matching subscribers by event name, so routing a name is one dictionary lookup.
        var routes: [String: [Subscriber]] = [:]
        var declared: Set<String> = []
        var declaredPatterns: [String] = []
        var warnedUndeclared: Set<String> = []
        var emittedCounts: [String: Int] = [:]
        var observers: [@Sendable (Event) -> Void] = []
    }

    private let state = Mutex(State())
    private let guards = Mutex<Guards?>(nil)
    private let logger: Logger
    private let newSubscribers: AsyncStream<Subscriber>
    private let newSubscribersContinuation: AsyncStream<Subscriber>.Continuation

    init(logger: Logger) {
        self.logger = logger
        (newSubscribers, newSubscribersContinuation) = AsyncStream.makeStream(of: Subscriber.self)
    }

    /// Delivers through each subscriber's system guard from now on.
    func attach(_ guards: Guards) {
        self.guards.withLock { $0 = guards }
    }

    /// Names systems declared in `emits`; emitting anything else logs a warning once.
    func declare(emits names: [String]) {
        state.withLock { $0.declared.formUnion(names) }
    }

    func add(_ subscriptions: [Subscription]) {
        let subscribers = subscriptions.map(Subscriber.init)
        state.withLock { state in
            state.subscribers.append(contentsOf: subscribers)
            // Stable sort: higher priority first, registration order among equals.
            state.subscribers = state.subscribers.enumerated()
                .sorted { ($0.element.subscription.priority, -$0.offset) > ($1.element.subscription.priority, -$1.offset) }
                .map(\.element)
            state.routes.removeAll()
        }
        for subscriber in subscribers { newSubscribersContinuation.yield(subscriber) }
    }

    /// Closes the queues of a system's subscribers (it stopped or is restarting).
    func remove(systemID: String) {
        let removed = state.withLock { state -> [Subscriber] in
            let removed = state.subscribers.filter { $0.subscription.systemID == systemID }
            state.subscribers.removeAll { $0.subscription.systemID == systemID }
            state.routes.removeAll()
            return removed
        }
        for subscriber in removed { subscriber.continuation.finish() }
    }

    /// Calls `observer` with every event as it is emitted, whoever subscribes or stops; for
    /// ``SystemHarness``, which must see the whole stream. It runs on the emitter's call: keep it quick.
    package func observe(_ observer: @escaping @Sendable (Event) -> Void) {
        state.withLock { $0.observers.append(observer) }
    }

    private func subscribers(for event: Event) -> [Subscriber] {
        let (matching, observers) = route(event)
        for observer in observers { observer(event) }
        return matching
    }

    private func route(_ event: Event) -> ([Subscriber], [@Sendable (Event) -> Void]) {
        state.withLock { state in
            state.emittedCounts[event.name, default: 0] += 1
            if let cached = state.routes[event.name] { return (cached, state.observers) }
            if !state.declared.contains(event.name), !state.warnedUndeclared.contains(event.name) {
                state.warnedUndeclared.insert(event.name)
                logger.warning(
                    "event \(event.name) emitted by \(event.source) is not declared in any manifest's emits",
                    metadata: ["event": "\(event.name)", "system": "\(event.source)"])
            }
            let matching = state.subscribers.filter { EventName.matches(event.name, pattern: $0.subscription.pattern) }
            state.routes[event.name] = matching
            return (matching, state.observers)
        }
    }

    /// Queues `event` for every matching subscriber and returns without waiting.
    public func emit(_ event: Event) {
        for subscriber in subscribers(for: event) { subscriber.enqueue(event) }
    }

    /// Runs every matching handler in priority order and returns their outcomes.
    public func emitAndWait(_ event: Event) async -> [HandlerOutcome] {
        var outcomes: [HandlerOutcome] = []
        for subscriber in subscribers(for: event) {
            let error = await deliver(event, to: subscriber)
            outcomes.append(
                HandlerOutcome(systemID: subscriber.subscription.systemID, pattern: subscriber.subscription.pattern, error: error))
        }
        return outcomes
    }

    /// Counters for every subscriber.
    public var statistics: [SubscriberStatistics] {
        state.withLock { $0.subscribers }.map { $0.statistics.withLock { $0 } }
    }

    /// How many times each event name was emitted.
    public var emittedCounts: [String: Int] { state.withLock { $0.emittedCounts } }

    private func deliver(_ event: Event, to subscriber: Subscriber) async -> (any Error)? {
        do {
            let handler = subscriber.subscription.handler
            if let systemGuard = guards.withLock({ $0?[subscriber.subscription.systemID] }) {
                try await systemGuard.call("event \(subscriber.subscription.pattern)") { try await handler(event) }
            } else {
                try await handler(event)
            }
            subscriber.statistics.withLock { $0.delivered += 1 }
            return nil
        } catch {
            failed(event, subscriber, error)
            return error
        }
    }

    /// Drains every subscriber's queue until `finish()`. Each subscriber runs in its own child
    /// task on its system's threads, and calls its handler in that task (no hop per event)
    /// through the system's guard. When a handler outlives its time limit, a new task takes
    /// over the queue and the stuck one leaves once its handler returns, so a hung handler
    /// delays only the event it hangs on.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await subscriber in newSubscribers {
                let generation = subscriber.generation.withLock { $0 }
                let executor = guards.withLock { $0?[subscriber.subscription.systemID]?.executor }
                group.addTask(executorPreference: executor) {
                    await self.drain(subscriber, generation: generation)
                }
            }
        }
    }

    private func drain(_ subscriber: Subscriber, generation: Int) async {
        var events = subscriber.stream.makeAsyncIterator()
        let handler = subscriber.subscription.handler
        let callSite = guards.withLock { $0?[subscriber.subscription.systemID] }.map { systemGuard in
            systemGuard.inlineCallSite("event \(subscriber.subscription.pattern)") {
                self.replaceDrain(of: subscriber, after: generation)
            }
        }
        while subscriber.generation.withLock({ $0 }) == generation, let event = await events.next() {
            do {
                if let callSite {
                    try await callSite.call { try await handler(event) }
                } else {
                    try await handler(event)
                }
                // A handler that outlived its limit was already counted as failed.
                if subscriber.generation.withLock({ $0 }) == generation { subscriber.statistics.withLock { $0.delivered += 1 } }
            } catch {
                if subscriber.generation.withLock({ $0 }) == generation { failed(event, subscriber, error) }
            }
        }
    }

    /// Hands a subscriber's queue to a new drain task, unless that already happened.
    private func replaceDrain(of subscriber: Subscriber, after generation: Int) {
        let replaced = subscriber.generation.withLock { current -> Bool in
            guard current == generation else { return false }
            current += 1
            return true
        }
        if replaced {
            subscriber.statistics.withLock { $0.failed += 1 }
            logger.error(
                "event handler of \(subscriber.subscription.systemID) for \(subscriber.subscription.pattern) is past its time limit; its queue moves on without it",
                metadata: ["system": "\(subscriber.subscription.systemID)"])
            newSubscribersContinuation.yield(subscriber)
        }
    }

    private func failed(_ event: Event, _ subscriber: Subscriber, _ error: any Error) {
        subscriber.statistics.withLock { $0.failed += 1 }
        logger.error(
            "event handler of \(subscriber.subscription.systemID) failed on \(event.name): \(error)",
            metadata: ["event": "\(event.name)", "system": "\(subscriber.subscription.systemID)"])
    }

    /// Closes every queue after what is queued has been delivered, and ends `run()`.
    func finish() {
        newSubscribersContinuation.finish()
        let all = state.withLock { $0.subscribers }
        for subscriber in all { subscriber.continuation.finish() }
    }
}
