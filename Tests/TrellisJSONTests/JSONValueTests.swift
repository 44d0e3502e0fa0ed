import Foundation
import Testing
import TrellisJSON

/// The JSON value type: parsing (with exact error positions), printing, equality and Codable.
@Suite struct JSONValueTests {
    // MARK: Parsing errors

    /// Text that must not parse, with the exact position and reason it must report.
    struct Rejection: Sendable, CustomTestStringConvertible {
        let text: String
        let line: Int
        let column: Int
        let reason: String

        var testDescription: String { text.count > 40 ? String(text.prefix(37)) + "…" : text }
    }

    static let rejections: [Rejection] = [
        Rejection(text: "", line: 1, column: 1, reason: "the document is empty; expected a JSON value"),
        Rejection(text: "  \n ", line: 2, column: 2, reason: "the document is empty; expected a JSON value"),
        Rejection(text: "01", line: 1, column: 2, reason: "numbers must not have leading zeros"),
        Rejection(text: "[-012]", line: 1, column: 4, reason: "numbers must not have leading zeros"),
        Rejection(text: "[1,2,]", line: 1, column: 6, reason: "unexpected character ']'; expected a value"),
        Rejection(text: #"{"a":1,}"#, line: 1, column: 8, reason: "expected a string key in double quotes"),
        Rejection(text: #"{"a" 1}"#, line: 1, column: 6, reason: #"expected ':' after the object key "a""#),
        Rejection(text: "[1 2]", line: 1, column: 4, reason: "expected ',' or ']' after an array element"),
        Rejection(text: #"{"a":1 "b":2}"#, line: 1, column: 8, reason: "expected ',' or '}' after an object member"),
        Rejection(text: #"["abc"#, line: 1, column: 2, reason: "unterminated string"),
        Rejection(text: #"["ab\n"#, line: 1, column: 2, reason: "unterminated string"),
        Rejection(text: #""a\x""#, line: 1, column: 4, reason: #"invalid escape sequence '\x'"#),
        Rejection(text: #""\u12G4""#, line: 1, column: 6, reason: #"\u must be followed by four hex digits"#),
        // An unpaired surrogate is reported where its escape starts, whatever follows it.
        Rejection(text: #""\uD800""#, line: 1, column: 2, reason: #"unpaired UTF-16 surrogate in \u escape"#),
        Rejection(text: #""ab\uD800xyz""#, line: 1, column: 4, reason: #"unpaired UTF-16 surrogate in \u escape"#),
        Rejection(text: #""\uD800\u0041""#, line: 1, column: 2, reason: #"unpaired UTF-16 surrogate in \u escape"#),
        Rejection(text: #""\uDC00""#, line: 1, column: 2, reason: #"unpaired UTF-16 surrogate in \u escape"#),
        Rejection(text: "\"a\tb\"", line: 1, column: 3, reason: "control character 0x9 in a string must be escaped"),
        Rejection(text: "\"a\\n\nb\"", line: 1, column: 5, reason: "control character 0xa in a string must be escaped"),
        Rejection(text: "1e400", line: 1, column: 1, reason: "number 1e400 is out of range"),
        Rejection(text: "[-1e400]", line: 1, column: 2, reason: "number -1e400 is out of range"),
        Rejection(text: "1.", line: 1, column: 3, reason: "expected a digit after the decimal point"),
        Rejection(text: "1e+", line: 1, column: 4, reason: "expected a digit in the exponent"),
        Rejection(text: "-", line: 1, column: 2, reason: "expected a digit"),
        Rejection(text: "+1", line: 1, column: 1, reason: "unexpected character '+'; expected a value"),
        Rejection(text: ".5", line: 1, column: 1, reason: "unexpected character '.'; expected a value"),
        Rejection(text: "tru", line: 1, column: 1, reason: "invalid literal; expected true"),
        Rejection(text: "[nul]", line: 1, column: 2, reason: "invalid literal; expected null"),
        Rejection(text: "True", line: 1, column: 1, reason: "unexpected character 'T'; expected a value"),
        Rejection(text: "[1] x", line: 1, column: 5, reason: "unexpected text after the JSON value"),
        Rejection(text: "{'a':1}", line: 1, column: 2, reason: "expected a string key in double quotes"),
        Rejection(text: "[1,", line: 1, column: 4, reason: "unexpected end of input; expected a value"),
        // Line 3, column 5: lines counted by line feeds, columns in characters from 1.
        Rejection(text: "{\n  \"a\": [\n    @\n  ]\n}", line: 3, column: 5, reason: "unexpected character '@'; expected a value"),
        Rejection(text: "[\n  1,\n  2,\n]", line: 4, column: 1, reason: "unexpected character ']'; expected a value"),
        Rejection(text: "{\r\n  \"a\": 1,\r\n  \"b\" 2\r\n}", line: 3, column: 7, reason: #"expected ':' after the object key "b""#),
        // Columns count characters, not bytes: "é" and "👍🏽" are one column each.
        Rejection(text: "[\"é\", \"👍🏽\", @]", line: 1, column: 12, reason: "unexpected character '@'; expected a value"),
    ]

    @Test(arguments: rejections) func rejects(_ rejection: Rejection) {
        #expect(throws: JSONParseError(line: rejection.line, column: rejection.column, reason: rejection.reason)) {
            try JSONValue(parsing: rejection.text)
        }
    }

    @Test func errorDescriptionNamesLineAndColumn() {
        let error = JSONParseError(line: 3, column: 5, reason: "unexpected character '@'; expected a value")
        #expect(error.description == "line 3, column 5: unexpected character '@'; expected a value")
    }

    @Test func nestingLimitIs512() throws {
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        var value = try JSONValue(parsing: deepest)
        var depth = 0
        while case .array(let elements) = value {
            depth += 1
            value = elements.first ?? .null
        }
        #expect(depth == 512)

        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONParseError(line: 1, column: 513, reason: "nesting is deeper than 512 levels")) {
            try JSONValue(parsing: tooDeep)
        }
        let mixed = String(repeating: #"{"a":["#, count: 257) + String(repeating: "]}", count: 257)
        #expect(throws: JSONParseError(line: 1, column: 6 * 256 + 1, reason: "nesting is deeper than 512 levels")) {
            try JSONValue(parsing: mixed)
        }
    }

    // MARK: Parsing values

    @Test func acceptsEveryKindOfValue() throws {
        let text = #" {"n":null,"t":true,"f":false,"i":-42,"d":-0.5e-3,"s":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","a":[],"o":{}} "#
        let value = try JSONValue(parsing: text)
        #expect(value["n"] == .null)
        #expect(value["t"] == .bool(true))
        #expect(value["f"] == .bool(false))
        #expect(value["i"] == .number(.integer(-42)))
        #expect(value["d"] == .number(.double(-0.0005)))
        #expect(value["s"] == .string("a\"\\/\u{8}\u{c}\n\r\té😀"))
        #expect(value["a"] == .array([]))
        #expect(value["o"] == .object([:]))
        // A UTF-8 byte order mark is skipped.
        #expect(try JSONValue(parsing: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == [1])
        #expect(try JSONValue(parsing: Data("\"x\"".utf8)) == "x")
    }

    @Test func int64ExtremesAreExact() throws {
        let maximum = try JSONValue(parsing: "9223372036854775807")
        #expect(maximum == .number(.integer(Int64.max)))
        #expect(maximum.serialized() == "9223372036854775807")
        let minimum = try JSONValue(parsing: "-9223372036854775808")
        #expect(minimum == .number(.integer(Int64.min)))
        #expect(minimum.serialized() == "-9223372036854775808")
        // One past the range is still a number, as a double.
        #expect(try JSONValue(parsing: "9223372036854775808") == .number(.double(9_223_372_036_854_775_808)))
        // 2^53 + 1 is not a double, and must not equal the double 2^53.
        #expect(try JSONValue(parsing: "9007199254740993") != .number(.double(9_007_199_254_740_992)))
    }

    @Test func numbersPrintShortest() throws {
        #expect(try JSONValue(parsing: "0.1").serialized() == "0.1")
        #expect(JSONValue(0.1).serialized() == "0.1")
        #expect(try JSONValue(parsing: "1.5e300").serialized() == "1.5e+300")
        #expect(try JSONValue(parsing: "-2.5E-7").serialized() == "-2.5e-07")
        #expect(try JSONValue(parsing: "1.0") == 1)
        #expect(JSONValue(3.0) == .number(.integer(3)))
        #expect(JSONValue(UInt64.max) == .number(.double(18_446_744_073_709_551_616)))
        for text in ["0.1", "1.5e300", "-2.5E-7", "5e-324", "1.7976931348623157e308", "123.456"] {
            let value = try JSONValue(parsing: text)
            #expect(try JSONValue(parsing: value.serialized()) == value, "\(text)")
        }
    }

    /// Integers and doubles compare by exact value, even where `Double` cannot hold the integer.
    @Test func numbersCompareExactly() throws {
        let twoTo53 = JSONNumber.double(9_007_199_254_740_992)
        let twoTo53PlusOne = JSONNumber.integer(9_007_199_254_740_993)
        #expect(twoTo53 < twoTo53PlusOne)
        #expect(!(twoTo53PlusOne < twoTo53))
        #expect(twoTo53 != twoTo53PlusOne)
        let twoTo63 = JSONNumber.double(9_223_372_036_854_775_808)
        #expect(JSONNumber.integer(.max) < twoTo63)
        #expect(!(twoTo63 < .integer(.max)))
        #expect(JSONNumber.double(-9_223_372_036_854_775_808) == .integer(.min))
        #expect(!(JSONNumber.integer(.min) < .double(-9_223_372_036_854_775_808)))
        #expect(JSONNumber.integer(1) < .double(1.5))
        #expect(JSONNumber.double(0.5) < .integer(1))
        #expect(JSONNumber.integer(-1) < .double(-0.5))
        #expect(JSONNumber.double(-1.5) < .integer(-1))
        #expect(!(JSONNumber.integer(1) < .double(1.0)))
        #expect(!(JSONNumber.double(1.0) < .integer(1)))
        #expect(JSONNumber.integer(.max) < .double(.infinity))
        #expect(JSONNumber.double(-.infinity) < .integer(.min))

        // Which is what makes minimum and maximum right at those edges.
        let maximum = try JSONSchema(["maximum": .number(.integer(.max))])
        #expect(!maximum.isValid(try JSONValue(parsing: "9223372036854775808")))
        #expect(maximum.isValid(try JSONValue(parsing: "9223372036854775807")))
        let minimum = try JSONSchema(["minimum": .number(twoTo53PlusOne)])
        #expect(!minimum.isValid(.number(twoTo53)))
        #expect(minimum.isValid(.number(twoTo53PlusOne)))
    }

    // MARK: Printing

    @Test func keyOrderSurvivesARoundTrip() throws {
        let text = #"{"zebra":1,"apple":{"y":[true,null],"b":"x"},"mango":[]}"#
        let value = try JSONValue(parsing: text)
        #expect(value.serialized() == text)
        #expect(value.objectValue.map { Array($0.keys) } == ["zebra", "apple", "mango"])
        #expect(value.serialized(.init(sortedKeys: true)) == #"{"apple":{"b":"x","y":[true,null]},"mango":[],"zebra":1}"#)
        #expect(
            value.serialized(.pretty) == """
                {
                  "zebra": 1,
                  "apple": {
                    "y": [
                      true,
                      null
                    ],
                    "b": "x"
                  },
                  "mango": []
                }
                """)
    }

    @Test func stringsAreEscaped() {
        let value: JSONValue = .string("q\"b\\s/n\nt\tc\u{1}d\u{7f}é😀")
        #expect(value.serialized() == #""q\"b\\s/n\nt\tc\u0001d"# + "\u{7f}é😀\"")
        #expect(String(decoding: value.serializedBytes(), as: UTF8.self) == value.serialized())
        #expect(value.description == value.serialized())
    }

    @Test func literals() {
        let value: JSONValue = ["port": 8080, "ratio": 0.5, "name": "api", "tls": nil, "on": true, "hosts": ["a", "b"]]
        #expect(value.serialized() == #"{"port":8080,"ratio":0.5,"name":"api","tls":null,"on":true,"hosts":["a","b"]}"#)
        #expect(value["port"]?.intValue == 8080)
        #expect(value["ratio"]?.doubleValue == 0.5)
        #expect(value["ratio"]?.intValue == nil)
        #expect(value["name"]?.stringValue == "api")
        #expect(value["tls"]?.isNull == true)
        #expect(value["on"]?.boolValue == true)
        #expect(value["hosts"]?[1] == "b")
        #expect(value["hosts"]?[2] == nil)
        #expect(value["missing"] == nil)
        #expect(value[0] == nil)
        #expect(value.typeName == "object")
        #expect(["a", "a"] as JSONValue == .array(["a", "a"]))
    }

    // MARK: Equality

    @Test func equalityFollowsJSON() {
        #expect(JSONValue.bool(false) != .number(.integer(0)))
        #expect(JSONValue.bool(true) != .number(.integer(1)))
        #expect(JSONValue.null != .bool(false))
        #expect(JSONValue.string("1") != .number(.integer(1)))
        #expect(JSONValue.number(.integer(1)) == .number(.double(1.0)))
        #expect(JSONValue.number(.integer(0)) == .number(.double(-0.0)))
        #expect(JSONValue.number(.integer(1)) != .number(.double(1.5)))
        #expect(["a": 1, "b": [1, 2]] as JSONValue == ["b": [1.0, 2], "a": 1.0])
        #expect(["a": 1] as JSONValue != ["a": 1, "b": nil])
        #expect([1, 2] as JSONValue != [2, 1])
        #expect([1] as JSONValue != [1, 1])
        // JSON compares strings by code points: precomposed "é" is not "e" + U+0301.
        #expect(JSONValue.string("\u{e9}") != .string("e\u{301}"))
        #expect(JSONValue.string("\u{e9}") == .string("é"))
    }

    /// JSON object keys are compared by code point, like strings, but `JSONObject` is keyed by
    /// Swift `String`, whose `==` merges canonically equivalent keys. Fixing it means changing the
    /// public `JSONObject` type; until then this records the gap (and fails once it is closed).
    @Test func canonicallyEquivalentKeysStayDistinct() throws {
        let value = try JSONValue(parsing: #"{"\u00e9":1,"e\u0301":2}"#)
        withKnownIssue("JSONObject merges the keys \"\u{e9}\" and \"e\u{301}\"") {
            #expect(value.objectValue?.count == 2)
            #expect(value["e\u{301}"] == 2)
        }
        #expect(value["\u{e9}"] != nil)
    }

    @Test func equalValuesHashAlike() {
        let pairs: [(JSONValue, JSONValue)] = [
            (.number(.integer(1)), .number(.double(1.0))),
            (.number(.integer(-7)), .number(.double(-7))),
            (["a": 1, "b": 2, "c": [nil, true]], ["c": [nil, true], "b": 2.0, "a": 1]),
            ([["x": 1.0]], [["x": 1]]),
        ]
        for (a, b) in pairs {
            #expect(a == b)
            #expect(a.hashValue == b.hashValue, "\(a) and \(b)")
        }
        #expect(Set<JSONValue>([1, 1.0, ["a": 1, "b": 2], ["b": 2, "a": 1], "1", true]).count == 4)
    }

    // MARK: Codable

    struct Config: Codable, Equatable {
        var port: Int
        var hosts: [String]
        var ratio: Double
        var tls: Bool?
        var limits: [String: Int64]
    }

    @Test func codableRoundTrip() throws {
        let value: JSONValue = [
            "null": nil, "bool": false, "max": .number(.integer(Int64.max)), "min": .number(.integer(Int64.min)),
            "tenth": 0.1, "big": 1.5e300, "text": "é/😀\"", "empty": [:], "none": [],
            "nested": ["list": [1, nil, ["deep": [true]], "x"]],
        ]
        let data = try JSONEncoder().encode(value)
        let decoded = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(decoded == value)
        #expect(try JSONValue(parsing: data) == value)
        for scalar: JSONValue in [nil, true, 42, -0.25, "s"] {
            #expect(try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(scalar)) == scalar)
        }
    }

    @Test func encodingAndDecodingSwiftTypes() throws {
        let config = Config(port: 8080, hosts: ["a", "b"], ratio: 0.75, tls: nil, limits: ["max": Int64.max])
        let value = try JSONValue(encoding: config)
        #expect(value == ["port": 8080, "hosts": ["a", "b"], "ratio": 0.75, "limits": ["max": .number(.integer(Int64.max))]])
        #expect(try value.decode(as: Config.self) == config)
        let decoded: Config = try (["port": 1, "hosts": [], "ratio": 2, "tls": true, "limits": [:]] as JSONValue).decode()
        #expect(decoded == Config(port: 1, hosts: [], ratio: 2, tls: true, limits: [:]))
        #expect(throws: DecodingError.self) { try (["port": "eighty"] as JSONValue).decode(as: Config.self) }
    }
}
