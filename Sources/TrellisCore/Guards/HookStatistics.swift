internal import Histogram
public import Synchronization

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
///
/// Recording a call takes no lock: one atomic add to the call's latency bucket (plus one to
/// `errors` or `timeouts` when it failed). The buckets are HdrHistogram's, for two significant
/// digits; reading the statistics copies them into a hdrhistogram-swift `Histogram` for the
/// percentiles. A lock around a `Histogram` cost about a tenth of a cooperative guarded call.
@usableFromInline
final class HookRecorder: Sendable {
    private let system: String
    private let hook: String
    private let errors = Atomic(0)
    private let timeouts = Atomic(0)
    private let rejections = Atomic(0)
    @usableFromInline let buckets = LatencyBuckets()

    init(system: String, hook: String) {
        self.system = system
        self.hook = hook
    }

    enum Outcome { case success, error, timeout }

    func record(_ outcome: Outcome, nanoseconds: Int64) {
        switch outcome {
        case .success: break
        case .error: errors.add(1, ordering: .relaxed)
        case .timeout: timeouts.add(1, ordering: .relaxed)
        }
        recordLatency(nanoseconds: nanoseconds)
    }

    /// A call's latency; all there is to record of a success.
    @inlinable func recordLatency(nanoseconds: Int64) {
        buckets.record(microseconds: UInt64(max(1, nanoseconds / 1000)))
    }

    func rejected() {
        rejections.add(1, ordering: .relaxed)
    }

    func snapshot(breaker: CircuitBreaker.State) -> HookStatistics {
        var statistics = HookStatistics(system: system, hook: hook)
        let histogram = buckets.histogram()
        statistics.rejections = rejections.load(ordering: .relaxed)
        // Every call that was let through ends in a bucket; refused ones do not.
        statistics.calls = Int(histogram.totalCount) + statistics.rejections
        statistics.errors = errors.load(ordering: .relaxed)
        statistics.timeouts = timeouts.load(ordering: .relaxed)
        if histogram.totalCount > 0 {
            statistics.p50Microseconds = histogram.valueAtPercentile(50)
            statistics.p95Microseconds = histogram.valueAtPercentile(95)
            statistics.p99Microseconds = histogram.valueAtPercentile(99)
        }
        statistics.breaker = breaker
        return statistics
    }
}

/// Latency counts in HdrHistogram's buckets for two significant digits, from 1 µs to an hour,
/// each an atomic counter.
///
/// A value `v` falls in bucket `b` (0 for `v` < 256, else the position of its highest bit
/// minus 7) at sub-bucket `v >> b`, so index `b * 128 + (v >> b)`: 256 exact counts below 256,
/// then 128 per doubling, each within 1/128 (two significant digits) of the values it holds.
@usableFromInline
final class LatencyBuckets: Sendable {
    /// An hour in microseconds, the largest value kept apart; longer ones count as an hour.
    @inlinable static var highestValue: UInt64 { 3_600_000_000 }
    static let count = index(of: highestValue) + 1

    // nonisolated(unsafe): the pointer never changes; what it points to is atomics, allocated
    // here and freed in deinit.
    @usableFromInline nonisolated(unsafe) let counts: UnsafeMutablePointer<Atomic<UInt64>>

    init() {
        counts = .allocate(capacity: Self.count)
        for index in 0..<Self.count { (counts + index).initialize(to: Atomic(0)) }
    }

    deinit {
        counts.deinitialize(count: Self.count)
        counts.deallocate()
    }

    @inlinable static func index(of value: UInt64) -> Int {
        let bucket = max(0, (63 - (value | 255).leadingZeroBitCount) - 7)
        return bucket * 128 + Int(value >> UInt64(bucket))
    }

    /// The lowest value of the values index `index` holds.
    static func lowestValue(at index: Int) -> UInt64 {
        let bucket = max(0, index / 128 - 1)
        return UInt64(index - bucket * 128) << UInt64(bucket)
    }

    @inlinable func record(microseconds: UInt64) {
        counts[Self.index(of: min(microseconds, Self.highestValue))].add(1, ordering: .relaxed)
    }

    /// The counts so far as a `Histogram` (two significant digits, 1 µs to an hour).
    func histogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: Self.highestValue, numberOfSignificantValueDigits: .two)
        for index in 0..<Self.count {
            let count = counts[index].load(ordering: .relaxed)
            if count > 0 { histogram.record(Self.lowestValue(at: index), count: count) }
        }
        return histogram
    }
}
