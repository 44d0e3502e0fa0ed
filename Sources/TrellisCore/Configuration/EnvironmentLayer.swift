internal import Configuration
internal import Foundation
internal import TrellisJSON

/// The environment-variable config layer: `TRELLIS_<SYSTEM>_<KEY>` for every property the
/// system's schema declares (`TRELLIS_HTTP_PORT`, `TRELLIS_HTTP_TLS_ENABLED` for `tls.enabled`,
/// `TRELLIS_MAILER_MAX_RETRIES` for `maxRetries`). Values are converted to the schema's type;
/// arrays and objects are given as JSON text.
///
/// Lookup goes through swift-configuration's `EnvironmentVariablesProvider`, which owns the
/// key-to-variable naming rules.
struct EnvironmentLayer: Sendable {
    private let reader: ConfigReader

    init(environment: [String: String]) {
        reader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))
    }

    /// The overrides for one system, and any variable whose value does not fit its type.
    func overrides(systemID: String, schema: JSONValue) -> (values: [(JSONPointer, JSONValue, String)], issues: [ConfigIssue]) {
        var values: [(JSONPointer, JSONValue, String)] = []
        var issues: [ConfigIssue] = []
        let secrets = SecretMask(schema: schema)
        for (path, type) in Self.leaves(of: schema, root: schema, path: [], depth: 0) {
            let key = ConfigKey(["trellis", systemID] + path)
            guard let text = reader.string(forKey: key) else { continue }
            let variable = Self.variableName(["trellis", systemID] + path)
            let pointer = JSONPointer(tokens: path)
            if let value = Self.convert(text, to: type) {
                values.append((pointer, value, variable))
            } else {
                let shown = secrets.isSecret(pointer) ? "the secret value" : "'\(text)'"
                let article = type == "integer" || type == "array" || type == "object" ? "an" : "a"
                issues.append(
                    ConfigIssue(
                        systemID: systemID, pointer: pointer, message: "\(shown) is not \(article) \(type)",
                        source: .environment(variable: variable)))
            }
        }
        return (values, issues)
    }

    /// The variable a key reads, for messages: components upper-cased, camelCase split, joined by `_`.
    static func variableName(_ components: [String]) -> String {
        components.map { component in
            var result = ""
            var previousWasLower = false
            for character in component {
                if character.isUppercase, previousWasLower { result.append("_") }
                result.append(character.isLetter || character.isNumber ? Character(character.uppercased()) : "_")
                previousWasLower = character.isLowercase || character.isNumber
            }
            return result
        }.joined(separator: "_")
    }

    private static func convert(_ text: String, to type: String) -> JSONValue? {
        switch type {
        case "integer": return Int64(text.trimmingCharacters(in: .whitespaces)).map { .number(.integer($0)) }
        case "number": return Double(text.trimmingCharacters(in: .whitespaces)).map { JSONValue($0) }
        case "boolean":
            switch text.lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: return nil
            }
        case "array", "object":
            guard let value = try? JSONValue(parsing: text), value.typeName == type else { return nil }
            return value
        default: return .string(text)
        }
    }

    /// Every property path the schema declares with a scalar type, or array/object without sub-properties.
    private static func leaves(of schema: JSONValue, root: JSONValue, path: [String], depth: Int) -> [([String], String)] {
        guard depth < 16, case .object(let object) = schema else { return [] }
        if case .string(let reference)? = object["$ref"], reference.hasPrefix("#/"),
            let target = try? JSONPointer(String(reference.dropFirst())).value(in: root)
        {
            return leaves(of: target, root: root, path: path, depth: depth + 1)
        }
        if case .object(let properties)? = object["properties"] {
            return properties.flatMap { name, subschema in
                leaves(of: subschema, root: root, path: path + [name], depth: depth + 1)
            }
        }
        guard !path.isEmpty else { return [] }
        let type: String =
            switch object["type"] {
            case .string(let name)?: name
            case .array(let names)?: names.compactMap(\.stringValue).first { $0 != "null" } ?? "string"
            default: "string"
            }
        return [(path, type)]
    }
}
