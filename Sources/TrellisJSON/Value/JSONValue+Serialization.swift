extension JSONValue {
    /// Formatting choices for ``serialized(_:)``.
    public struct Formatting: Sendable, Equatable {
        /// Newlines and two-space indentation.
        public var pretty: Bool
        /// Object keys in lexicographic order instead of their stored order.
        public var sortedKeys: Bool

        public init(pretty: Bool = false, sortedKeys: Bool = false) {
            self.pretty = pretty
            self.sortedKeys = sortedKeys
        }

        public static let compact = Formatting()
        public static let pretty = Formatting(pretty: true)
    }

    /// The value as JSON text; objects keep their key order unless `sortedKeys` is set.
    public func serialized(_ formatting: Formatting = .compact) -> String {
        var writer = JSONWriter(formatting: formatting)
        writer.write(self, indent: 0)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// The value as UTF-8 encoded JSON bytes.
    public func serializedBytes(_ formatting: Formatting = .compact) -> [UInt8] {
        var writer = JSONWriter(formatting: formatting)
        writer.write(self, indent: 0)
        return writer.bytes
    }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { serialized() }
}

private struct JSONWriter {
    let formatting: JSONValue.Formatting
    var bytes: [UInt8] = []

    init(formatting: JSONValue.Formatting) {
        self.formatting = formatting
        bytes.reserveCapacity(256)
    }

    mutating func write(_ value: JSONValue, indent: Int) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let number): append(number.description)
        case .string(let string): writeString(string)
        case .array(let array):
            if array.isEmpty { return append("[]") }
            bytes.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                write(element, indent: indent + 1)
            }
            newline(indent)
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty { return append("{}") }
            bytes.append(UInt8(ascii: "{"))
            let keys = formatting.sortedKeys ? object.keys.sorted() : Array(object.keys)
            for (index, key) in keys.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                writeString(key)
                bytes.append(UInt8(ascii: ":"))
                if formatting.pretty { bytes.append(UInt8(ascii: " ")) }
                write(object[key]!, indent: indent + 1)
            }
            newline(indent)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func newline(_ indent: Int) {
        guard formatting.pretty else { return }
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func writeString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0x08: append("\\b")
            case 0x0C: append("\\f")
            case 0..<0x20:
                append("\\u00")
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
