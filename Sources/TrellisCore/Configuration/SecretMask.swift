public import TrellisJSON

/// Finds the secrets a config schema marks (`writeOnly: true` or `x-secret: true`) and
/// masks them, so they never reach descriptions, logs, previews or diffs.
public struct SecretMask: Sendable, Hashable {
    /// The replacement text shown instead of a secret.
    public static let placeholder: JSONValue = "********"

    /// Paths of secret values; `*` stands for any member or item.
    private let paths: [[String]]

    public init(schema: JSONValue) {
        var paths: [[String]] = []
        Self.collect(schema, root: schema, path: [], into: &paths, depth: 0)
        self.paths = paths
    }

    public var isEmpty: Bool { paths.isEmpty }

    private static func collect(_ schema: JSONValue, root: JSONValue, path: [String], into paths: inout [[String]], depth: Int) {
        guard depth < 32, case .object(let object) = schema else { return }
        if object["writeOnly"] == .bool(true) || object["x-secret"] == .bool(true) {
            paths.append(path)
            return
        }
        if case .string(let reference)? = object["$ref"], reference.hasPrefix("#/"),
            let target = try? JSONPointer(String(reference.dropFirst())).value(in: root)
        {
            collect(target, root: root, path: path, into: &paths, depth: depth + 1)
        }
        if case .object(let properties)? = object["properties"] {
            for (name, subschema) in properties {
                collect(subschema, root: root, path: path + [name], into: &paths, depth: depth + 1)
            }
        }
        for keyword in ["additionalProperties", "items"] {
            if let subschema = object[keyword] { collect(subschema, root: root, path: path + ["*"], into: &paths, depth: depth + 1) }
        }
        for keyword in ["allOf", "anyOf", "oneOf"] {
            for subschema in object[keyword]?.arrayValue ?? [] {
                collect(subschema, root: root, path: path, into: &paths, depth: depth + 1)
            }
        }
    }

    /// Whether the value at `pointer` is a secret or lies inside one.
    public func isSecret(_ pointer: JSONPointer) -> Bool {
        paths.contains { path in
            path.count <= pointer.tokens.count && zip(path, pointer.tokens).allSatisfy { $0 == "*" || $0 == $1 }
        }
    }

    /// `value` with every secret replaced by ``placeholder``.
    public func mask(_ value: JSONValue) -> JSONValue {
        guard !paths.isEmpty else { return value }
        return mask(value, at: [])
    }

    private func mask(_ value: JSONValue, at tokens: [String]) -> JSONValue {
        if !tokens.isEmpty, isSecret(JSONPointer(tokens: tokens)) { return Self.placeholder }
        switch value {
        case .object(var object):
            for key in object.keys { object[key] = mask(object[key]!, at: tokens + [key]) }
            return .object(object)
        case .array(let items):
            return .array(items.enumerated().map { mask($1, at: tokens + [String($0)]) })
        default:
            return value
        }
    }

    /// A validation error about `document` with the value it quotes masked when that value is,
    /// or holds, a secret: `"hunter2" is shorter than …` becomes `"********" is shorter than …`.
    func redact(_ error: ValidationError, in document: JSONValue) -> ValidationError {
        guard !paths.isEmpty, let value = document[pointer: error.instanceLocation] else { return error }
        let masked = mask(value, at: error.instanceLocation.tokens)
        // Messages open with the offending value as the validator renders it: its JSON,
        // cut to 37 characters and an ellipsis when longer than 40 ("the object" for big objects).
        func rendered(_ value: JSONValue) -> String {
            let text = value.serialized()
            return text.count > 40 ? String(text.prefix(37)) + "…" : text
        }
        let shown = rendered(value)
        guard masked != value, error.message.hasPrefix(shown) else { return error }
        return ValidationError(
            instanceLocation: error.instanceLocation, keywordLocation: error.keywordLocation,
            message: rendered(masked) + error.message.dropFirst(shown.count))
    }

    /// A patch with the value of every operation that touches a secret masked.
    public func mask(_ patch: JSONPatch) -> JSONPatch {
        guard !paths.isEmpty else { return patch }
        return JSONPatch(
            patch.operations.map { operation in
                switch operation {
                case .add(let path, let value):
                    .add(path: path, value: isSecret(path) ? Self.placeholder : mask(value, at: path.tokens))
                case .replace(let path, let value):
                    .replace(path: path, value: isSecret(path) ? Self.placeholder : mask(value, at: path.tokens))
                case .test(let path, let value):
                    .test(path: path, value: isSecret(path) ? Self.placeholder : mask(value, at: path.tokens))
                default: operation
                }
            })
    }
}
