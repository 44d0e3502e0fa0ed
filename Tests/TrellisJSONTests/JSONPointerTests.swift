import Foundation
import Testing
import TrellisJSON

/// JSON Pointer (RFC 6901): parsing, escaping, lookup, and the edits JSON Patch builds on.
@Suite struct JSONPointerTests {
    /// Parses through a `String` value: `JSONPointer("…")` with a literal argument would be
    /// the literal initializer (SE-0213), which traps instead of throwing.
    func parse(_ text: String) throws(JSONPointerError) -> JSONPointer {
        try JSONPointer(text)
    }

    /// The example document of RFC 6901 section 5.
    static let rfcDocument: JSONValue = [
        "foo": ["bar", "baz"],
        "": 0,
        "a/b": 1,
        "c%d": 2,
        "e^f": 3,
        "g|h": 4,
        "i\\j": 5,
        "k\"l": 6,
        " ": 7,
        "m~n": 8,
    ]

    /// Every pointer RFC 6901 section 5 lists, with its tokens and the value it names.
    static let rfcPointers: [(String, [String], JSONValue)] = [
        ("", [], rfcDocument),
        ("/foo", ["foo"], ["bar", "baz"]),
        ("/foo/0", ["foo", "0"], "bar"),
        ("/", [""], 0),
        ("/a~1b", ["a/b"], 1),
        ("/c%d", ["c%d"], 2),
        ("/e^f", ["e^f"], 3),
        ("/g|h", ["g|h"], 4),
        ("/i\\j", ["i\\j"], 5),
        ("/k\"l", ["k\"l"], 6),
        ("/ ", [" "], 7),
        ("/m~0n", ["m~n"], 8),
    ]

    @Test func rfc6901Section5Examples() throws {
        // The document as the RFC prints it parses to the same value.
        let printed = try JSONValue(
            parsing: #"""
                {
                   "foo": ["bar", "baz"],
                   "": 0,
                   "a/b": 1,
                   "c%d": 2,
                   "e^f": 3,
                   "g|h": 4,
                   "i\\j": 5,
                   "k\"l": 6,
                   " ": 7,
                   "m~n": 8
                }
                """#)
        #expect(printed == Self.rfcDocument)
        for (text, tokens, expected) in Self.rfcPointers {
            let pointer = try parse(text)
            #expect(pointer.tokens == tokens, "\(text)")
            #expect(pointer.description == text)
            #expect(try pointer.value(in: Self.rfcDocument) == expected, "\(text)")
            #expect(Self.rfcDocument[pointer: pointer] == expected)
        }
    }

    @Test func escaping() throws {
        let pointer = JSONPointer(tokens: ["a/b", "m~n", "~1", "/~", ""])
        #expect(pointer.description == "/a~1b/m~0n/~01/~1~0/")
        #expect(try parse(pointer.description) == pointer)
        // `~01` is `~1` (unescape `~0` last), and `~10` is `/0`.
        #expect(try parse("/~01").tokens == ["~1"])
        #expect(try parse("/~10").tokens == ["/0"])
        #expect(try parse("//").tokens == ["", ""])
        #expect(JSONPointer.root.description == "")
        #expect(("/a~1b/0" as JSONPointer).tokens == ["a/b", "0"])
    }

    /// Pointers work on code points (RFC 6901 §3), so a combining mark after `/` or `~`
    /// must not merge with it the way Swift's `Character` would.
    @Test func combiningMarksNextToSeparators() throws {
        #expect(try parse("/a/\u{301}b").tokens == ["a", "\u{301}b"])
        #expect(try parse("/\u{301}").tokens == ["\u{301}"])
        #expect(try parse("/~0\u{301}").tokens == ["~\u{301}"])
        #expect(try parse("/~1\u{301}").tokens == ["/\u{301}"])
        let tricky = JSONPointer(tokens: ["~\u{301}", "/\u{301}", "x\u{301}/"])
        #expect(tricky.description == "/~0\u{301}/~1\u{301}/x\u{301}~1")
        #expect(try parse(tricky.description) == tricky)
        let document: JSONValue = ["~\u{301}": ["/\u{301}": 1]]
        #expect(try parse("/~0\u{301}/~1\u{301}").value(in: document) == 1)
        #expect(throws: JSONPointerError(pointer: "/~\u{301}", reason: "'~' must be followed by '0' or '1'")) {
            try parse("/~\u{301}")
        }
    }

    @Test func invalidPointers() {
        #expect(throws: JSONPointerError(pointer: "a", reason: "a JSON Pointer must be empty or start with '/'")) {
            try parse("a")
        }
        #expect(throws: JSONPointerError(pointer: "#/a", reason: "a JSON Pointer must be empty or start with '/'")) {
            try parse("#/a")
        }
        for text in ["/~2", "/a~", "/~a", "/ok/~/x"] {
            #expect(throws: JSONPointerError(pointer: text, reason: "'~' must be followed by '0' or '1'")) {
                try parse(text)
            }
        }
        let error = JSONPointerError(pointer: "/~2", reason: "'~' must be followed by '0' or '1'")
        #expect(error.description == "/~2: '~' must be followed by '0' or '1'")
    }

    @Test func lookupErrorsNameTheFailingToken() {
        let cases: [(String, String)] = [
            ("/nope/x", #"/nope/x: the document has no member "nope""#),
            ("/foo/2", "/foo/2: /foo index 2 is out of range (the array has 2 elements)"),
            ("/foo/-", #"/foo/-: /foo "-" is not an array index"#),
            ("/foo/01", #"/foo/01: /foo "01" is not an array index"#),
            ("/foo/-1", #"/foo/-1: /foo "-1" is not an array index"#),
            ("/foo/0/x", "/foo/0/x: /foo/0 is a string, not an object or array"),
            ("/a~1b/x", "/a~1b/x: /a~1b is a number, not an object or array"),
        ]
        for (text, message) in cases {
            let error = #expect(throws: JSONPointerError.self) { try parse(text).value(in: Self.rfcDocument) }
            #expect(error?.description == message)
        }
        #expect(Self.rfcDocument[pointer: "/foo/2"] == nil)
    }

    // MARK: Editing

    @Test func addSemantics() throws {
        var document: JSONValue = ["list": [1, 2], "map": ["k": "v"]]
        try document.add("w", at: "/map/k")  // an existing member is replaced
        try document.add(true, at: "/map/new")
        try document.add(0, at: "/list/0")  // inserts, shifting the rest
        try document.add(3, at: "/list/-")  // appends
        try document.add(4, at: "/list/4")  // index == count appends too
        #expect(document == ["list": [0, 1, 2, 3, 4], "map": ["k": "w", "new": true]])

        let before = document
        let failures: [(JSONPointer, String)] = [
            ("/list/6", #"/list/6: /list cannot insert at "6" (the array has 5 elements)"#),
            ("/list/01", #"/list/01: /list cannot insert at "01" (the array has 5 elements)"#),
            ("/list/x", #"/list/x: /list cannot insert at "x" (the array has 5 elements)"#),
            ("/missing/child", #"/missing/child: the document has no member "missing""#),
            ("/list/0/x", "/list/0/x: /list/0 is a number, not an object or array"),
            ("/list/9/x", #"/list/9/x: /list has no element "9" (the array has 5 elements)"#),
        ]
        for (pointer, message) in failures {
            let error = #expect(throws: JSONPointerError.self) { try document.add(nil, at: pointer) }
            #expect(error?.description == message)
            #expect(document == before, "a failed add must not change the document")
        }
        try document.add("whole", at: .root)
        #expect(document == "whole")
    }

    @Test func replaceSemantics() throws {
        var document: JSONValue = ["list": [1, 2], "map": ["k": "v"]]
        try document.replace(9, at: "/list/1")
        try document.replace([1], at: "/map/k")
        #expect(document == ["list": [1, 9], "map": ["k": [1]]])
        let failures: [(JSONPointer, String)] = [
            ("/list/-", #"/list/-: /list has no element "-" (the array has 2 elements)"#),
            ("/list/2", #"/list/2: /list has no element "2" (the array has 2 elements)"#),
            ("/map/other", #"/map/other: /map has no member "other""#),
        ]
        for (pointer, message) in failures {
            let error = #expect(throws: JSONPointerError.self) { try document.replace(nil, at: pointer) }
            #expect(error?.description == message)
        }
        try document.replace(nil, at: "")
        #expect(document == nil)
    }

    @Test func removeSemantics() throws {
        var document: JSONValue = ["list": ["a", "b", "c"], "map": ["k": "v", "j": 1]]
        #expect(try document.remove(at: "/list/0") == "a")
        #expect(try document.remove(at: "/map/k") == "v")
        #expect(document == ["list": ["b", "c"], "map": ["j": 1]])
        let failures: [(JSONPointer, String)] = [
            ("", "(root): the whole document cannot be removed"),
            ("/list/-", #"/list/-: /list has no element "-" (the array has 2 elements)"#),
            ("/list/00", #"/list/00: /list has no element "00" (the array has 2 elements)"#),
            ("/map/k", #"/map/k: /map has no member "k""#),
        ]
        for (pointer, message) in failures {
            let error = #expect(throws: JSONPointerError.self) { try document.remove(at: pointer) }
            #expect(error?.description == message)
        }
    }

    @Test func structure() throws {
        let pointer: JSONPointer = "/a/b/0"
        #expect(pointer.parent == "/a/b")
        #expect(JSONPointer.root.parent == nil)
        #expect(JSONPointer.root.isRoot)
        #expect(pointer.hasPrefix("/a"))
        #expect(pointer.hasPrefix(.root))
        #expect(!pointer.hasPrefix("/a/bc"))
        #expect(JSONPointer.root.appending("x").appending(3) == "/x/3")
        let encoded = try JSONEncoder().encode(["at": pointer])
        #expect(try JSONValue(parsing: encoded) == ["at": "/a/b/0"])
        #expect(try JSONDecoder().decode([String: JSONPointer].self, from: encoded) == ["at": pointer])
        do {
            _ = try JSONDecoder().decode([String: JSONPointer].self, from: Data(#"{"at":"x"}"#.utf8))
            Issue.record("an invalid pointer decoded")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.codingPath.map(\.stringValue) == ["at"])
            #expect(context.debugDescription == "x: a JSON Pointer must be empty or start with '/'")
        }
    }
}
