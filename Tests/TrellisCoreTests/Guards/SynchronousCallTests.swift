import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// `GuardSite.callSynchronously`: a synchronous call under the guard, on the caller's thread.
@Suite struct SynchronousCallTests {
    struct Failure: Error, Equatable {}

    func system(_ id: String, policy: GuardPolicy) -> TestSystem {
        TestSystem(SystemManifest(id: id, version: "1.0.0", summary: id, guardPolicy: policy))
    }

    @Test func aCallReturnsItsValueAndIsCountedAndTimed() async throws {
        let kernel = try makeKernel([system("quick", policy: GuardPolicy(isolation: .cooperative))])
        try await withRunningKernel(kernel) { kernel in
            let quick = try #require(kernel.guards["quick"])
            let site = quick.site("hook")
            #expect(try site.callSynchronously { 42 } == 42)
            #expect(try site.callSynchronously { Thread.sleep(forTimeInterval: 0.002) } == ())
            let stats = try #require(quick.statistics.first { $0.hook == "hook" })
            #expect(stats.calls == 2 && stats.errors == 0 && stats.timeouts == 0 && stats.rejections == 0)
            // The 2 ms call is the slower half.
            #expect(stats.p99Microseconds >= 2_000)
            #expect(quick.callsInFlight == 0)
            #expect(quick.runsCooperatively)
        }
    }

    @Test func anErrorIsRethrownCountedAndOpensTheBreakerWhichThenRefusesWithoutCalling() async throws {
        let policy = GuardPolicy(breaker: BreakerPolicy(consecutiveFailures: 2, openDuration: .seconds(60)), isolation: .cooperative)
        let kernel = try makeKernel([system("flaky", policy: policy)])
        try await withRunningKernel(kernel) { kernel in
            let flaky = try #require(kernel.guards["flaky"])
            let site = flaky.site("hook")
            for _ in 0..<2 {
                #expect(throws: Failure()) { try site.callSynchronously { () throws -> Int in throw Failure() } }
            }
            #expect(flaky.breakerStates["hook"] == .open)
            var ran = false
            #expect(throws: GuardError.breakerOpen(system: "flaky", hook: "hook")) {
                try site.callSynchronously { ran = true }
            }
            #expect(!ran)
            let stats = try #require(flaky.statistics.first { $0.hook == "hook" })
            #expect(stats.calls == 3 && stats.errors == 2 && stats.rejections == 1)
            // Failures free their slots too.
            #expect(flaky.callsInFlight == 0)
        }
    }

    @Test func aCallBeyondTheConcurrencyLimitIsRefusedWithoutRunning() async throws {
        let kernel = try makeKernel([system("narrow", policy: GuardPolicy(maxConcurrent: 1, isolation: .cooperative))])
        try await withRunningKernel(kernel) { kernel in
            let narrow = try #require(kernel.guards["narrow"])
            let gate = AsyncStream.makeStream(of: Void.self)
            let holder = Task { try await narrow.call("hold") { for await _ in gate.stream { break } } }
            #expect(await eventually { narrow.callsInFlight == 1 })
            var ran = false
            #expect(throws: GuardError.concurrencyLimit(system: "narrow", hook: "hook", limit: 1)) {
                try narrow.site("hook").callSynchronously { ran = true }
            }
            #expect(!ran)
            gate.continuation.finish()
            try await holder.value
            #expect(try narrow.site("hook").callSynchronously { "after" } == "after")
        }
    }

    @Test func aCallPastItsLimitCountsAsATimeoutAndMovesTheSystemToItsOwnThreads() async throws {
        let policy = GuardPolicy(timeout: .milliseconds(50), isolation: .cooperative)
        let kernel = try makeKernel([system("blocks", policy: policy)])
        try await withRunningKernel(kernel) { kernel in
            let blocks = try #require(kernel.guards["blocks"])
            // Nothing can take the thread back from a synchronous call: it ends when it ends,
            // and only then is it found late. Its result is dropped.
            #expect(throws: GuardError.timedOut(system: "blocks", hook: "hook", limit: .milliseconds(50))) {
                try blocks.site("hook").callSynchronously {
                    Thread.sleep(forTimeInterval: 0.15)
                    return "too late"
                }
            }
            #expect(!blocks.runsCooperatively)
            #expect(blocks.isolation == .threads)
            let stats = try #require(blocks.statistics.first { $0.hook == "hook" })
            #expect(stats.calls == 1 && stats.timeouts == 1 && stats.errors == 0)
            #expect(blocks.callsInFlight == 0)
        }
    }

    @Test func backToBackCallsTakeTheLastCallsEndAsTheirStart() async throws {
        let policy = GuardPolicy(timeout: .milliseconds(100), isolation: .cooperative)
        let kernel = try makeKernel([system("chained", policy: policy), system("fresh", policy: policy)])
        try await withRunningKernel(kernel) { kernel in
            let chained = try #require(kernel.guards["chained"])
            let fresh = try #require(kernel.guards["fresh"])
            var clock = GuardClockReading()
            #expect(try chained.site("hook").callSynchronously(clock: &clock) { 1 } == 1)
            // Time between calls on the same reading counts towards the next call: a reading
            // is for calls made one right after the other.
            try await Task.sleep(for: .milliseconds(200))
            #expect(throws: GuardError.timedOut(system: "chained", hook: "hook", limit: .milliseconds(100))) {
                try chained.site("hook").callSynchronously(clock: &clock) { 2 }
            }
            // A new reading starts at the call.
            var newReading = GuardClockReading()
            #expect(try fresh.site("hook").callSynchronously(clock: &newReading) { 3 } == 3)
            #expect(fresh.runsCooperatively)
        }
    }
}
