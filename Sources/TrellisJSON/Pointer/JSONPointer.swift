internal import Foundation

/// A JSON Pointer (RFC 6901): a path to one value inside a JSON document.
///
/// ```swift
/// let pointer = try JSONPointer("/servers/0/host")
/// let host = try pointer.value(in: config)     // the first server's host
/// JSONPointer(tokens: ["a/b", "m~n"]).description   // "/a~1b/m~0n"
/// ```
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
        guard string.hasPrefix("/") else {
            throw JSONPointerError(pointer: string, reason: "a JSON Pointer must be empty or start with '/'")
        }
        var tokens: [String] = []
        for raw in string.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
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
        guard token.contains(where: { $0 == "~" || $0 == "/" }) else { return String(token) }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    private static func unescape(_ raw: Substring, in pointer: String) throws(JSONPointerError) -> String {
        guard raw.contains("~") else { return String(raw) }
        var result = ""
        var iterator = raw.makeIterator()
        while let character = iterator.next() {
            guard character == "~" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "0": result.append("~")
            case "1": result.append("/")
            default:
                throw JSONPointerError(pointer: pointer, reason: "'~' must be followed by '0' or '1'")
            }
        }
        return result
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
        let string = try decoder.singleValueContainer().decode(String.self)
        try self.init(string)
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
