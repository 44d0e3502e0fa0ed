import Synchronization
import Testing
import TrellisCore
import TrellisJSON

/// A job queue that numbers what it is given.
final class CountingQueue: JobQueue {
    private let jobs = Mutex<[String]>([])

    func enqueue(_ job: String) async -> Int {
        jobs.withLock { jobs in
            jobs.append(job)
            return jobs.count
        }
    }

    var enqueued: [String] { jobs.withLock { $0 } }
}

@Suite("Capabilities: typed keys, provided once, required by key")
struct CapabilityTests {
    /// `jobs` provides the queue in `boot`; `webhooks` consumes it and enqueues in `start`.
    private func providerAndConsumer(queue: CountingQueue, result: Collected<Int>) -> [any System] {
        var jobs = TestSystem(.test("jobs", provides: [.init(jobQueueKey)]))
        jobs.onBoot = { context in try context.provide(jobQueueKey, queue) }
        var webhooks = TestSystem(.test("a_webhooks", consumes: [.init(jobQueueKey)]))
        webhooks.onStart = { context in
            let queue: any JobQueue = try context.capability(jobQueueKey)
            result.append(await queue.enqueue("deliver #1"))
        }
        return [webhooks, jobs]
    }

    @Test("a consumer gets the provider's typed value; the provider starts first whatever the ids")
    func typedProvideAndConsume() async throws {
        let queue = CountingQueue()
        let result = Collected<Int>()
        let kernel = try makeKernel(providerAndConsumer(queue: queue, result: result))
        #expect(kernel.plan.order == ["jobs", "a_webhooks"])
        try await withRunningKernel(kernel) { kernel in
            #expect(await kernel.state(of: "a_webhooks") == .running)
            // Code outside any system (the composition root) reads it by key too.
            let fromKernel = try kernel.capability(jobQueueKey)
            #expect(await fromKernel.enqueue("from the root") == 2)
        }
        #expect(result.all == [1])
        #expect(queue.enqueued == ["deliver #1", "from the root"])
    }

    @Test("a stopped provider's capability is gone")
    func capabilityGoneAfterStop() async throws {
        let kernel = try makeKernel(providerAndConsumer(queue: CountingQueue(), result: Collected()))
        try await withRunningKernel(kernel) { _ in }
        let error = #expect(throws: CapabilityError.self) { try kernel.capability(jobQueueKey) }
        #expect(error?.message == "no running system provides capability 'jobs.queue' (JobQueue)")
    }

    @Test("asking for a capability not declared in consumes throws the exact error and fails that system's start")
    func undeclaredConsumption() async throws {
        let thrown = Collected<CapabilityError>()
        var jobs = TestSystem(.test("jobs", provides: [.init(jobQueueKey)]))
        jobs.onBoot = { context in try context.provide(jobQueueKey, CountingQueue()) }
        var sneaky = TestSystem(.test("sneaky", requires: ["jobs"]))
        sneaky.onStart = { context in
            do {
                _ = try context.capability(jobQueueKey)
            } catch let error as CapabilityError {
                thrown.append(error)
                throw error
            }
        }
        let kernel = try makeKernel([jobs, sneaky])
        try await withRunningKernel(kernel) { kernel in
            let message =
                "sneaky asked for capability 'jobs.queue' (JobQueue) but does not list it in its manifest's consumes; add it there"
            #expect(thrown.all.map(\.message) == [message])
            #expect(thrown.all.map(\.systemID) == ["sneaky"])
            #expect(thrown.all.map(\.capability) == ["jobs.queue"])
            #expect(await kernel.state(of: "sneaky") == .failed(reason: "failed to start: \(message)"))
            #expect(await kernel.state(of: "jobs") == .running)
        }
    }

    @Test("providing a capability not declared in provides throws the exact error")
    func undeclaredProvision() async throws {
        var rogue = TestSystem(.test("rogue"))
        rogue.onBoot = { context in try context.provide(jobQueueKey, CountingQueue()) }
        let kernel = try makeKernel([rogue])
        try await withRunningKernel(kernel) { kernel in
            #expect(
                await kernel.state(of: "rogue")
                    == .failed(
                        reason:
                            "failed to start: rogue provides capability 'jobs.queue' (JobQueue) but does not list it in its manifest's provides; add it there"
                    ))
            #expect(throws: CapabilityError.self) { try kernel.capability(jobQueueKey) }
        }
    }

    @Test("a provider that declares a capability but never provides it fails its start; its consumers are disabled")
    func declaredButNeverProvided() async throws {
        let log = HookLog()
        let kernel = try makeKernel([
            TestSystem(.test("jobs", provides: [.init(jobQueueKey)]), log: log),
            TestSystem(.test("webhooks", consumes: [.init(jobQueueKey)]), log: log),
        ])
        try await withRunningKernel(kernel) { kernel in
            let reason = "failed to start: jobs declares it provides capability 'jobs.queue' but did not provide it in boot or start"
            #expect(await kernel.state(of: "jobs") == .failed(reason: reason))
            #expect(
                await kernel.state(of: "webhooks")
                    == .disabled(reason: "it consumes 'jobs.queue' from jobs, which \(reason)"))
        }
        #expect(log.systems(calling: "start") == ["jobs"])
    }

    @Test("a capability provided in start is available to consumers that start later")
    func providedInStart() async throws {
        let seen = Collected<Int>()
        var jobs = TestSystem(.test("jobs", provides: [.init(jobQueueKey)]))
        jobs.onStart = { context in
            try await Task.sleep(for: .milliseconds(5))
            try context.provide(jobQueueKey, CountingQueue())
        }
        var consumer = TestSystem(.test("admin", consumes: [.init(jobQueueKey)]))
        consumer.onBoot = { context in _ = try context.capability(jobQueueKey) }
        consumer.onStart = { context in seen.append(try await context.capability(jobQueueKey).enqueue("x")) }
        try await withRunningKernel(try makeKernel([consumer, jobs])) { kernel in
            #expect(await kernel.state(of: "admin") == .running)
        }
        #expect(seen.all == [1])
    }

    @Test("keys compare by name and type; descriptions name both")
    func keys() {
        #expect(AnyCapabilityKey(jobQueueKey) == AnyCapabilityKey(CapabilityKey<any JobQueue>("jobs.queue")))
        #expect(AnyCapabilityKey(jobQueueKey) != AnyCapabilityKey(CapabilityKey<String>("jobs.queue")))
        #expect(AnyCapabilityKey(jobQueueKey) != AnyCapabilityKey(CapabilityKey<any JobQueue>("jobs.other")))
        #expect(jobQueueKey.description == "'jobs.queue' (JobQueue)")
        #expect(AnyCapabilityKey(jobQueueKey).description == "'jobs.queue'")
    }
}
