internal import Histogram
internal import Synchronization

/// Counters and a latency histogram for one hook of one system.
public struct HookStatistics: Sendable, Hashable, Codable {
    public var system: String
    public var hook: String
    public var calls = 0
    public var errors = 0
    public var timeouts = 0
    public var rejections = 0
    /// Latency percentiles of completed calls, in microseconds.
    public var p50Microseconds: UInt64 = 0
    public var p95Microseconds: UInt64 = 0
    public var p99Microseconds: UInt64 = 0
    public var breaker: CircuitBreaker.State = .closed
}

/// The live recorder behind ``HookStatistics``.
final class HookRecorder: Sendable {
    private struct State {
        var statistics: HookStatistics
        var histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .two)
    }

    private let state: Mutex<State>

    init(system: String, hook: String) {
        state = Mutex(State(statistics: HookStatistics(system: system, hook: hook)))
    }

    enum Outcome { case success, error, timeout }

    func record(_ outcome: Outcome, latency: Duration) {
        record(outcome, nanoseconds: GuardTime.nanoseconds(latency))
    }

    func record(_ outcome: Outcome, nanoseconds: Int64) {
        let microseconds = UInt64(max(1, nanoseconds / 1000))
        state.withLock { state in
            state.statistics.calls += 1
            switch outcome {
            case .success: break
            case .error: state.statistics.errors += 1
            case .timeout: state.statistics.timeouts += 1
            }
            _ = state.histogram.record(microseconds)
        }
    }

    func rejected() {
        state.withLock { state in
            state.statistics.calls += 1
            state.statistics.rejections += 1
        }
    }

    func snapshot(breaker: CircuitBreaker.State) -> HookStatistics {
        state.withLock { state in
            var statistics = state.statistics
            if state.histogram.totalCount > 0 {
                statistics.p50Microseconds = state.histogram.valueAtPercentile(50)
                statistics.p95Microseconds = state.histogram.valueAtPercentile(95)
                statistics.p99Microseconds = state.histogram.valueAtPercentile(99)
            }
            statistics.breaker = breaker
            return statistics
        }
    }
}
