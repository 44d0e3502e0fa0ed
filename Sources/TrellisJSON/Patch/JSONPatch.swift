/// A JSON Patch (RFC 6902): an ordered list of operations applied atomically.
///
/// ```swift
/// let patch = try JSONPatch(parsing: #"[{"op":"replace","path":"/port","value":9090}]"#)
/// let updated = try patch.apply(to: config)    // `config` itself is never changed
/// ```
public struct JSONPatch: Sendable, Hashable {
    public var operations: [Operation]

    public init(_ operations: [Operation] = []) {
        self.operations = operations
    }

    /// One patch operation.
    public enum Operation: Sendable, Hashable {
        case add(path: JSONPointer, value: JSONValue)
        case remove(path: JSONPointer)
        case replace(path: JSONPointer, value: JSONValue)
        case move(from: JSONPointer, path: JSONPointer)
        case copy(from: JSONPointer, path: JSONPointer)
        case test(path: JSONPointer, value: JSONValue)

        /// The operation's name as written in a patch document (`add`, `remove`, …).
        public var name: String {
            switch self {
            case .add: "add"
            case .remove: "remove"
            case .replace: "replace"
            case .move: "move"
            case .copy: "copy"
            case .test: "test"
            }
        }

        /// The location the operation targets.
        public var path: JSONPointer {
            switch self {
            case .add(let path, _), .remove(let path), .replace(let path, _), .move(_, let path),
                .copy(_, let path), .test(let path, _):
                path
            }
        }
    }

    /// Applies every operation to a copy of `document`; the first failure throws and
    /// nothing is changed, so a patch either applies whole or not at all.
    public func apply(to document: JSONValue) throws(JSONPatchError) -> JSONValue {
        var result = document
        for (index, operation) in operations.enumerated() {
            do {
                try result.apply(operation)
            } catch {
                throw JSONPatchError(index: index, operation: operation.name, path: operation.path.description, reason: error.description)
            }
        }
        return result
    }
}

extension JSONValue {
    fileprivate mutating func apply(_ operation: JSONPatch.Operation) throws(JSONPointerError) {
        switch operation {
        case .add(let path, let value):
            try add(value, at: path)
        case .remove(let path):
            try remove(at: path)
        case .replace(let path, let value):
            try replace(value, at: path)
        case .move(let from, let path):
            if from == path {
                _ = try from.value(in: self)
                return
            }
            if path.hasPrefix(from) {
                throw JSONPointerError(pointer: from.description, reason: "a value cannot be moved into one of its own children (\(path))")
            }
            let value = try remove(at: from)
            try add(value, at: path)
        case .copy(let from, let path):
            try add(try from.value(in: self), at: path)
        case .test(let path, let expected):
            let actual = try path.value(in: self)
            guard actual == expected else {
                throw JSONPointerError(pointer: path.description, reason: "test failed: the value is \(actual), expected \(expected)")
            }
        }
    }
}

/// A patch that could not be read or applied, naming the operation that failed.
public struct JSONPatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The zero-based index of the failing operation in the patch.
    public let index: Int
    /// The failing operation's `op`, when it could be read.
    public let operation: String?
    /// The failing operation's `path`, when it could be read.
    public let path: String?
    public let reason: String

    public init(index: Int, operation: String?, path: String?, reason: String) {
        self.index = index
        self.operation = operation
        self.path = path
        self.reason = reason
    }

    public var description: String {
        var text = "operation \(index)"
        if let operation { text += " (\(operation)" + (path.map { " \($0.isEmpty ? "\"\"" : $0)" } ?? "") + ")" }
        return text + ": \(reason)"
    }
}
