/// A JSON Pointer (RFC 6901): a path to one value inside a JSON document.
///
/// ```swift
/// let pointer = try JSONPointer(request.path)      // throws JSONPointerError when malformed
/// let host = try ("/servers/0/host" as JSONPointer).value(in: config)
/// JSONPointer(tokens: ["a/b", "m~n"]).description   // "/a~1b/m~0n"
/// ```
///
/// - Important: `JSONPointer("/a")` with a string *literal* is the literal initializer
///   (SE-0213), which traps on an invalid pointer instead of throwing; parse text that
///   comes from outside with a `String` value.
public struct JSONPointer: Sendable, Hashable {
    /// The unescaped reference tokens, outermost first.
    public var tokens: [String]

    public init(tokens: [String] = []) {
        self.tokens = tokens
    }

    /// Parses a pointer's string form (`""` is the whole document, else it starts with `/`).
    public init(_ string: String) throws(JSONPointerError) {
        guard !string.isEmpty else {
            self.init()
            return
        }
        guard string.utf8.first == UInt8(ascii: "/") else {
            throw JSONPointerError(pointer: string, reason: "a JSON Pointer must be empty or start with '/'")
        }
        var tokens: [String] = []
        // RFC 6901 works on code points. Swift's `Character`s would glue a combining mark to
        // the `/` or `~` before it and hide the separator or the escape.
        for raw in string.unicodeScalars.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            tokens.append(try Self.unescape(raw, in: string))
        }
        self.init(tokens: tokens)
    }

    /// The whole document.
    public static let root = JSONPointer()

    public var isRoot: Bool { tokens.isEmpty }

    /// The pointer to the parent of the value this pointer names; `nil` for the root.
    public var parent: JSONPointer? {
        isRoot ? nil : JSONPointer(tokens: Array(tokens.dropLast()))
    }

    /// This pointer extended by one token.
    public func appending(_ token: String) -> JSONPointer {
        JSONPointer(tokens: tokens + [token])
    }

    public func appending(_ index: Int) -> JSONPointer { appending(String(index)) }

    /// Whether `self` is `other` or names a value inside it.
    public func hasPrefix(_ other: JSONPointer) -> Bool {
        tokens.count >= other.tokens.count && Array(tokens.prefix(other.tokens.count)) == other.tokens
    }

    static func escape(_ token: some StringProtocol) -> String {
        guard token.unicodeScalars.contains(where: { $0 == "~" || $0 == "/" }) else { return String(token) }
        var result = String.UnicodeScalarView()
        for scalar in token.unicodeScalars {
            switch scalar {
            case "~": result.append(contentsOf: "~0".unicodeScalars)
            case "/": result.append(contentsOf: "~1".unicodeScalars)
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    private static func unescape(_ raw: Substring.UnicodeScalarView, in pointer: String) throws(JSONPointerError) -> String {
        guard raw.contains("~") else { return String(Substring(raw)) }
        var result = String.UnicodeScalarView()
        var iterator = raw.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "~" else {
                result.append(scalar)
                continue
            }
            switch iterator.next() {
            case "0": result.append("~")
            case "1": result.append("/")
            default:
                throw JSONPointerError(pointer: pointer, reason: "'~' must be followed by '0' or '1'")
            }
        }
        return String(result)
    }
}

extension JSONPointer: CustomStringConvertible, ExpressibleByStringLiteral {
    /// The pointer's string form, with `~` and `/` escaped.
    public var description: String {
        tokens.reduce(into: "") { result, token in
            result += "/"
            result += Self.escape(token)
        }
    }

    /// A pointer from a literal; the literal must be a valid pointer.
    public init(stringLiteral value: String) {
        do {
            try self.init(value)
        } catch {
            preconditionFailure("invalid JSON Pointer literal \"\(value)\": \(error.reason)")
        }
    }
}

extension JSONPointer: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            try self.init(string)
        } catch {
            // A DecodingError carries the coding path, so the caller learns which field was bad.
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A pointer that cannot be parsed or does not name a value in a document.
public struct JSONPointerError: Error, Sendable, Equatable, CustomStringConvertible {
    public let pointer: String
    public let reason: String

    public init(pointer: String, reason: String) {
        self.pointer = pointer
        self.reason = reason
    }

    public var description: String { "\(pointer.isEmpty ? "(root)" : pointer): \(reason)" }
}
