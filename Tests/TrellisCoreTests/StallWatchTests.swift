import Testing

@testable import TrellisTesting

/// The test helper that takes a paused machine out of timing expectations.
@Suite struct StallWatchTests {
    let start = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    func stall(_ from: Int, _ to: Int) -> StallWatch.Stall { StallWatch.Stall(from: at(from), to: at(to)) }

    @Test func onlyTheStalledPartOfTheIntervalIsSubtracted() {
        // An interval of 5 s; a 3 s stall inside it, one straddling its start, one its end,
        // and two outside it.
        let stalls = [stall(1_000, 4_000), stall(-500, 200), stall(4_900, 6_000), stall(-3_000, -1_000), stall(7_000, 8_000)]
        let running = StallWatch.runningTime(from: at(0), to: at(5_000), minus: stalls)
        #expect(running == .milliseconds(5_000 - 3_000 - 200 - 100))
    }

    @Test func withoutStallsTheRunningTimeIsTheElapsedTime() {
        #expect(StallWatch.runningTime(from: at(0), to: at(1_234), minus: []) == .milliseconds(1_234))
    }

    @Test func aBusyProcessIsNotCountedAsStalled() async throws {
        // Both cooperative threads spin for 300 ms: the watch's own thread keeps waking, so
        // nothing is taken off. (A real stop of the machine during the test would be: it lasts
        // seconds, and counting it is the watch's job, so only shorter "stalls" are errors.)
        let started = StallWatch.shared.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    let end = ContinuousClock.now + .milliseconds(300)
                    while ContinuousClock.now < end {}
                }
            }
        }
        let stalls = StallWatch.shared.stalls(since: started)
        #expect(stalls.allSatisfy { $0 > .seconds(1) }, "stalls: \(stalls)")
        if stalls.isEmpty { #expect(StallWatch.shared.runningTime(since: started) >= .milliseconds(300)) }
    }
}
