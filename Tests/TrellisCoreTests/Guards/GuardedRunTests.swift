import Foundation
import Synchronization
import Testing
import TrellisCore
import TrellisTesting

/// Guarded calls into cooperative systems, made in the caller's own task by a ``GuardedRun``.
@Suite struct GuardedRunTests {
    func system(_ id: String, timeout: Duration = .seconds(5), maxConcurrent: Int = 256, critical: Bool = false) -> TestSystem {
        TestSystem(
            SystemManifest(
                id: id, version: "1.0.0", summary: id, critical: critical,
                guardPolicy: GuardPolicy(timeout: timeout, maxConcurrent: maxConcurrent, isolation: .cooperative)))
    }

    /// The steps the tests run: each calls one site; a timed-out step is skipped with a note.
    struct Steps: Sendable {
        var next = 0
        var notes: [String] = []

        // A method, not field writes, where the steps are consumed: see `Progress.go(to:)`.
        mutating func noted(_ note: String) {
            notes.append(note)
            next += 1
        }
    }

    /// Runs the steps. With `holding`, the run holds each step's state during its call (and
    /// the step takes it back with `reclaim()`) instead of having it saved before the call;
    /// nothing is saved then, so a timeout can only go on from the state the run held.
    func run(_ sites: [GuardSite], _ operations: [@Sendable () async throws -> String], holding: Bool = false) async throws -> Steps {
        try await GuardedRun<Steps, Steps>.run(from: Steps()) { start, run in
            var steps = start
            while steps.next < sites.count {
                let index = steps.next
                var note: String
                if holding {
                    do {
                        note = try await run.call(sites[index], holding: consume steps, operations[index])
                    } catch {
                        note = "\(index) failed: \(error)"
                    }
                    steps = try run.reclaim()
                } else {
                    run.save(steps)
                    do {
                        note = try await run.call(sites[index], operations[index])
                    } catch {
                        note = "\(index) failed: \(error)"
                    }
                }
                steps.noted(note)
            }
            return steps
        } afterTimeout: { checkpoint, error in
            var steps = checkpoint
            steps.noted("\(checkpoint.next): \(error)")
            return steps
        }
    }

    @Test(arguments: [false, true]) func callsThatNeverSuspendRunOnTheCallersThreadAndAreCounted(holding: Bool) async throws {
        let kernel = try makeKernel([system("quick")])
        try await withRunningKernel(kernel) { kernel in
            let quick = try #require(kernel.guards["quick"])
            #expect(quick.runsCooperatively && quick.isolation == .cooperative)
            let site = quick.site("hook")
            let steps = try await run([site, site, site], [{ "a" }, { "b" }, { "c" }], holding: holding)
            #expect(steps.notes == ["a", "b", "c"])
            let stats = try #require(quick.statistics.first { $0.hook == "hook" })
            #expect(stats.calls == 3 && stats.errors == 0 && stats.timeouts == 0)
            #expect(quick.callsInFlight == 0)
            // Cooperative calls start none of the system's own threads.
            #expect(quick.runsCooperatively)
        }
    }

    @Test func aCallThatHangsAfterTheCallerStartedWaitingIsWatchedByItsOwnDeadline() async throws {
        // The first call suspends, so the caller waits and watches it with its long limit; the
        // second call, of a system with a short limit, must be left behind at its own deadline.
        let kernel = try makeKernel([system("slow", timeout: .seconds(30)), system("hangs", timeout: .milliseconds(100)), system("after")])
        try await withRunningKernel(kernel) { kernel in
            let slow = try #require(kernel.guards["slow"])
            let hangs = try #require(kernel.guards["hangs"])
            let after = try #require(kernel.guards["after"])
            let started = StallWatch.shared.now
            let steps = try await run(
                [slow.site("hook"), hangs.site("hook"), after.site("hook")],
                [
                    {
                        try await Task.sleep(for: .milliseconds(20))
                        return "slow returned"
                    },
                    {
                        await Task.detached { try? await Task.sleep(for: .seconds(30)) }.value
                        return "too late"
                    },
                    { "after ran" },
                ])
            #expect(StallWatch.shared.runningTime(since: started) < .seconds(10))
            #expect(steps.notes == ["slow returned", "1: hangs.hook did not finish within 0.1 seconds", "after ran"])
            #expect(slow.statistics.first { $0.hook == "hook" }?.timeouts == 0)
            #expect(hangs.statistics.first { $0.hook == "hook" }?.timeouts == 1)
            #expect(!hangs.runsCooperatively && slow.runsCooperatively)
        }
    }

    @Test(arguments: [false, true]) func aCallThatHangsIgnoringCancellationIsLeftBehindAndTheRunGoesOnFromItsCheckpoint(holding: Bool)
        async throws
    {
        let kernel = try makeKernel([system("hangs", timeout: .milliseconds(100)), system("after")])
        try await withRunningKernel(kernel) { kernel in
            let hangs = try #require(kernel.guards["hangs"])
            let after = try #require(kernel.guards["after"])
            let started = StallWatch.shared.now
            let steps = try await run(
                [hangs.site("hook"), after.site("hook")],
                [
                    {
                        // Ignores cancellation: a detached sleep nobody cancels.
                        await Task.detached { try? await Task.sleep(for: .seconds(30)) }.value
                        return "too late"
                    },
                    { "after ran" },
                ], holding: holding)
            #expect(StallWatch.shared.runningTime(since: started) < .seconds(10))
            #expect(steps.notes == ["0: hangs.hook did not finish within 0.1 seconds", "after ran"])
            // The straggler still holds its slot, is counted as a timeout, and the system is
            // no longer trusted with the shared threads.
            #expect(hangs.callsInFlight == 1)
            let stats = try #require(hangs.statistics.first { $0.hook == "hook" })
            #expect(stats.calls == 1 && stats.timeouts == 1)
            #expect(hangs.isolation == .threads)
            #expect(after.isolation == .cooperative)
        }
    }

    @Test(arguments: [false, true]) func aCallThatBlocksItsThreadPastItsLimitIsATimeoutAndMovesTheSystemToItsOwnThreads(holding: Bool)
        async throws
    {
        let kernel = try makeKernel([system("blocks", timeout: .milliseconds(50))])
        try await withRunningKernel(kernel) { kernel in
            let blocks = try #require(kernel.guards["blocks"])
            let site = blocks.site("hook")
            let steps = try await run(
                [site, site],
                [
                    {
                        usleep(200_000)
                        return "blocked"
                    },
                    { "second" },
                ], holding: holding)
            #expect(steps.notes == ["0 failed: blocks.hook did not finish within 0.05 seconds", "second"])
            #expect(blocks.isolation == .threads)
            #expect(blocks.callsInFlight == 0)
            let stats = try #require(blocks.statistics.first { $0.hook == "hook" })
            #expect(stats.calls == 2 && stats.timeouts == 1)
        }
    }

    @Test(arguments: [false, true]) func callsBeyondTheConcurrencyLimitAreRejectedAtOnce(holding: Bool) async throws {
        let kernel = try makeKernel([system("narrow", maxConcurrent: 1)])
        try await withRunningKernel(kernel) { kernel in
            let narrow = try #require(kernel.guards["narrow"])
            let site = narrow.site("hook")
            let gate = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await run(
                    [site],
                    [
                        {
                            for await _ in gate.stream { break }
                            return "held"
                        }
                    ], holding: holding)
            }
            #expect(await eventually { narrow.callsInFlight == 1 })
            let refused = try await run([site], [{ "never" }], holding: holding)
            #expect(refused.notes == ["0 failed: narrow.hook is not called: narrow already has 1 calls in flight, its limit"])
            gate.continuation.finish()
            #expect(try await holder.value.notes == ["held"])
            let stats = try #require(narrow.statistics.first { $0.hook == "hook" })
            #expect(stats.rejections == 1 && stats.calls == 2)
        }
    }

    @Test(arguments: [false, true]) func errorsAreTheOperationsOwnAndCountTowardsTheBreaker(holding: Bool) async throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "broken" } }
        let kernel = try makeKernel([system("flaky")])
        try await withRunningKernel(kernel) { kernel in
            let flaky = try #require(kernel.guards["flaky"])
            let site = flaky.site("hook")
            let steps = try await run(
                Array(repeating: site, count: 6), Array(repeating: { () async throws -> String in throw Broken() }, count: 6),
                holding: holding)
            // The default breaker opens after 5 consecutive failures; the sixth call is refused.
            #expect(steps.notes.prefix(5).allSatisfy { $0.hasSuffix("failed: broken") })
            #expect(steps.notes.last == "5 failed: flaky.hook is not called: its circuit breaker is open after repeated failures")
            #expect(flaky.breakerStates["hook"] == .open)
            // Failures are not overruns: the system stays cooperative.
            #expect(flaky.isolation == .cooperative)
        }
    }

    @Test func aCancelledCallerCancelsTheRunsWork() async throws {
        let kernel = try makeKernel([system("waits")])
        try await withRunningKernel(kernel) { kernel in
            let waits = try #require(kernel.guards["waits"])
            let site = waits.site("hook")
            let sawCancellation = Mutex(false)
            let caller = Task {
                try await run(
                    [site],
                    [
                        {
                            do {
                                try await Task.sleep(for: .seconds(10))
                            } catch {
                                sawCancellation.withLock { $0 = true }
                            }
                            return "woke"
                        }
                    ])
            }
            #expect(await eventually { waits.callsInFlight == 1 })
            caller.cancel()
            _ = try await caller.value
            #expect(sawCancellation.withLock { $0 })
            #expect(waits.callsInFlight == 0)
        }
    }

    @Test func isolationIsSetPerSystemInTheFileAndValidated() async throws {
        let bad = FileConfiguration(systems: [
            "quick": .init(guardConfig: ["isolation": "threads"]), "other": .init(guardConfig: ["isolation": "sideways"]),
        ])
        #expect {
            try Kernel(systems: [system("quick"), system("other")], file: bad, environment: [:])
        } throws: { error in
            (error as? BootError)?.problems.map(\.message) == [
                "trellis.yaml: /systems/other/guard/isolation: \"sideways\" is not one of \"threads\", \"cooperative\""
            ]
        }
        let valid = FileConfiguration(systems: ["quick": .init(guardConfig: ["isolation": "threads"])])
        let kernel = try Kernel(systems: [system("quick")], file: valid, environment: [:])
        #expect(kernel.guards["quick"]?.isolation == .threads)
    }
}
