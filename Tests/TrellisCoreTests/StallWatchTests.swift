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

    @Test func aRunningProcessIsNotCountedAsStalled() async throws {
        // Busy and sleeping tasks alike: the watch's own thread keeps waking, so nothing is taken off.
        let started = StallWatch.shared.now
        try await Task.sleep(for: .milliseconds(300))
        let running = StallWatch.shared.runningTime(since: started)
        // At least the sleep, less a tick (a stall is counted from the tick after the last wake-up).
        #expect(running >= .milliseconds(290), "stalls: \(StallWatch.shared.stalls(since: started))")
    }
}
