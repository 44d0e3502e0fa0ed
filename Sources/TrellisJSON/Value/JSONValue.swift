public import OrderedCollections

/// The members of a JSON object, in the order they were written.
public typealias JSONObject = OrderedDictionary<String, JSONValue>

/// A JSON document or any part of one.
///
/// Objects keep their key order, so a document printed back reads like its input;
/// equality ignores that order, as JSON does. Numbers keep 64-bit integers exactly
/// and compare `1 == 1.0`, as JSON Schema requires.
///
/// ```swift
/// let config: JSONValue = ["port": 8080, "hosts": ["a", "b"], "tls": nil]
/// let port = config["port"]?.intValue        // 8080
/// let text = config.serialized()              // {"port":8080,"hosts":["a","b"],"tls":null}
/// ```
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    /// The JSON type name of this value: `null`, `boolean`, `number`, `string`, `array` or `object`.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The type name with its indefinite article (`an object`, `a string`), for messages.
    var typeNameWithArticle: String {
        switch self {
        case .array, .object: "an \(typeName)"
        default: "a \(typeName)"
        }
    }

    public var isNull: Bool { if case .null = self { true } else { false } }

    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }

    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }

    public var numberValue: JSONNumber? { if case .number(let value) = self { value } else { nil } }

    /// The value as an `Int`, when it is a number with no fractional part that fits.
    public var intValue: Int? { numberValue?.int64Value.flatMap { Int(exactly: $0) } }

    public var doubleValue: Double? { numberValue?.doubleValue }

    public var arrayValue: [JSONValue]? { if case .array(let value) = self { value } else { nil } }

    public var objectValue: JSONObject? { if case .object(let value) = self { value } else { nil } }

    /// The member named `key` of an object; `nil` for a missing key or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { object[key] } else { nil }
    }

    /// The element at `index` of an array; `nil` when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let array) = self, array.indices.contains(index) else { return nil }
        return array[index]
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .number(.integer(value)) }
    public init(floatLiteral value: Double) { self = .number(.double(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSONValue {
    /// A JSON number from any binary integer; integers beyond 64 bits become doubles.
    public init(_ value: some BinaryInteger) {
        if let exact = Int64(exactly: value) {
            self = .number(.integer(exact))
        } else {
            self = .number(.double(Double(value)))
        }
    }

    public init(_ value: Double) { self = .number(JSONNumber(value)) }
}
