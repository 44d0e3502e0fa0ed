import Synchronization
import Testing
import TrellisCore

/// The breaker's state machine, stepped through with a clock that moves only when told to.
@Suite struct CircuitBreakerTests {
    final class Transitions: Sendable {
        let log = Mutex<[String]>([])
        func record(_ from: CircuitBreaker.State, _ to: CircuitBreaker.State) {
            log.withLock { $0.append("\(from.rawValue)→\(to.rawValue)") }
        }
        var all: [String] { log.withLock { $0 } }
    }

    func breaker(_ policy: BreakerPolicy, clock: ManualGuardClock, transitions: Transitions) -> CircuitBreaker {
        CircuitBreaker(policy: policy, clock: clock) { transitions.record($0, $1) }
    }

    func fail(_ breaker: CircuitBreaker, times: Int) {
        for _ in 0..<times {
            #expect(breaker.acquire())
            breaker.record(success: false)
        }
    }

    @Test func opensOnConsecutiveFailuresAndRefusesCalls() {
        let clock = ManualGuardClock()
        let transitions = Transitions()
        let breaker = breaker(BreakerPolicy(consecutiveFailures: 3, minimumCalls: 100), clock: clock, transitions: transitions)
        fail(breaker, times: 2)
        #expect(breaker.state == .closed)
        #expect(breaker.acquire())
        breaker.record(success: true)  // a success resets the streak
        fail(breaker, times: 2)
        #expect(breaker.state == .closed)
        fail(breaker, times: 1)
        #expect(breaker.state == .open)
        #expect(!breaker.acquire())
        #expect(transitions.all == ["closed→open"])
    }

    @Test func opensOnFailureRateOnceTheWindowHasEnoughCalls() {
        let clock = ManualGuardClock()
        let transitions = Transitions()
        let policy = BreakerPolicy(consecutiveFailures: 100, failureRateThreshold: 0.5, windowSize: 10, minimumCalls: 6)
        let breaker = breaker(policy, clock: clock, transitions: transitions)
        // fail, ok, fail, ok, fail: 60 % but only 5 calls, under the minimum.
        for index in 0..<5 {
            #expect(breaker.acquire())
            breaker.record(success: index % 2 == 1)
        }
        #expect(breaker.state == .closed)
        fail(breaker, times: 1)  // 6 calls, 4 failures: 67 %
        #expect(breaker.state == .open)
    }

    @Test func slidingWindowForgetsOldFailures() {
        let clock = ManualGuardClock()
        let breaker = breaker(
            BreakerPolicy(consecutiveFailures: 100, failureRateThreshold: 0.5, windowSize: 4, minimumCalls: 4), clock: clock,
            transitions: Transitions())
        fail(breaker, times: 1)
        for _ in 0..<3 {
            #expect(breaker.acquire())
            breaker.record(success: true)
        }
        // Window [fail, ok, ok, ok] = 25 %; then the failure slides out.
        for _ in 0..<4 {
            #expect(breaker.acquire())
            breaker.record(success: true)
        }
        fail(breaker, times: 1)  // [ok, ok, ok, fail] = 25 %
        #expect(breaker.state == .closed)
    }

    @Test func halfOpensAfterTheWaitAndClosesAfterEnoughProbes() {
        let clock = ManualGuardClock()
        let transitions = Transitions()
        let policy = BreakerPolicy(consecutiveFailures: 1, openDuration: .seconds(10), halfOpenProbes: 2)
        let breaker = breaker(policy, clock: clock, transitions: transitions)
        fail(breaker, times: 1)
        clock.advance(by: .seconds(9))
        #expect(!breaker.acquire())
        clock.advance(by: .seconds(1))
        #expect(breaker.acquire())  // probe 1
        #expect(breaker.state == .halfOpen)
        #expect(breaker.acquire())  // probe 2
        #expect(!breaker.acquire())  // no third probe while two are out
        breaker.record(success: true)
        #expect(breaker.state == .halfOpen)
        breaker.record(success: true)
        #expect(breaker.state == .closed)
        #expect(transitions.all == ["closed→open", "open→half_open", "half_open→closed"])
    }

    @Test func aFailedProbeOpensAgainForAnotherFullWait() {
        let clock = ManualGuardClock()
        let transitions = Transitions()
        let breaker = breaker(
            BreakerPolicy(consecutiveFailures: 1, openDuration: .seconds(5), halfOpenProbes: 3), clock: clock, transitions: transitions)
        fail(breaker, times: 1)
        clock.advance(by: .seconds(5))
        #expect(breaker.acquire())
        breaker.record(success: false)
        #expect(breaker.state == .open)
        clock.advance(by: .seconds(4))
        #expect(!breaker.acquire())
        clock.advance(by: .seconds(1))
        #expect(breaker.acquire())
        #expect(transitions.all == ["closed→open", "open→half_open", "half_open→open", "open→half_open"])
    }

    @Test func lateOutcomesWhileOpenAreIgnored() {
        let clock = ManualGuardClock()
        let breaker = breaker(BreakerPolicy(consecutiveFailures: 1, halfOpenProbes: 1), clock: clock, transitions: Transitions())
        #expect(breaker.acquire())  // a slow call starts
        fail(breaker, times: 1)  // another fails: open
        breaker.record(success: true)  // the slow one finishes late
        #expect(breaker.state == .open)
    }
}
