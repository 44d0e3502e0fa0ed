/// The property names a schema declares in `properties`, for `additionalProperties` to tell
/// each key of an instance object apart from them without Swift's SipHash.
///
/// With patterns fast, hashing keys with `Hasher` was the largest cost left in a check that
/// runs for every key of every object. Here an ASCII key is hashed with FNV-1a over its
/// bytes, probed for in an open-addressing table and compared with `==`, which for two
/// ASCII strings is byte equality (and two words for short ones). Swift compares `String`s,
/// and so `JSONObject` keys, by canonical equivalence, and an ASCII string can be equivalent
/// to a non-ASCII one (`"K"` and U+212A KELVIN SIGN); so a non-ASCII key, or any non-ASCII
/// declared name, is looked up in a `Set<String>` with Swift's own equality. Every answer
/// is the one `Set(names).contains(key)` gives.
///
/// Attackers choose the keys, not the table: a lookup probes one cluster of declared
/// names, so no key costs more than any other.
struct PropertyNameSet: Sendable {
    private let names: [String]
    private let swiftSet: Set<String>
    /// Indices into `names` by FNV-1a hash, -1 for an empty slot; empty unless all names are ASCII.
    private let slots: [Int32]

    init(_ declared: [String]) {
        swiftSet = Set(declared)
        names = Array(swiftSet)
        guard names.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) else {
            slots = []
            return
        }
        var capacity = 4
        while capacity < names.count * 2 { capacity *= 2 }
        var slots = [Int32](repeating: -1, count: capacity)
        for (index, name) in names.enumerated() {
            var slot = Int(truncatingIfNeeded: Self.hash(name).value) & (capacity - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (capacity - 1) }
            slots[slot] = Int32(index)
        }
        self.slots = slots
    }

    /// Whether `key` is one of the names, as `String` compares them.
    func contains(_ key: String) -> Bool {
        guard !slots.isEmpty else { return swiftSet.contains(key) }
        let (hash, isASCII) = Self.hash(key)
        guard isASCII else { return swiftSet.contains(key) }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let candidate = Int(slots[slot])
            if candidate < 0 { return false }
            if names[candidate] == key { return true }
            slot = (slot + 1) & mask
        }
    }

    /// FNV-1a over the UTF-8 bytes, and whether they are all ASCII.
    private static func hash(_ string: String) -> (value: UInt64, isASCII: Bool) {
        // In place: iterating `utf8` itself decodes a short string's bytes one at a time.
        string.utf8.withContiguousStorageIfAvailable { hash($0) } ?? hash(Array(string.utf8))
    }

    private static func hash(_ bytes: some Collection<UInt8>) -> (value: UInt64, isASCII: Bool) {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        var high: UInt8 = 0
        for byte in bytes {
            value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
            high |= byte
        }
        return (value, high < 0x80)
    }
}
