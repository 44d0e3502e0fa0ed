import Testing
import TrellisCore
import TrellisJSON
import TrellisTesting

/// The `system` field of every recorded lifecycle event with this name, in order.
private func systems(_ harness: SystemHarness, _ name: String) -> [String] {
    harness.emitted(named: name).compactMap { $0.payload["system"]?.stringValue }
}

/// Starts a hook that ignores cancellation and never finishes within a test: the wait happens in
/// an unstructured task, which the hook's cancellation does not reach, so nothing spins.
private func hangIgnoringCancellation() async {
    await Task { try? await Task.sleep(for: .seconds(30)) }.value
}

@Suite("Lifecycle: order, failures, time limits, shutdown")
struct LifecycleTests {
    @Test("systems start in plan order and stop in reverse, as the recorded event stream shows")
    func startAndStopOrder() async throws {
        let log = HookLog()
        let harness = try SystemHarness(systems: [
            TestSystem(.test("webhooks", requires: ["jobs"]), log: log), TestSystem(.test("jobs", requires: ["db"]), log: log),
            TestSystem(.test("db"), log: log), TestSystem(.test("audit"), log: log), TestSystem(.test("zeta"), log: log),
        ])
        #expect(harness.kernel.plan.order == ["audit", "db", "harness", "jobs", "webhooks", "zeta"])
        try await harness.start()
        try await harness.stop()

        let order = harness.kernel.plan.order
        #expect(systems(harness, "kernel.system.starting") == order)
        #expect(systems(harness, "kernel.system.started") == order)
        #expect(systems(harness, "kernel.system.stopped") == order.reversed())
        // Each system is started before the next one starts.
        let lifecycle = harness.emitted.filter { $0.name.hasPrefix("kernel.system.") }.map {
            "\($0.name.dropFirst(14)) \($0.payload["system"]?.stringValue ?? "")"
        }
        #expect(Array(lifecycle.prefix(4)) == ["starting audit", "started audit", "starting db", "started db"])

        let others = order.filter { $0 != SystemHarness.harnessID }
        #expect(log.systems(calling: "boot") == others)
        #expect(log.systems(calling: "start") == others)
        #expect(log.systems(calling: "stop") == others.reversed())
        for id in order { #expect(await harness.kernel.state(of: id) == .stopped) }
    }

    @Test("boot runs before start for each system, after register for all")
    func hookOrder() async throws {
        let log = HookLog()
        let kernel = try makeKernel([TestSystem(.test("b", requires: ["a"]), log: log), TestSystem(.test("a"), log: log)])
        try await withRunningKernel(kernel) { _ in }
        #expect(log.all == ["b.register", "a.register", "a.boot", "a.start", "b.boot", "b.start", "b.stop", "a.stop"])
    }

    @Test("stop runs for every system that started, also when a later start fails")
    func stopAfterLaterFailure() async throws {
        let log = HookLog()
        var failing = TestSystem(.test("b"), log: log)
        failing.onStart = { _ in throw Boom() }
        let kernel = try makeKernel([TestSystem(.test("a"), log: log), failing, TestSystem(.test("c"), log: log)])
        try await withRunningKernel(kernel) { kernel in
            #expect(await kernel.state(of: "b") == .failed(reason: "failed to start: boom"))
            #expect(await kernel.state(of: "a") == .running)
            #expect(await kernel.state(of: "c") == .running)
        }
        // b's stop runs right after its failed start, so it can release what start acquired.
        #expect(
            log.all == [
                "a.register", "b.register", "c.register", "a.boot", "a.start", "b.boot", "b.start", "b.stop", "c.boot", "c.start", "c.stop",
                "a.stop",
            ])
    }

    @Test("a non-critical failure marks the system failed, disables its dependents with the reason, and the rest runs")
    func nonCriticalFailure() async throws {
        let log = HookLog()
        var jobs = TestSystem(.test("jobs"), log: log)
        jobs.onStart = { _ in throw Boom("the database is locked") }
        let harness = try SystemHarness(systems: [
            jobs, TestSystem(.test("webhooks", requires: ["jobs"]), log: log), TestSystem(.test("admin", requires: ["webhooks"]), log: log),
            TestSystem(.test("audit"), log: log),
        ])
        try await harness.start()
        let kernel = harness.kernel
        #expect(await kernel.state(of: "jobs") == .failed(reason: "failed to start: the database is locked"))
        #expect(await kernel.state(of: "webhooks") == .disabled(reason: "it requires jobs, which failed to start: the database is locked"))
        #expect(
            await kernel.state(of: "admin")
                == .disabled(
                    reason:
                        "it requires webhooks, which is disabled because it requires jobs, which failed to start: the database is locked"))
        #expect(await kernel.state(of: "audit") == .running)
        #expect(await kernel.systemStates.map(\.id) == kernel.plan.order)
        try await harness.stop()

        #expect(log.systems(calling: "start") == ["audit", "jobs"])
        let failed = harness.emitted(named: "kernel.system.failed")
        #expect(failed.map(\.payload) == [["system": "jobs", "reason": "the database is locked"]])
        #expect(
            harness.emitted(named: "kernel.system.disabled").map(\.payload) == [
                ["system": "webhooks", "reason": "it requires jobs, which failed to start: the database is locked"],
                [
                    "system": "admin",
                    "reason":
                        "it requires webhooks, which is disabled because it requires jobs, which failed to start: the database is locked",
                ],
            ])
    }

    @Test("a critical failure aborts the boot with the exact error after stopping what started")
    func criticalFailure() async throws {
        let log = HookLog()
        var database = TestSystem(.test("db", critical: true), log: log)
        database.onStart = { _ in throw Boom("cannot open trellis.db") }
        let kernel = try makeKernel([
            TestSystem(.test("audit"), log: log), TestSystem(.test("cache"), log: log), database,
            TestSystem(.test("jobs", requires: ["db"]), log: log), TestSystem(.test("zeta"), log: log),
        ])
        let task = Task { try await kernel.run() }
        let error = await bootError { try await task.value }
        #expect(error?.problems.map(\.code) == [.criticalSystemFailed])
        #expect(
            error?.description == """
                Trellis cannot boot (1 problem):
                  - db is critical and failed to start: cannot open trellis.db; the boot was aborted and the 2 systems that had started were stopped
                """)
        #expect(log.systems(calling: "start") == ["audit", "cache", "db"])
        #expect(log.systems(calling: "stop") == ["db", "cache", "audit"])
        #expect(await kernel.state(of: "audit") == .stopped)
        #expect(await kernel.state(of: "cache") == .stopped)
        #expect(await kernel.state(of: "zeta") == .planned)
        // Waiting for a kernel whose boot failed gives the boot error itself.
        let waited = await bootError { try await kernel.waitUntilRunning() }
        #expect(waited?.description == error?.description)
    }

    @Test("the critical-failure message counts one started system in the singular")
    func criticalFailureSingular() async throws {
        var database = TestSystem(.test("db", critical: true))
        database.onStart = { _ in throw Boom("disk full") }
        let kernel = try makeKernel([TestSystem(.test("audit")), database])
        let error = await bootError { _ = try await start(kernel) }
        #expect(
            messages(error) == [
                "db is critical and failed to start: disk full; the boot was aborted and the 1 system that had started was stopped"
            ])
    }

    @Test("a start that exceeds its time limit fails at the deadline, even if it ignores cancellation")
    func startTimeLimit() async throws {
        let log = HookLog()
        var slow = TestSystem(.test("slow", timeLimits: HookTimeLimits(start: .milliseconds(100))), log: log)
        slow.onStart = { _ in await hangIgnoringCancellation() }
        let kernel = try makeKernel([slow, TestSystem(.test("then"), log: log)])
        let clock = ContinuousClock()
        let began = StallWatch.shared.now
        let running = try await start(kernel)
        let elapsed = clock.now - began
        let ran = StallWatch.shared.runningTime(since: began)
        #expect(await kernel.state(of: "slow") == .failed(reason: "failed to start: slow.start did not finish within 0.1 seconds"))
        #expect(await kernel.state(of: "then") == .running)
        // At the deadline, not when the hook would have finished (30 s); generous for a busy machine.
        #expect(elapsed >= .milliseconds(100))
        #expect(ran < .seconds(10))
        try await running.shutdown()
    }

    @Test("a boot that throws fails the system before its start runs")
    func bootThrows() async throws {
        let log = HookLog()
        var broken = TestSystem(.test("broken"), log: log)
        broken.onBoot = { _ in throw Boom("missing key file") }
        let kernel = try makeKernel([broken])
        try await withRunningKernel(kernel) { kernel in
            #expect(await kernel.state(of: "broken") == .failed(reason: "failed to start: missing key file"))
        }
        #expect(log.all == ["broken.register", "broken.boot", "broken.stop"])
    }

    @Test("a stop that exceeds its time limit does not hold up the shutdown")
    func stopTimeLimit() async throws {
        let log = HookLog()
        var stuck = TestSystem(.test("stuck", timeLimits: HookTimeLimits(stop: .milliseconds(100))), log: log)
        stuck.onStop = { _ in await hangIgnoringCancellation() }
        let kernel = try makeKernel([TestSystem(.test("after"), log: log), stuck])
        let running = try await start(kernel)
        let began = StallWatch.shared.now
        try await running.shutdown()
        #expect(StallWatch.shared.runningTime(since: began) < .seconds(10))
        #expect(log.systems(calling: "stop") == ["stuck", "after"])
        #expect(await kernel.state(of: "stuck") == .stopped)
        #expect(await kernel.state(of: "after") == .stopped)
    }

    @Test("requestShutdown ends run() after stopping every system")
    func requestShutdown() async throws {
        let log = HookLog()
        let kernel = try makeKernel([TestSystem(.test("a"), log: log), TestSystem(.test("b", requires: ["a"]), log: log)])
        let running = try await start(kernel)
        #expect(await kernel.systemStates.map(\.state) == [.running, .running])
        kernel.requestShutdown()
        try await running.task.value
        #expect(log.systems(calling: "stop") == ["b", "a"])
        #expect(await kernel.systemStates.map(\.state) == [.stopped, .stopped])
        await #expect(throws: KernelNotRunning.self) { try await kernel.waitUntilRunning() }
    }

    @Test("Kernel.serve runs the kernel in a ServiceGroup; cancelling it stops every system")
    func serve() async throws {
        let log = HookLog()
        let kernel = try makeKernel([TestSystem(.test("a"), log: log), TestSystem(.test("b", requires: ["a"]), log: log)])
        let serving = Task { try await Kernel.serve(kernel, shutdownDeadline: .milliseconds(500)) }
        try await kernel.waitUntilRunning()
        serving.cancel()
        _ = await serving.result
        #expect(log.systems(calling: "start") == ["a", "b"])
        #expect(log.systems(calling: "stop") == ["b", "a"])
        #expect(await kernel.systemStates.map(\.state) == [.stopped, .stopped])
    }

    @Test("cancelling the kernel's task stops every system in reverse order, each stop awaited")
    func cancellation() async throws {
        let log = HookLog()
        func flushing(_ manifest: SystemManifest) -> TestSystem {
            var system = TestSystem(manifest, log: log)
            system.onStop = { context in
                // Work a stop must finish (flushing a file), which cancellation does not interrupt.
                await Task { try? await Task.sleep(for: .milliseconds(30)) }.value
                log.append("\(context.systemID).flushed")
            }
            return system
        }
        let kernel = try makeKernel([flushing(.test("a")), flushing(.test("b", requires: ["a"])), flushing(.test("c"))])
        let running = try await start(kernel)
        running.task.cancel()
        _ = await running.task.result
        #expect(
            log.all.filter { !$0.hasSuffix(".register") && !$0.hasSuffix(".boot") && !$0.hasSuffix(".start") }
                == ["c.stop", "c.flushed", "b.stop", "b.flushed", "a.stop", "a.flushed"])
        #expect(await kernel.systemStates.map(\.state) == [.stopped, .stopped, .stopped])
    }

    @Test("a shutdown requested before run() still stops what run() starts")
    func cancelledEarly() async throws {
        let log = HookLog()
        let kernel = try makeKernel([TestSystem(.test("a"), log: log)])
        kernel.requestShutdown()
        try await kernel.run()
        #expect(log.all == ["a.register", "a.boot", "a.start", "a.stop"])
        #expect(await kernel.state(of: "a") == .stopped)
    }
}
