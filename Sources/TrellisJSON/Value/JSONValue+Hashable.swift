extension JSONValue: Hashable {
    /// JSON equality: numbers by value (`1 == 1.0`), objects regardless of key order,
    /// and never across types (`false != 0`).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        // JSON compares strings by code points; Swift's `==` would equate canonically
        // equivalent strings ("é" and "e\u{301}"), which JSON Schema's `const` must not.
        case (.string(let a), .string(let b)): return sameCodePoints(a, b)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let other = b[key], other == value else { return false }
            }
            return true
        default: return false
        }
    }

    /// Whether two strings hold the same code points (the same UTF-8 bytes): lengths first,
    /// which are stored, then the bytes in place.
    static func sameCodePoints(_ a: String, _ b: String) -> Bool {
        let left = a.utf8
        let right = b.utf8
        guard left.count == right.count else { return false }
        let contiguous = left.withContiguousStorageIfAvailable { leftBytes in
            right.withContiguousStorageIfAvailable { rightBytes in leftBytes.elementsEqual(rightBytes) }
        }
        return (contiguous ?? nil) ?? left.elementsEqual(right)
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value):
            hasher.combine(1)
            hasher.combine(value)
        case .number(let value):
            hasher.combine(2)
            hasher.combine(value)
        case .string(let value):
            hasher.combine(3)
            hasher.combine(value)
        case .array(let value):
            hasher.combine(4)
            hasher.combine(value)
        case .object(let object):
            hasher.combine(5)
            hasher.combine(object.count)
            // Key order must not change the hash, so combine member hashes commutatively.
            var members = 0
            for (key, value) in object {
                var member = Hasher()
                member.combine(key)
                member.combine(value)
                members ^= member.finalize()
            }
            hasher.combine(members)
        }
    }
}
