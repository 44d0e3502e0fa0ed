import Histogram
import Testing

@testable import TrellisCore

/// The guards' latency buckets give the percentiles a hdrhistogram-swift `Histogram` of the
/// same values gives.
struct LatencyBucketsTests {
    @Test func percentilesMatchAHistogramThatRecordedEveryValue() {
        var generator = SplitMix(seed: 42)
        let buckets = LatencyBuckets()
        var direct = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: LatencyBuckets.highestValue, numberOfSignificantValueDigits: .two)
        for _ in 0..<50_000 {
            // Mostly microseconds to milliseconds, a few seconds, one of each extreme.
            let magnitude = generator.next() % 30
            let value = max(1, generator.next() % (UInt64(1) << (magnitude + 1)))
            buckets.record(microseconds: value)
            direct.record(value)
        }
        for value: UInt64 in [1, 255, 256, 257, 1_000_003, LatencyBuckets.highestValue] {
            buckets.record(microseconds: value)
            direct.record(value)
        }
        let copied = buckets.histogram()
        #expect(copied.totalCount == direct.totalCount)
        for percentile in [1.0, 25, 50, 75, 90, 95, 99, 99.9] {
            #expect(copied.valueAtPercentile(percentile) == direct.valueAtPercentile(percentile), "p\(percentile)")
        }
        // In the highest bucket the direct histogram knows the exact largest value; the copy
        // knows it within the two significant digits.
        let (exact, copy) = (direct.valueAtPercentile(100), copied.valueAtPercentile(100))
        #expect(copy <= exact && exact - copy <= exact / 128, "\(copy) vs \(exact)")
    }

    @Test func indexesAreContiguousAndEachHoldsValuesWithinTwoSignificantDigits() {
        // Index 0 holds 0, which is never recorded (latencies count as at least 1 µs).
        var previous = 0
        var value: UInt64 = 1
        while value <= LatencyBuckets.highestValue {
            let index = LatencyBuckets.index(of: value)
            #expect(index == previous || index == previous + 1, "\(value)")
            let lowest = LatencyBuckets.lowestValue(at: index)
            #expect(lowest <= value && LatencyBuckets.index(of: lowest) == index, "\(value)")
            // Within 1/128 of the value: two significant digits.
            #expect(value - lowest <= max(1, value / 128), "\(value)")
            previous = index
            value += max(1, value / 300)
        }
        #expect(previous == LatencyBuckets.count - 1)
    }

    @Test func longerThanAnHourCountsAsAnHour() {
        let buckets = LatencyBuckets()
        buckets.record(microseconds: .max)
        #expect(buckets.histogram().totalCount == 1)
        #expect(LatencyBuckets.index(of: LatencyBuckets.highestValue) == LatencyBuckets.count - 1)
    }
}

/// A small deterministic generator (SplitMix64).
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
