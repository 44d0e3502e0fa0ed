internal import Synchronization

/// Request ids for requests without a usable `X-Request-Id`: UUID-shaped (36 lowercase
/// characters, version-4 layout), distinct within the process and, by a random per-process
/// key, across processes.
///
/// `UUID()` asks the kernel for 16 random bytes on every request (a `getrandom` system call)
/// and formats them through Foundation; this is an atomic increment and a few multiplications.
/// The ids are not secrets: nothing may rely on them being unguessable.
enum RequestIdentifiers {
    private static let key: (UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        // Each half is a bijection of the count until the UUID layout sets 4 and 2 of its bits,
        // so two ids of one process are equal only if both halves collide on the other bits.
        var high = mix(count &+ key.0)
        var low = mix((count &* 0x9E37_79B9_7F4A_7C15) ^ key.1)
        high = (high & ~0xF000) | 0x4000  // version 4
        low = (low & ~(0b11 << 62)) | (0b10 << 62)  // RFC 9562 variant
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            func put(_ word: UInt64, digits: Int, from shift: Int) {
                for digit in 0..<digits {
                    let nibble = UInt8(truncatingIfNeeded: word >> UInt64(shift - 4 * digit)) & 0xF
                    buffer[index] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
                    index += 1
                }
            }
            func dash() {
                buffer[index] = 0x2D
                index += 1
            }
            put(high, digits: 8, from: 60)
            dash()
            put(high, digits: 4, from: 28)
            dash()
            put(high, digits: 4, from: 12)
            dash()
            put(low, digits: 4, from: 60)
            dash()
            put(low, digits: 12, from: 44)
            return index
        }
    }

    /// splitmix64's finalizer: a bijection on 64-bit words that spreads every input bit.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
