/// One way an instance breaks its schema.
public struct ValidationError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Where in the instance (`/items/3/price`).
    public let instanceLocation: JSONPointer
    /// Which keyword failed, as a path through the schema, `$ref`s included (`/properties/items/items/$ref/minimum`).
    public let keywordLocation: JSONPointer
    /// What is wrong, for a person (`-3 is less than the minimum of 0`).
    public let message: String

    public init(instanceLocation: JSONPointer, keywordLocation: JSONPointer, message: String) {
        self.instanceLocation = instanceLocation
        self.keywordLocation = keywordLocation
        self.message = message
    }

    /// `/age: -3 is less than the minimum of 0`; the document itself is shown as `/`.
    public var description: String {
        "\(instanceLocation.isRoot ? "/" : instanceLocation.description): \(message)"
    }
}

/// The outcome of validating one instance.
public struct ValidationResult: Sendable, Hashable {
    public let errors: [ValidationError]
    public var isValid: Bool { errors.isEmpty }
}
