extension JSONPointer {
    /// Array index rules from RFC 6901: digits without leading zeros.
    static func arrayIndex(_ token: String) -> Int? {
        guard let first = token.utf8.first, token.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            first != UInt8(ascii: "0") || token.utf8.count == 1
        else { return nil }
        return Int(token)
    }

    /// The value this pointer names in `document`.
    public func value(in document: JSONValue) throws(JSONPointerError) -> JSONValue {
        var current = document
        for (depth, token) in tokens.enumerated() {
            switch current {
            case .object(let object):
                guard let next = object[token] else { throw missing(depth, "has no member \"\(token)\"") }
                current = next
            case .array(let array):
                guard let index = Self.arrayIndex(token) else {
                    throw missing(depth, "\"\(token)\" is not an array index")
                }
                guard index < array.count else {
                    throw missing(depth, "index \(index) is out of range (the array has \(array.count) elements)")
                }
                current = array[index]
            default:
                throw missing(depth, "is a \(current.typeName), not an object or array")
            }
        }
        return current
    }

    fileprivate func missing(_ depth: Int, _ reason: String) -> JSONPointerError {
        let location = JSONPointer(tokens: Array(tokens.prefix(depth))).description
        return JSONPointerError(pointer: description, reason: "\(location.isEmpty ? "the document" : location) \(reason)")
    }
}

extension JSONValue {
    /// The value at `pointer`, or `nil` when it does not exist.
    public subscript(pointer pointer: JSONPointer) -> JSONValue? {
        try? pointer.value(in: self)
    }

    /// Adds `value` at `pointer` as JSON Patch's `add` does: replaces an object member,
    /// inserts into an array (`-` appends), replaces the whole document at the root.
    public mutating func add(_ value: JSONValue, at pointer: JSONPointer) throws(JSONPointerError) {
        if pointer.isRoot {
            self = value
            return
        }
        try update(pointer, depth: 0) { (target: inout JSONValue, token: String) throws(JSONPointerError) in
            switch target {
            case .object(var object):
                target = .null
                object[token] = value
                target = .object(object)
            case .array(var array):
                let index: Int
                if token == "-" {
                    index = array.count
                } else if let parsed = JSONPointer.arrayIndex(token), parsed <= array.count {
                    index = parsed
                } else {
                    throw pointer.missing(pointer.tokens.count - 1, "cannot insert at \"\(token)\" (the array has \(array.count) elements)")
                }
                target = .null
                array.insert(value, at: index)
                target = .array(array)
            default:
                throw pointer.missing(pointer.tokens.count - 1, "is a \(target.typeName), not an object or array")
            }
        }
    }

    /// Replaces the existing value at `pointer`.
    public mutating func replace(_ value: JSONValue, at pointer: JSONPointer) throws(JSONPointerError) {
        if pointer.isRoot {
            self = value
            return
        }
        try update(pointer, depth: 0) { (target: inout JSONValue, token: String) throws(JSONPointerError) in
            switch target {
            case .object(var object):
                guard object[token] != nil else { throw pointer.missing(pointer.tokens.count - 1, "has no member \"\(token)\"") }
                target = .null
                object[token] = value
                target = .object(object)
            case .array(var array):
                guard let index = JSONPointer.arrayIndex(token), index < array.count else {
                    throw pointer.missing(pointer.tokens.count - 1, "has no element \"\(token)\" (the array has \(array.count) elements)")
                }
                target = .null
                array[index] = value
                target = .array(array)
            default:
                throw pointer.missing(pointer.tokens.count - 1, "is a \(target.typeName), not an object or array")
            }
        }
    }

    /// Removes the value at `pointer` and returns it. The root cannot be removed.
    @discardableResult
    public mutating func remove(at pointer: JSONPointer) throws(JSONPointerError) -> JSONValue {
        if pointer.isRoot { throw JSONPointerError(pointer: "", reason: "the whole document cannot be removed") }
        var removed: JSONValue = .null
        try update(pointer, depth: 0) { (target: inout JSONValue, token: String) throws(JSONPointerError) in
            switch target {
            case .object(var object):
                guard let value = object[token] else { throw pointer.missing(pointer.tokens.count - 1, "has no member \"\(token)\"") }
                removed = value
                target = .null
                object.removeValue(forKey: token)
                target = .object(object)
            case .array(var array):
                guard let index = JSONPointer.arrayIndex(token), index < array.count else {
                    throw pointer.missing(pointer.tokens.count - 1, "has no element \"\(token)\" (the array has \(array.count) elements)")
                }
                target = .null
                removed = array.remove(at: index)
                target = .array(array)
            default:
                throw pointer.missing(pointer.tokens.count - 1, "is a \(target.typeName), not an object or array")
            }
        }
        return removed
    }

    /// Walks to the parent of the pointer's last token and lets `body` edit it in place.
    /// Swapping the container out with `.null` while editing keeps its storage uniquely
    /// referenced, so edits do not copy the document.
    private mutating func update(
        _ pointer: JSONPointer,
        depth: Int,
        _ body: (inout JSONValue, String) throws(JSONPointerError) -> Void
    ) throws(JSONPointerError) {
        if depth == pointer.tokens.count - 1 { return try body(&self, pointer.tokens[depth]) }
        let token = pointer.tokens[depth]
        switch self {
        case .object(var object):
            guard var child = object[token] else { throw pointer.missing(depth, "has no member \"\(token)\"") }
            self = .null
            object[token] = .null
            defer {
                object[token] = child
                self = .object(object)
            }
            try child.update(pointer, depth: depth + 1, body)
        case .array(var array):
            guard let index = JSONPointer.arrayIndex(token), index < array.count else {
                throw pointer.missing(depth, "has no element \"\(token)\" (the array has \(array.count) elements)")
            }
            var child = array[index]
            self = .null
            array[index] = .null
            defer {
                array[index] = child
                self = .array(array)
            }
            try child.update(pointer, depth: depth + 1, body)
        default:
            throw pointer.missing(depth, "is a \(typeName), not an object or array")
        }
    }
}
