import PropertyBased
import Testing

@testable import TrellisJSON

/// `PropertyNameSet` must answer as `Set<String>` does, canonical equivalence included.
@Suite struct PropertyNameSetTests {
    static let keys: [String] = [
        "", "a", "b", "id", "name", "version", "K", "\u{212A}", "é", "e\u{301}", "Å", "\u{212B}", ";", "\u{37E}",
        "additionalProperties", "a-much-longer-property-name-than-sixteen-bytes", "A", "aa", "a ", " a", "😀",
    ]

    @Test func answersAsASetOfStringsDoes() {
        let declaredLists: [[String]] = [
            [], ["a"], ["a", "b", "id"], ["K"], ["\u{212A}"], ["é"], ["e\u{301}"], ["a", "a", "b"],
            ["version", "name", "additionalProperties", "a-much-longer-property-name-than-sixteen-bytes"],
            (0..<40).map { "property\($0)" }, Self.keys,
        ]
        for declared in declaredLists {
            let names = PropertyNameSet(declared)
            let reference = Set(declared)
            for key in Self.keys + declared {
                #expect(names.contains(key) == reference.contains(key), "\(key.debugDescription) in \(declared)")
            }
        }
    }

    @Test func canonicallyEquivalentKeysAreTheSameProperty() throws {
        // Swift's String equality, and so JSONObject's keys, treat U+212A KELVIN SIGN as "K".
        let schema = try JSONSchema(["properties": ["K": ["type": "integer"]], "additionalProperties": false])
        #expect(schema.isValid(["\u{212A}": 1]))
        #expect(!schema.isValid(["\u{212A}": "one"]))
        #expect(!schema.isValid(["k": 1]))
        let decomposed = try JSONSchema(["properties": ["e\u{301}": true], "additionalProperties": false])
        #expect(decomposed.isValid(["é": 1]))
        #expect(
            decomposed.validate(["f": 1]).errors.map(\.description) == [
                "/f: the property \"f\" is not allowed (additionalProperties is false)"
            ])
    }

    @Test func randomNamesAnswerAsASetOfStringsDoes() async {
        let pieces = ["a", "b", "K", "\u{212A}", "e", "\u{301}", "é", "-", "_", "0", "😀", " "]
        let lists = Generator<[String], Shrink.None<[String]>>(run: { rng in
            (0..<Int.random(in: 0...12, using: &rng)).map { _ in
                (0..<Int.random(in: 0...4, using: &rng)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &rng)] }.joined()
            }
        })
        await propertyCheck(count: 300, input: lists, lists) { declared, keys in
            let names = PropertyNameSet(declared)
            let reference = Set(declared)
            for key in keys + declared {
                #expect(names.contains(key) == reference.contains(key), "\(key.debugDescription) in \(declared)")
            }
        }
    }
}
