internal import Foundation
public import TrellisJSON
internal import Yams

/// A YAML file read as JSON, remembering the line of every value.
public struct YAMLDocument: Sendable {
    public let value: JSONValue
    /// 1-based line of each value, by JSON Pointer.
    public let lines: [JSONPointer: Int]

    /// Parses YAML text; a syntax error reports its line and column.
    public init(parsing text: String, fileName: String) throws(ConfigFileError) {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigFileError.syntax(file: fileName, error)
        } catch {
            throw ConfigFileError(file: fileName, line: nil, pointer: nil, message: "cannot read YAML: \(error)")
        }
        var lines: [JSONPointer: Int] = [:]
        value =
            try node.map { node throws(ConfigFileError) in try Self.convert(node, at: .root, lines: &lines, file: fileName) }
            ?? .object([:])
        self.lines = lines
    }

    private static func convert(_ node: Node, at pointer: JSONPointer, lines: inout [JSONPointer: Int], file: String)
        throws(ConfigFileError)
        -> JSONValue
    {
        if let mark = node.mark { lines[pointer] = mark.line }
        switch node {
        case .scalar(let scalar):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map { JSONValue($0) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue:
                guard let double = node.float, double.isFinite else {
                    throw ConfigFileError(
                        file: file, line: node.mark?.line, pointer: pointer, message: "\(scalar.string) is not a finite number")
                }
                return JSONValue(double)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for (index, element) in sequence.enumerated() {
                items.append(try convert(element, at: pointer.appending(index), lines: &lines, file: file))
            }
            return .array(items)
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw ConfigFileError(file: file, line: key.mark?.line, pointer: pointer, message: "mapping keys must be plain strings")
                }
                let name = keyScalar.string
                if object[name] != nil {
                    throw ConfigFileError(
                        file: file, line: key.mark?.line, pointer: pointer.appending(name), message: "the key '\(name)' appears twice")
                }
                object[name] = try convert(value, at: pointer.appending(name), lines: &lines, file: file)
                if let mark = key.mark { lines[pointer.appending(name)] = mark.line }
            }
            return .object(object)
        case .alias:
            throw ConfigFileError(
                file: file, line: node.mark?.line, pointer: pointer, message: "YAML aliases are not supported; write the value out")
        }
    }

    /// The line of the value at `pointer`, or of its nearest ancestor.
    public func line(of pointer: JSONPointer) -> Int? {
        var probe: JSONPointer? = pointer
        while let current = probe {
            if let line = lines[current] { return line }
            probe = current.parent
        }
        return nil
    }
}

/// A problem in trellis.yaml, printed as `FILE:LINE: POINTER: message`.
public struct ConfigFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let column: Int?
    public let pointer: JSONPointer?
    public let message: String

    public init(file: String, line: Int?, column: Int? = nil, pointer: JSONPointer?, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.pointer = pointer
        self.message = message
    }

    static func syntax(file: String, _ error: YamlError) -> ConfigFileError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return ConfigFileError(file: file, line: mark.line, column: mark.column, pointer: nil, message: "YAML syntax error: \(detail)")
        default:
            return ConfigFileError(file: file, line: nil, pointer: nil, message: "YAML error: \(error)")
        }
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        if let pointer { return "\(location): \(pointer.isRoot ? "/" : pointer.description): \(message)" }
        return "\(location): \(message)"
    }
}
