import PropertyBased
import TrellisJSON

/// Random JSON documents for property tests. Keys and string pieces come from small
/// alphabets, so two documents share keys and a mutation hits something a diff must notice;
/// both alphabets hold `/`, `~`, escapes, astral characters and combining marks.
enum RandomJSON {
    static let maximumDepth = 4

    /// Object keys. Canonically equivalent spellings ("é" and "e" + U+0301) are left out on
    /// purpose: `JSONObject` is keyed by Swift `String`, which treats them as one key.
    static let keys: [String] = [
        "a", "b", "c", "id", "", " ", "0", "1", "-", "a/b", "m~n", "~1", "~01", "/",
        "é", "\u{301}", "~\u{301}", "/\u{301}", "😀", "k\"l",
    ]

    /// Pieces that strings are made of.
    static let pieces: [String] = [
        "a", "z", "Q", "/", "~", "~0", "~1", "0", "é", "e\u{301}", "\u{301}", "😀", "👍🏽", "中",
        "\"", "\\", "\n", "\t", "\u{1}", "\u{7f}", " ", "#", "%", "\u{2028}",
    ]

    // MARK: Generators

    /// Any document, most often an object or an array.
    static let documents = Generator<JSONValue, Shrink.None<JSONValue>>(run: { rng in document(&rng) })

    /// Two numbers, half of them from the edges where integers and doubles part ways.
    static let numberPairs = Generator<(JSONNumber, JSONNumber), Shrink.None<(JSONNumber, JSONNumber)>>(run: { rng in
        let edges: [JSONNumber] = [
            .integer(9_007_199_254_740_993), .double(9_007_199_254_740_992), .integer(.max),
            .double(9_223_372_036_854_775_808), .integer(.min), .double(-9_223_372_036_854_775_808),
            .integer(1), .double(1.0), .double(1.5), .integer(-1), .double(-0.5), .double(-0.0), .integer(0),
        ]
        func pick(_ rng: inout some RandomNumberGenerator) -> JSONNumber {
            Bool.random(using: &rng) ? edges.randomElement(using: &rng)! : number(&rng)
        }
        return (pick(&rng), pick(&rng))
    })

    /// Any object (the domain where a merge patch of `{}` is the identity).
    static let objects = Generator<JSONValue, Shrink.None<JSONValue>>(run: { rng in object(&rng, depth: 0) })

    /// A document and a mutated copy of it: mostly the same, with members and items added,
    /// removed, reordered and changed at every depth.
    static let mutatedPairs = Generator<(JSONValue, JSONValue), Shrink.None<(JSONValue, JSONValue)>>(run: { rng in
        let original = document(&rng)
        return (original, mutate(original, &rng))
    })

    /// Two arrays of a few repeated values, the second an edit of the first: insertions,
    /// deletions and replacements around a shared prefix and suffix.
    static let arrayEditPairs = Generator<(JSONValue, JSONValue), Shrink.None<(JSONValue, JSONValue)>>(run: { rng in
        let pool: [JSONValue] = [1, 2, 3, "a", ["k": 1], [1, 2], nil]
        var items = (0..<Int.random(in: 0...8, using: &rng)).map { _ in pool.randomElement(using: &rng)! }
        let original = items
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            switch Int.random(in: 0..<3, using: &rng) {
            case 0 where !items.isEmpty:
                let start = Int.random(in: items.indices, using: &rng)
                items.removeSubrange(start..<Int.random(in: start + 1...items.count, using: &rng))
            case 1 where !items.isEmpty:
                let index = Int.random(in: items.indices, using: &rng)
                items[index] = mutate(items[index], &rng, depth: 1)
            default:
                let count = Int.random(in: 1...3, using: &rng)
                let inserted = (0..<count).map { _ in pool.randomElement(using: &rng)! }
                items.insert(contentsOf: inserted, at: Int.random(in: 0...items.count, using: &rng))
            }
        }
        return (.array(original), .array(items))
    })

    /// Two documents drawn independently (often of different types at the root).
    static let independentPairs = Generator<(JSONValue, JSONValue), Shrink.None<(JSONValue, JSONValue)>>(run: { rng in
        (value(&rng), value(&rng))
    })

    /// A document and a mutated copy in which no object has a `null` member, the pairs for which a
    /// JSON Merge Patch always exists.
    static let mergeablePairs = Generator<(JSONValue, JSONValue), Shrink.None<(JSONValue, JSONValue)>>(run: { rng in
        let original = document(&rng)
        return (original, withoutNullMembers(mutate(original, &rng)))
    })

    /// A document and a value equal to it but built differently: keys in another order,
    /// integers written as doubles and back.
    static let equalPairs = Generator<(JSONValue, JSONValue), Shrink.None<(JSONValue, JSONValue)>>(run: { rng in
        let original = document(&rng)
        return (original, respelled(original, &rng))
    })

    // MARK: Building blocks

    /// A document: an object or an array nine times in ten, so there is structure to work on.
    static func document(_ rng: inout some RandomNumberGenerator) -> JSONValue {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return value(&rng, depth: maximumDepth)
        case 1, 2, 3: return array(&rng, depth: 0)
        default: return object(&rng, depth: 0)
        }
    }

    static func value(_ rng: inout some RandomNumberGenerator, depth: Int = 0) -> JSONValue {
        let kinds = depth >= maximumDepth ? 5 : 8
        switch Int.random(in: 0..<kinds, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .number(number(&rng))
        case 3, 4: return .string(string(&rng))
        case 5: return array(&rng, depth: depth)
        default: return object(&rng, depth: depth)
        }
    }

    static func object(_ rng: inout some RandomNumberGenerator, depth: Int) -> JSONValue {
        var members = JSONObject()
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            members[keys.randomElement(using: &rng)!] = value(&rng, depth: depth + 1)
        }
        return .object(members)
    }

    static func array(_ rng: inout some RandomNumberGenerator, depth: Int) -> JSONValue {
        .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in value(&rng, depth: depth + 1) })
    }

    static func number(_ rng: inout some RandomNumberGenerator) -> JSONNumber {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0, 1: return .integer(Int64.random(in: -3...3, using: &rng))
        case 2: return .integer([Int64.max, Int64.min, 9_007_199_254_740_993, -1_000_000_007].randomElement(using: &rng)!)
        case 3: return .integer(Int64.random(in: Int64.min...Int64.max, using: &rng))
        case 4:
            // Besides everyday values: 2^53 (next to the integer 2^53 + 1 above) and ±2^63,
            // the doubles nearest Int64's ends, where converting to Double loses the difference.
            let doubles: [Double] = [
                0.1, -0.5, 2.0, -0.0, 1e300, -2.5e-7, .leastNonzeroMagnitude, 1e16,
                9_007_199_254_740_992, 9_223_372_036_854_775_808, -9_223_372_036_854_775_808,
            ]
            return .double(doubles.randomElement(using: &rng)!)
        case 5: return .double(Double(Int.random(in: -8...8, using: &rng)) / 4)
        default: return .double(Double.random(in: -1e6...1e6, using: &rng))
        }
    }

    static func string(_ rng: inout some RandomNumberGenerator) -> String {
        (0..<Int.random(in: 0...5, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    // MARK: Transformations

    /// A copy of `value` with random edits at every depth; often returns `value` unchanged.
    static func mutate(_ value: JSONValue, _ rng: inout some RandomNumberGenerator, depth: Int = 0) -> JSONValue {
        // The root is always edited; below it, a third of the values are left alone.
        let roll = Int.random(in: depth == 0 ? 3..<10 : 0..<10, using: &rng)
        if roll < 3 { return value }
        if roll == 3 { return Self.value(&rng, depth: depth) }
        switch value {
        case .object(var members):
            for key in Array(members.keys) {
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: members.removeValue(forKey: key)
                case 1, 2: members[key] = mutate(members[key]!, &rng, depth: depth + 1)
                default: break
                }
            }
            for _ in 0..<Int.random(in: 0...2, using: &rng) {
                members[keys.randomElement(using: &rng)!] = Self.value(&rng, depth: depth + 1)
            }
            return .object(members)
        case .array(var items):
            for index in items.indices where Bool.random(using: &rng) {
                items[index] = mutate(items[index], &rng, depth: depth + 1)
            }
            if !items.isEmpty, Bool.random(using: &rng) {
                // A run of items, so a diff must remove several in a row.
                let start = Int.random(in: items.indices, using: &rng)
                items.removeSubrange(start..<Int.random(in: start + 1...items.count, using: &rng))
            }
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                items.insert(Self.value(&rng, depth: depth + 1), at: Int.random(in: 0...items.count, using: &rng))
            }
            if items.count > 1, Int.random(in: 0..<4, using: &rng) == 0 { items.swapAt(0, items.count - 1) }
            return .array(items)
        case .string(let text):
            return .string(text + pieces.randomElement(using: &rng)!)
        case .number:
            return .number(number(&rng))
        default:
            return Self.value(&rng, depth: depth)
        }
    }

    /// A value equal to `value` spelled differently: shuffled keys, integral numbers switched
    /// between `.integer` and `.double` where that is exact.
    static func respelled(_ value: JSONValue, _ rng: inout some RandomNumberGenerator) -> JSONValue {
        switch value {
        case .object(let members):
            var shuffled = JSONObject()
            for key in members.keys.shuffled(using: &rng) { shuffled[key] = respelled(members[key]!, &rng) }
            return .object(shuffled)
        case .array(let items):
            return .array(items.map { respelled($0, &rng) })
        case .number(.integer(let integer)) where integer.magnitude < 1 << 53 && Bool.random(using: &rng):
            return .number(.double(Double(integer)))
        case .number(.double(let double)) where Bool.random(using: &rng):
            if let exact = Int64(exactly: double) { return .number(.integer(exact)) }
            return value
        default:
            return value
        }
    }

    /// `value` with every `null` object member removed (nulls inside arrays stay).
    static func withoutNullMembers(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.filter { !$0.value.isNull }.mapValues(withoutNullMembers))
        case .array(let items):
            return .array(items.map(withoutNullMembers))
        default:
            return value
        }
    }

    /// Whether some object in `value`, outside arrays, has a `null` member.
    static func hasNullMember(_ value: JSONValue) -> Bool {
        guard case .object(let members) = value else { return false }
        return members.values.contains { $0.isNull || hasNullMember($0) }
    }

    /// Every value in `document` with the pointer that reaches it, found by walking the tree.
    static func paths(in document: JSONValue, at pointer: JSONPointer = .root) -> [(JSONPointer, JSONValue)] {
        var result = [(pointer, document)]
        switch document {
        case .array(let items):
            for (index, item) in items.enumerated() { result += paths(in: item, at: pointer.appending(index)) }
        case .object(let members):
            for (key, member) in members { result += paths(in: member, at: pointer.appending(key)) }
        default:
            break
        }
        return result
    }
}
