import Foundation
import Testing
import TrellisJSON

/// Every entry of the json-patch/json-patch-tests suite (`../shared/conformance/json-patch`):
/// `tests.json` and the RFC 6902 Appendix A examples in `spec_tests.json`.
/// Entries marked `disabled` are counted and listed, not run.
@Suite struct JSONPatchConformanceTests {
    static let files = ["json-patch/tests.json", "json-patch/spec_tests.json"]
    /// 112 entries at the pinned commit, 4 of them disabled (see the suite's README).
    static let expectedEntryCount = 112
    static let expectedDisabledCount = 4

    @Test func everyEntry() throws {
        var passed = 0
        var total = 0
        var failures: [String] = []
        var disabled: [String] = []
        for file in Self.files {
            let entries = try #require(try ConformanceSuite.load(file).arrayValue, "\(file) is not an array")
            for (position, entry) in entries.enumerated() {
                let name = "\(file) #\(position) (\(entry["comment"]?.stringValue ?? "no comment"))"
                if entry["disabled"] == true {
                    disabled.append(name)
                    continue
                }
                total += 1
                if let failure = Self.run(entry) {
                    failures.append("\(name): \(failure)")
                } else {
                    passed += 1
                }
            }
        }
        print("JSON Patch conformance: \(passed)/\(total) cases passed")
        for name in disabled { print("  SKIP \(name): marked disabled by the suite") }
        for failure in failures { print("  FAIL \(failure)") }
        #expect(total + disabled.count == Self.expectedEntryCount)
        #expect(disabled.count == Self.expectedDisabledCount)
        #expect(failures.isEmpty)
        #expect(passed == total)
    }

    /// Runs one entry; `nil` when it behaves as the suite says, else what went wrong.
    static func run(_ entry: JSONValue) -> String? {
        guard let document = entry["doc"], let patchDocument = entry["patch"] else {
            return "the entry has no doc or no patch"
        }
        let original = document
        let outcome: Result<JSONValue, JSONPatchError>
        do {
            // A patch that cannot even be read fails the same way as one that cannot be applied.
            let patch = try JSONPatch(patchDocument)
            outcome = .success(try patch.apply(to: document))
        } catch {
            outcome = .failure(error)
        }
        // `apply(to:)` takes the document by value, but the suite's own copy must still be untouched.
        guard document == original, document.serialized() == original.serialized() else {
            return "the input document changed to \(document)"
        }
        switch (outcome, entry["expected"], entry["error"]) {
        case (.success(let result), let expected?, nil):
            return result == expected ? nil : "produced \(result), expected \(expected)"
        case (.failure(let error), _?, nil):
            return "failed (\(error)), expected a result"
        case (.success(let result), nil, let hint?):
            return "applied and produced \(result), expected an error (\(hint))"
        case (.failure(let error), nil, _?):
            return error.reason.isEmpty ? "the error has no reason" : nil
        case (.success, nil, nil):
            return nil
        case (.failure(let error), nil, nil):
            return "failed (\(error)), expected it to apply"
        case (_, _?, _?):
            return "the entry has both expected and error"
        }
    }

    /// Atomicity: a patch whose later operation fails leaves no trace of its earlier ones.
    @Test func failedPatchChangesNothing() throws {
        let document: JSONValue = ["foo": ["bar": 1], "list": [1, 2, 3]]
        let patch = try JSONPatch(
            parsing: #"""
                [{"op":"add","path":"/foo/baz","value":2},
                 {"op":"remove","path":"/list/0"},
                 {"op":"replace","path":"/missing/child","value":3}]
                """#)
        let error = #expect(throws: JSONPatchError.self) { try patch.apply(to: document) }
        #expect(error?.index == 2)
        #expect(error?.operation == "replace")
        #expect(error?.path == "/missing/child")
        #expect(error?.description == #"operation 2 (replace /missing/child): /missing/child: the document has no member "missing""#)
        #expect(document == ["foo": ["bar": 1], "list": [1, 2, 3]])
    }

    @Test func moveAndCopyEdges() throws {
        let document: JSONValue = ["a": ["b": 1], "list": [1, 2]]
        let intoItself = try JSONPatch(parsing: #"[{"op":"move","from":"/a","path":"/a/b/c"}]"#)
        #expect(
            throws: JSONPatchError(
                index: 0, operation: "move", path: "/a/b/c",
                reason: "/a: a value cannot be moved into one of its own children (/a/b/c)")
        ) { try intoItself.apply(to: document) }
        // Moving a value onto itself is allowed, if it exists.
        #expect(try JSONPatch(parsing: #"[{"op":"move","from":"/a","path":"/a"}]"#).apply(to: document) == document)
        #expect(throws: JSONPatchError.self) { try JSONPatch(parsing: #"[{"op":"move","from":"/x","path":"/x"}]"#).apply(to: document) }
        // Copy and move take the value as it is at that step of the patch.
        let patch = try JSONPatch(
            parsing: #"""
                [{"op":"copy","from":"/list","path":"/copy"},{"op":"add","path":"/list/-","value":3},
                 {"op":"move","from":"/list/0","path":"/list/-"},{"op":"test","path":"/list","value":[2,3,1]}]
                """#)
        #expect(try patch.apply(to: document) == ["a": ["b": 1], "list": [2, 3, 1], "copy": [1, 2]])
    }

    /// Errors from reading a patch name the operation by index.
    @Test func unreadablePatchNamesTheOperation() {
        let cases: [(String, JSONPatchError)] = [
            (
                #"{"op":"add"}"#,
                JSONPatchError(index: 0, operation: nil, path: nil, reason: "a JSON Patch must be an array of operations, not an object")
            ),
            (
                #"[{"op":"test","path":"","value":1},[]]"#,
                JSONPatchError(index: 1, operation: nil, path: nil, reason: "an operation must be an object, not an array")
            ),
            (
                #"[{"op":"remove","path":1}]"#,
                JSONPatchError(index: 0, operation: "remove", path: nil, reason: "'path' must be a string, not a number")
            ),
            (
                #"[{"op":"add","path":"/a","value":1},{"path":"/b"}]"#,
                JSONPatchError(index: 1, operation: nil, path: nil, reason: "missing 'op' member")
            ),
            (
                #"[{"op":"frobnicate","path":"/a"}]"#,
                JSONPatchError(
                    index: 0, operation: "frobnicate", path: "/a",
                    reason: "unknown op 'frobnicate'; expected add, remove, replace, move, copy or test")
            ),
            (#"[{"op":"add","path":"/a"}]"#, JSONPatchError(index: 0, operation: "add", path: "/a", reason: "missing 'value' member")),
            (#"[{"op":"move","path":"/a"}]"#, JSONPatchError(index: 0, operation: "move", path: nil, reason: "missing 'from' member")),
            (
                #"[{"op":"remove","path":"a"}]"#,
                JSONPatchError(
                    index: 0, operation: "remove", path: "a",
                    reason: "'path' is not a JSON Pointer: a JSON Pointer must be empty or start with '/'")
            ),
        ]
        for (text, expected) in cases {
            #expect(throws: expected, "\(text)") { try JSONPatch(JSONValue(parsing: text)) }
        }
    }

    /// A patch survives being written out and read back.
    @Test func patchDocumentRoundTrip() throws {
        let text = #"""
            [{"op":"add","path":"/a~1b","value":{"x":[1,2]}},{"op":"remove","path":"/c"},
             {"op":"replace","path":"/d/0","value":null},{"op":"move","from":"/e","path":"/f"},
             {"op":"copy","from":"/g","path":"/h/-"},{"op":"test","path":"/m~0n","value":1.5}]
            """#
        let patch = try JSONPatch(parsing: text)
        #expect(patch.operations.count == 6)
        #expect(patch.operations[0] == .add(path: JSONPointer(tokens: ["a/b"]), value: ["x": [1, 2]]))
        #expect(try JSONPatch(patch.jsonValue) == patch)
        #expect(patch.jsonValue == (try JSONValue(parsing: text)))
    }

    /// Through Codable, a patch is its JSON document, and a bad one is a DecodingError with its path.
    @Test func codable() throws {
        struct Request: Codable, Equatable { var patch: JSONPatch }
        let request = Request(patch: JSONPatch([.test(path: "/a", value: 1), .remove(path: "/a")]))
        let data = try JSONEncoder().encode(request)
        #expect(try JSONValue(parsing: data) == ["patch": [["op": "test", "path": "/a", "value": 1], ["op": "remove", "path": "/a"]]])
        #expect(try JSONDecoder().decode(Request.self, from: data) == request)
        let bad = Data(#"{"patch":[{"op":"remove"}]}"#.utf8)
        do {
            _ = try JSONDecoder().decode(Request.self, from: bad)
            Issue.record("a patch without a path decoded")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.codingPath.map(\.stringValue) == ["patch"])
            #expect(context.debugDescription == "operation 0 (remove): missing 'path' member")
        }
    }
}
