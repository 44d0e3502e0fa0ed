extension JSONPatch {
    /// Reads a patch document: a JSON array of operation objects.
    public init(_ document: JSONValue) throws(JSONPatchError) {
        guard case .array(let elements) = document else {
            throw JSONPatchError(
                index: 0, operation: nil, path: nil,
                reason: "a JSON Patch must be an array of operations, not \(document.typeNameWithArticle)")
        }
        var operations: [Operation] = []
        operations.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            operations.append(try Self.operation(element, index: index))
        }
        self.init(operations)
    }

    /// Parses a patch from JSON text.
    public init(parsing text: String) throws {
        try self.init(JSONValue(parsing: text))
    }

    /// The patch as a JSON document (an array of operation objects).
    public var jsonValue: JSONValue {
        .array(operations.map(\.jsonValue))
    }

    private static func operation(_ element: JSONValue, index: Int) throws(JSONPatchError) -> Operation {
        guard case .object(let object) = element else {
            throw JSONPatchError(
                index: index, operation: nil, path: nil, reason: "an operation must be an object, not \(element.typeNameWithArticle)")
        }
        guard case .string(let name)? = object["op"] else {
            let reason = object["op"] == nil ? "missing 'op' member" : "'op' must be a string"
            throw JSONPatchError(index: index, operation: nil, path: nil, reason: reason)
        }
        func fail(_ reason: String, path: String? = nil) -> JSONPatchError {
            JSONPatchError(index: index, operation: name, path: path, reason: reason)
        }
        func pointer(_ member: String) throws(JSONPatchError) -> JSONPointer {
            guard let raw = object[member] else { throw fail("missing '\(member)' member") }
            guard case .string(let string) = raw else { throw fail("'\(member)' must be a string, not \(raw.typeNameWithArticle)") }
            do {
                return try JSONPointer(string)
            } catch {
                throw fail("'\(member)' is not a JSON Pointer: \(error.reason)", path: string)
            }
        }
        let path = try pointer("path")
        func value() throws(JSONPatchError) -> JSONValue {
            guard let value = object["value"] else { throw fail("missing 'value' member", path: path.description) }
            return value
        }
        switch name {
        case "add": return .add(path: path, value: try value())
        case "remove": return .remove(path: path)
        case "replace": return .replace(path: path, value: try value())
        case "move": return .move(from: try pointer("from"), path: path)
        case "copy": return .copy(from: try pointer("from"), path: path)
        case "test": return .test(path: path, value: try value())
        default:
            throw fail("unknown op '\(name)'; expected add, remove, replace, move, copy or test", path: path.description)
        }
    }
}

extension JSONPatch.Operation {
    /// The operation as a patch document writes it.
    public var jsonValue: JSONValue {
        var object: JSONObject = ["op": .string(name)]
        switch self {
        case .move(let from, _), .copy(let from, _): object["from"] = .string(from.description)
        default: break
        }
        object["path"] = .string(path.description)
        switch self {
        case .add(_, let value), .replace(_, let value), .test(_, let value): object["value"] = value
        default: break
        }
        return .object(object)
    }
}

extension JSONPatch: Codable {
    public init(from decoder: any Decoder) throws {
        let document = try JSONValue(from: decoder)
        do {
            try self.init(document)
        } catch {
            // A DecodingError carries the coding path, so the caller learns which field was bad.
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try jsonValue.encode(to: encoder)
    }
}
