import PropertyBased
import Testing
import TrellisJSON

/// Invariants that must hold for every document, checked on random ones (see ``RandomJSON``).
@Suite struct PropertyTests {
    static let runs = 300

    // MARK: JSON Patch diff

    @Test func diffThenApplyGivesTheTarget() async {
        await propertyCheck(count: Self.runs, input: RandomJSON.mutatedPairs) { source, target in
            try Self.expectDiffReaches(source, target)
        }
        await propertyCheck(count: Self.runs, input: RandomJSON.arrayEditPairs) { source, target in
            try Self.expectDiffReaches(source, target)
        }
        await propertyCheck(count: Self.runs, input: RandomJSON.independentPairs) { source, target in
            try Self.expectDiffReaches(source, target)
        }
    }

    static func expectDiffReaches(_ source: JSONValue, _ target: JSONValue) throws {
        let patch = JSONPatch.diff(from: source, to: target)
        #expect(try patch.apply(to: source) == target, "diff \(patch.jsonValue) applied to \(source)")
        // The patch survives being written out as a patch document and read back.
        #expect(try JSONPatch(JSONValue(parsing: patch.jsonValue.serialized())) == patch)
    }

    @Test func diffOfEqualDocumentsIsEmpty() async {
        await propertyCheck(count: Self.runs, input: RandomJSON.equalPairs) { document, respelled in
            #expect(JSONPatch.diff(from: document, to: document).operations.isEmpty)
            #expect(JSONPatch.diff(from: document, to: respelled).operations.isEmpty, "\(document) vs \(respelled)")
        }
    }

    // MARK: JSON Merge Patch

    @Test func mergePatchIsIdempotent() async {
        await propertyCheck(count: Self.runs, input: RandomJSON.independentPairs) { document, patch in
            let once = document.mergePatched(with: patch)
            #expect(once.mergePatched(with: patch) == once, "patch \(patch) on \(document)")
        }
        await propertyCheck(count: Self.runs, input: RandomJSON.mutatedPairs) { document, patch in
            let once = document.mergePatched(with: patch)
            #expect(once.mergePatched(with: patch) == once, "patch \(patch) on \(document)")
        }
    }

    @Test func emptyMergePatchLeavesAnObjectAlone() async {
        await propertyCheck(count: Self.runs, input: RandomJSON.objects) { object in
            #expect(object.mergePatched(with: [:]) == object)
        }
    }

    @Test func computedMergePatchReachesTheTarget() async {
        await propertyCheck(count: Self.runs, input: RandomJSON.mergeablePairs) { source, target in
            let patch = source.mergePatch(to: target)
            #expect(patch != nil, "no merge patch from \(source) to \(target)")
            if let patch {
                #expect(source.mergePatched(with: patch) == target, "patch \(patch) on \(source)")
            }
        }
        // With nulls allowed, a patch exists exactly when the target has no null member.
        await propertyCheck(count: Self.runs, input: RandomJSON.mutatedPairs) { source, target in
            if let patch = source.mergePatch(to: target) {
                #expect(source.mergePatched(with: patch) == target, "patch \(patch) on \(source)")
            } else {
                #expect(RandomJSON.hasNullMember(target), "no merge patch from \(source) to \(target)")
            }
        }
    }

    // MARK: JSON Pointer

    @Test func everyPathRoundTripsAndFindsItsValue() async {
        await propertyCheck(count: Self.runs, input: RandomJSON.documents) { document throws in
            for (pointer, value) in RandomJSON.paths(in: document) {
                let text = pointer.description
                #expect(try JSONPointer(text) == pointer, "\(pointer.tokens) printed as \(text)")
                #expect(try pointer.value(in: document) == value)
                #expect(document[pointer: pointer] == value)
            }
        }
    }

    // MARK: Serialization and hashing

    @Test func parsingWhatWasPrintedGivesTheSameValue() async {
        await propertyCheck(count: Self.runs, input: RandomJSON.documents) { document throws in
            for formatting: JSONValue.Formatting in [.compact, .pretty, .init(pretty: true, sortedKeys: true)] {
                let text = document.serialized(formatting)
                let parsed = try JSONValue(parsing: text)
                #expect(parsed == document, "\(text)")
                // Key order and number spelling survive too, so printing again gives the same text.
                #expect(parsed.serialized(formatting) == text)
            }
        }
    }

    @Test func numbersAreTotallyOrdered() async {
        // Cheap, and the failing pairs are few, so many runs.
        await propertyCheck(count: 3_000, input: RandomJSON.numberPairs) { a, b in
            let outcomes = [a < b, a == b, b < a].filter { $0 }
            #expect(outcomes.count == 1, "\(a) vs \(b): <, ==, > gave \([a < b, a == b, b < a])")
            if a == b { #expect(a.hashValue == b.hashValue) }
        }
    }

    @Test func equalValuesHaveEqualHashes() async {
        await propertyCheck(count: Self.runs, input: RandomJSON.equalPairs) { document, respelled in
            #expect(document == respelled)
            #expect(respelled == document)
            #expect(document.hashValue == respelled.hashValue, "\(document) vs \(respelled)")
            #expect(Set([document, respelled]).count == 1)
        }
    }
}
