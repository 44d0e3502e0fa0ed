import Foundation
import Synchronization
import Testing
import TrellisCore
import TrellisJSON
import TrellisTesting

/// Guards around calls into systems, through a running kernel.
@Suite struct SystemGuardTests {
    func system(_ id: String, policy: GuardPolicy = GuardPolicy(), critical: Bool = false) -> TestSystem {
        TestSystem(SystemManifest(id: id, version: "1.0.0", summary: id, critical: critical, guardPolicy: policy))
    }

    @Test func aTimeoutHoldsWhenTheCalleeIgnoresCancellation() async throws {
        let kernel = try makeKernel([system("slow", policy: GuardPolicy(timeout: .milliseconds(100)))])
        try await withRunningKernel(kernel) { kernel in
            let slow = try #require(kernel.guards["slow"])
            let started = StallWatch.shared.now
            await #expect(throws: GuardError.timedOut(system: "slow", hook: "work", limit: .milliseconds(100))) {
                try await slow.call("work") {
                    // Ignores cancellation: a detached sleep nobody cancels.
                    await Task.detached { try? await Task.sleep(for: .seconds(30)) }.value
                }
            }
            // At the deadline, not when the callee returns; generous for a machine that stalls.
            #expect(StallWatch.shared.runningTime(since: started) < .seconds(10))
            // The straggler still holds its slot until it really ends.
            #expect(slow.callsInFlight == 1)
            let stats = try #require(slow.statistics.first { $0.hook == "work" })
            #expect(stats.calls == 1 && stats.timeouts == 1 && stats.errors == 0)
        }
    }

    @Test func callsBeyondTheConcurrencyLimitAreRejectedAtOnce() async throws {
        let kernel = try makeKernel([system("narrow", policy: GuardPolicy(maxConcurrent: 2))])
        try await withRunningKernel(kernel) { kernel in
            let narrow = try #require(kernel.guards["narrow"])
            let gate = AsyncStream.makeStream(of: Void.self)
            let release = gate.continuation
            let holders = (0..<2).map { _ in
                Task { try await narrow.call("hold") { for await _ in gate.stream { break } } }
            }
            #expect(await eventually { narrow.callsInFlight == 2 })
            await #expect(throws: GuardError.concurrencyLimit(system: "narrow", hook: "other", limit: 2)) {
                try await narrow.call("other") { 1 }
            }
            release.finish()
            for holder in holders { try await holder.value }
            #expect(try await narrow.call("other") { 42 } == 42)
            let other = try #require(narrow.statistics.first { $0.hook == "other" })
            #expect(other.rejections == 1 && other.calls == 2)
        }
    }

    @Test func anOpenBreakerRefusesCallsThenRecoversThroughAProbe() async throws {
        let clock = ManualGuardClock()
        let policy = GuardPolicy(breaker: BreakerPolicy(consecutiveFailures: 2, openDuration: .seconds(30), halfOpenProbes: 1))
        let kernel = try Kernel(systems: [system("flaky", policy: policy)], environment: [:], guardClock: clock)
        try await withRunningKernel(kernel) { kernel in
            let flaky = try #require(kernel.guards["flaky"])
            for _ in 0..<2 {
                await #expect(throws: Boom.self) { try await flaky.call("hook") { throw Boom() } }
            }
            await #expect(throws: GuardError.breakerOpen(system: "flaky", hook: "hook")) { try await flaky.call("hook") { 1 } }
            #expect(flaky.breakerStates["hook"] == .open)
            clock.advance(by: .seconds(30))
            #expect(try await flaky.call("hook") { 7 } == 7)
            #expect(flaky.breakerStates["hook"] == .closed)
        }
    }

    @Test func breakerTransitionsAreEvents() async throws {
        let policy = GuardPolicy(breaker: BreakerPolicy(consecutiveFailures: 1, openDuration: .milliseconds(50), halfOpenProbes: 1))
        let harness = try SystemHarness(systems: [system("flaky", policy: policy)])
        try await harness.start()
        let flaky = try #require(harness.kernel.guards["flaky"])
        await #expect(throws: Boom.self) { try await flaky.call("hook") { throw Boom() } }
        try await Task.sleep(for: .milliseconds(60))
        #expect(try await flaky.call("hook") { 1 } == 1)
        _ = try await harness.waitForEvent(named: "kernel.breaker.closed")
        let names = harness.emitted.map(\.name).filter { $0.hasPrefix("kernel.breaker.") }
        #expect(names == ["kernel.breaker.opened", "kernel.breaker.half_opened", "kernel.breaker.closed"])
        let opened = try #require(harness.emitted(named: "kernel.breaker.opened").first)
        #expect(opened.payload == ["system": "flaky", "hook": "hook", "from": "closed"])
        try await harness.stop()
    }

    @Test func blockingWorkDoesNotStarveOtherSystems() async throws {
        // Two slots, both blocked by a synchronous sleep: with the work on Swift's cooperative
        // pool (two threads on a two-core machine) everything else would stall until it ends.
        let kernel = try makeKernel([
            system("blocker", policy: GuardPolicy(timeout: .seconds(10), maxConcurrent: 2)), system("quick"),
        ])
        try await withRunningKernel(kernel) { kernel in
            let blocker = try #require(kernel.guards["blocker"])
            let quick = try #require(kernel.guards["quick"])
            let blocked = (0..<2).map { _ in Task { try await blocker.call("block") { usleep(1_500_000) } } }
            #expect(await eventually { blocker.callsInFlight == 2 })
            let started = StallWatch.shared.now
            // Two rounds of 25 concurrent calls: under quick's default limit of 256 in flight.
            for _ in 0..<2 {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<25 { group.addTask { try await quick.call("answer") { index } } }
                    var sum = 0
                    for try await value in group { sum += value }
                    #expect(sum == (0..<25).reduce(0, +))
                }
            }
            let elapsed = StallWatch.shared.runningTime(since: started)
            #expect(elapsed < .milliseconds(700), "50 calls into another system took \(elapsed) while one system blocked its threads")
            await #expect(throws: GuardError.concurrencyLimit(system: "blocker", hook: "block", limit: 2)) {
                try await blocker.call("block") { _ = usleep(1) }
            }
            for task in blocked { _ = try await task.value }
        }
    }

    @Test func lifecycleHooksRunThroughTheGuard() async throws {
        var hanging = system("hanging")
        hanging.onHealth = { _ in
            await Task.detached { try? await Task.sleep(for: .seconds(2)) }.value
            return .up
        }
        var manifest = hanging.manifest
        manifest.timeLimits.health = .milliseconds(100)
        var slowHealth = TestSystem(manifest)
        slowHealth.onHealth = hanging.onHealth
        let kernel = try makeKernel([slowHealth])
        try await withRunningKernel(kernel) { kernel in
            let health = await kernel.health()
            let report = try #require(health.systems.first { $0.id == "hanging" }?.report)
            #expect(report.status == .down)
            #expect(report.message == "health check failed: hanging.health did not finish within 0.1 seconds")
            let statistics = try #require(kernel.guards["hanging"]?.statistics)
            #expect(statistics.map(\.hook) == ["boot", "health", "start"])
            #expect(statistics.first { $0.hook == "health" }?.timeouts == 1)
        }
    }

    @Test func aHungEventHandlerDelaysOnlyTheEventItHangsOn() async throws {
        let received = Mutex<[Int]>([])
        var listener = system("listener", policy: GuardPolicy(timeout: .milliseconds(100)))
        listener = TestSystem(
            SystemManifest(
                id: "listener", version: "1.0.0", summary: "listener", listens: ["test.tick"], guardPolicy: listener.manifest.guardPolicy))
        listener.onRegister = { registrar in
            registrar.on("test.tick") { event in
                let number = event.payload["n"]?.intValue ?? -1
                if number == 1 {
                    // Hangs, ignoring cancellation.
                    await Task.detached { try? await Task.sleep(for: .seconds(3)) }.value
                }
                received.withLock { $0.append(number) }
            }
        }
        let kernel = try makeKernel([listener])
        try await withRunningKernel(kernel) { kernel in
            for number in 0..<4 { kernel.events.emit(Event(name: "test.tick", source: "test", payload: ["n": JSONValue(number)])) }
            #expect(await eventually { received.withLock { $0 } == [0, 2, 3] })
            let statistics = try #require(kernel.guards["listener"]?.statistics.first { $0.hook == "event test.tick" })
            #expect(statistics.timeouts == 1)
            #expect(kernel.events.statistics.first { $0.systemID == "listener" }?.failed == 1)
        }
    }

    @Test func trellisYAMLOverridesThePolicyAndBadValuesFailTheBoot() throws {
        let file = FileConfiguration(systems: [
            "tuned": .init(guardConfig: ["timeout_ms": 250, "max_concurrent": 3, "breaker": ["open_ms": 1500]])
        ])
        let kernel = try makeKernel([system("tuned")], file: file)
        let policy = try #require(kernel.guards["tuned"]?.policy)
        #expect(policy.timeout == .milliseconds(250))
        #expect(policy.maxConcurrent == 3)
        #expect(policy.breaker.openDuration == .milliseconds(1500))
        #expect(policy.breaker.consecutiveFailures == BreakerPolicy().consecutiveFailures)

        let bad = FileConfiguration(systems: ["tuned": .init(guardConfig: ["timeout_ms": 0, "retries": 3])])
        #expect(throws: BootError.self) { try makeKernel([system("tuned")], file: bad) }
        do {
            _ = try makeKernel([system("tuned")], file: bad)
        } catch {
            #expect(
                error.problems.map(\.message).sorted() == [
                    "trellis.yaml: /systems/tuned/guard/retries: the property \"retries\" is not allowed (additionalProperties is false)",
                    "trellis.yaml: /systems/tuned/guard/timeout_ms: 0 is less than the minimum of 1",
                ])
        }
    }
}
